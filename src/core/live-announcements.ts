/**
 * What a screen reader is told of live messages from others. The first few within a while are
 * each said once, by author and text; past that bound the rest are held and said as one count
 * when the while ends, so a burst does not make the reader read every line. Histories never reach
 * this (only messages written after the room opened do). Pure: the caller passes the time and schedules `flush` at `dueAt`.
 */

import { parseStamp } from './hlc.js';

/**
 * Whether a message was written at or after `sinceMs` (its stamp's wall time): a history that
 * arrives by sync after the room opened was written before, and is not news to be read out.
 */
export function writtenSince(hlc: string, sinceMs: number): boolean {
  const stamp = parseStamp(hlc);
  return stamp !== null && stamp.wallMs >= sinceMs;
}

export interface Arrival {
  readonly author: string;
  readonly text: string;
}

export type Announcement =
  | { readonly kind: 'message'; readonly author: string; readonly text: string }
  | { readonly kind: 'summary'; readonly count: number };

export interface AnnouncerOptions {
  /** Messages said one by one within a window; the ones after are counted. */
  readonly limit: number;
  /** The window's length (ms), from the first message said in it. */
  readonly windowMs: number;
  /** Longer texts are cut (characters), so one long message does not hold the reader for minutes. */
  readonly maxChars: number;
}

export const ANNOUNCER_DEFAULTS: AnnouncerOptions = { limit: 3, windowMs: 10_000, maxChars: 240 };

export interface Announcer {
  /** A live message arrived at `now` (ms): what to say now (possibly a due count first, then it). */
  arrive(arrival: Arrival, now: number): Announcement[];
  /** When the count of held messages is due (ms), or null when none are held. */
  dueAt(): number | null;
  /** At or after `dueAt`: the count of held messages, once; otherwise nothing. */
  flush(now: number): Announcement[];
}

/** Whitespace collapsed and the text cut at `maxChars` (by code point, so no half emoji). */
export function shorten(text: string, maxChars: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const points = [...flat];
  return points.length <= maxChars ? flat : `${points.slice(0, maxChars).join('').trimEnd()}…`;
}

/** A batcher of announcements with the given bound (defaults: 3 messages said per 10 s). */
export function createAnnouncer(options: AnnouncerOptions = ANNOUNCER_DEFAULTS): Announcer {
  let windowStart = Number.NEGATIVE_INFINITY;
  let said = 0;
  let held = 0;

  const windowEnd = (): number => windowStart + options.windowMs;
  const flush = (now: number): Announcement[] => {
    if (held === 0 || now < windowEnd()) return [];
    const count = held;
    held = 0;
    // The count itself was said now: a new window starts, so a burst that goes on is counted again, not read.
    windowStart = now;
    said = 1;
    return [{ kind: 'summary', count }];
  };

  return {
    arrive(arrival, now) {
      const out = flush(now);
      if (now >= windowEnd()) {
        windowStart = now;
        said = 0;
      }
      if (said < options.limit) {
        said += 1;
        out.push({ kind: 'message', author: shorten(arrival.author, 60), text: shorten(arrival.text, options.maxChars) });
      } else {
        held += 1;
      }
      return out;
    },
    dueAt: () => (held === 0 ? null : windowEnd()),
    flush,
  };
}
