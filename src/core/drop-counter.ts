/**
 * Counts inputs dropped by the parsers (document entries, frames, stored blobs, presence), by
 * source and reason, so a misbehaving peer or corrupt store shows up in diagnostics instead of
 * in an exception.
 */
import type { DropReason, DropSource } from './types.js';

export interface DropCounter {
  /** Records one dropped input. */
  count(source: DropSource, reason: DropReason): void;
  /** Counts so far keyed `source.reason`, e.g. `{ 'entry.signature': 2 }`; only non-zero keys appear. */
  snapshot(): Record<string, number>;
  /** All drops so far. */
  total(): number;
}

/** Creates a counter starting at zero. */
export function createDropCounter(): DropCounter {
  const counts = new Map<string, number>();
  let total = 0;
  return {
    count(source: DropSource, reason: DropReason): void {
      const key = `${source}.${reason}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      total++;
    },
    snapshot(): Record<string, number> {
      return Object.fromEntries(counts);
    },
    total(): number {
      return total;
    },
  };
}
