/**
 * The hour:minute format of the person's locale, built once and only when first needed or when
 * the page is idle. Creating an Intl.DateTimeFormat loads the locale's ICU data: 60–170 ms in a
 * fresh Chromium renderer (measured here), which used to be spent inside the room's first render,
 * the same task that keeps the WebRTC handshake from being handled (tests/bench, "join").
 */
import { parseStamp } from '../core/hlc.js';

let formatter: Intl.DateTimeFormat | null = null;

const clock = (): Intl.DateTimeFormat => (formatter ??= new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' }));

/** `ms` (epoch) as hour:minute in the person's locale. */
export function formatClock(ms: number): string {
  return clock().format(ms);
}

/** The hour:minute at which a message was stamped (its HLC wall time); empty for a malformed stamp. */
export function formatStampClock(hlc: string): string {
  const stamp = parseStamp(hlc);
  return stamp === null ? '' : formatClock(stamp.wallMs);
}

/** Builds the format when the main thread has nothing else to do (or within 2 s). */
export function prepareClockFormat(): void {
  if (formatter !== null) return;
  if (typeof requestIdleCallback === 'function') requestIdleCallback(() => void clock(), { timeout: 2000 });
  else setTimeout(() => void clock(), 200);
}
