/**
 * The host's working hours as two instants of the visitor's day, so the UI can show them in the
 * visitor's own clock and locale ("We usually answer between 9:00 and 18:00" in Warsaw reads
 * "between 3:00 AM and 12:00 PM" in New York). Plain TS over Intl; no DOM.
 */
import type { WorkingHours } from './embed-options.js';

/** Offset of `zone` from UTC at `instant`, in minutes (east positive). */
function zoneOffsetMinutes(zone: string, instant: number): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(instant);
  const get = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((part) => part.type === type)?.value ?? 0);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour') % 24, get('minute'), get('second'));
  return Math.round((asUtc - Math.floor(instant / 1000) * 1000) / 60_000);
}

/** The calendar day (in `zone`) that `now` falls on. */
function dayIn(zone: string, now: number): { year: number; month: number; day: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric', month: 'numeric', day: 'numeric' }).formatToParts(now);
  const get = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((part) => part.type === type)?.value ?? 0);
  return { year: get('year'), month: get('month'), day: get('day') };
}

/** `minutes` after midnight of `now`'s day in `zone`, as an instant (ms since the epoch). */
function instantAt(zone: string, now: number, minutes: number): number {
  const { year, month, day } = dayIn(zone, now);
  const naive = Date.UTC(year, month - 1, day) + minutes * 60_000;
  // Two passes settle a daylight-saving change between the guess and the answer.
  let instant = naive - zoneOffsetMinutes(zone, naive) * 60_000;
  instant = naive - zoneOffsetMinutes(zone, instant) * 60_000;
  return instant;
}

/**
 * Today's opening and closing instants. Without a zone the hours are read in the visitor's own
 * zone (`localZone`), so they show as given.
 */
export function workingHoursToday(hours: WorkingHours, now: number, localZone: string): { from: number; to: number } {
  const zone = hours.zone ?? localZone;
  return { from: instantAt(zone, now, hours.fromMinutes), to: instantAt(zone, now, hours.toMinutes) };
}
