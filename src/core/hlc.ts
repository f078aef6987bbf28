/**
 * Hybrid logical clock stamps: wall-clock milliseconds plus a counter, so a message sent after
 * one was seen sorts after it even when the sender's clock is behind.
 *
 * Stamp format: 9 base36 digits of Unix ms (good until the year 5188), '.', 4 base36 digits of
 * counter. Fixed width and lowercase, so plain string comparison is time order.
 */
import type { MessageEntry } from './types.js';

const WALL_DIGITS = 9;
const COUNTER_DIGITS = 4;
const MAX_WALL_MS = 36 ** WALL_DIGITS - 1;
const MAX_COUNTER = 36 ** COUNTER_DIGITS - 1;
const STAMP_PATTERN = /^[0-9a-z]{9}\.[0-9a-z]{4}$/;

/** Remote stamps further ahead of our wall clock than this are ignored, so one peer cannot drag every clock forward. */
export const DEFAULT_MAX_DRIFT_MS = 5 * 60_000;

export interface Stamp {
  readonly wallMs: number;
  readonly counter: number;
}

export interface HybridClock {
  /** A new stamp for a local send, greater than every stamp ticked or observed before. */
  tick(): string;
  /** Advances the clock past a received stamp; ignores malformed or absurdly future stamps. */
  observe(stamp: string): void;
}

export interface ClockOptions {
  /** Default DEFAULT_MAX_DRIFT_MS. */
  readonly maxDriftMs?: number;
}

/** Formats a stamp; `wallMs` and `counter` must be in range (integers, see parseStamp). */
export function formatStamp(stamp: Stamp): string {
  return `${stamp.wallMs.toString(36).padStart(WALL_DIGITS, '0')}.${stamp.counter.toString(36).padStart(COUNTER_DIGITS, '0')}`;
}

/** Reads a stamp; null unless it has exactly the fixed-width lowercase form. */
export function parseStamp(text: unknown): Stamp | null {
  if (typeof text !== 'string' || !STAMP_PATTERN.test(text)) return null;
  return { wallMs: parseInt(text.slice(0, WALL_DIGITS), 36), counter: parseInt(text.slice(WALL_DIGITS + 1), 36) };
}

/** Creates a clock reading wall time from `now` (Unix ms). Never throws. */
export function createClock(now: () => number, options: ClockOptions = {}): HybridClock {
  const maxDriftMs = options.maxDriftMs ?? DEFAULT_MAX_DRIFT_MS;
  // The greatest stamp issued or observed so far.
  let wallMs = 0;
  let counter = 0;

  const readWall = (): number => {
    const value = Math.floor(now());
    return Number.isFinite(value) ? Math.min(Math.max(value, 0), MAX_WALL_MS) : wallMs;
  };

  return {
    tick(): string {
      const physical = readWall();
      if (physical > wallMs) {
        wallMs = physical;
        counter = 0;
      } else if (counter < MAX_COUNTER) {
        counter++;
      } else {
        // Counter exhausted within one millisecond: borrow the next millisecond.
        wallMs = Math.min(wallMs + 1, MAX_WALL_MS);
        counter = 0;
      }
      return formatStamp({ wallMs, counter });
    },
    observe(text: string): void {
      const remote = parseStamp(text);
      if (remote === null || remote.wallMs > readWall() + maxDriftMs) return;
      if (remote.wallMs > wallMs || (remote.wallMs === wallMs && remote.counter > counter)) {
        wallMs = remote.wallMs;
        counter = remote.counter;
      }
    },
  };
}

type Ordered = Pick<MessageEntry, 'hlc' | 'author' | 'id'>;

/** Total order of messages: by stamp, then author key, then id (code-unit comparison, never locale). */
export function compareMessages(a: Ordered, b: Ordered): number {
  if (a.hlc !== b.hlc) return a.hlc < b.hlc ? -1 : 1;
  if (a.author !== b.author) return a.author < b.author ? -1 : 1;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return 0;
}

/** A string whose code-unit order equals compareMessages for valid entries (all three fields are fixed width). */
export function sortKey(entry: Ordered): string {
  return `${entry.hlc}~${entry.author}~${entry.id}`;
}
