/**
 * Who is present, from verified presence records only (presence-record.ts).
 *
 * An entry is identified by its client id *and* its key. A client id is only a random number its
 * tab picked, so anyone can claim it; keying entries by both means a record signed with another
 * key is another entry, never a replacement: nobody can rename, restate or remove someone else's
 * presence, and a claim made first cannot shadow the real owner either. For each (client, key),
 * a record counts only with a clock above the last one seen (replays are ignored), and while the
 * entry is present only within CLOCK_WINDOW above it (a jump to the top of the range would leave
 * no room for renewals). The last clock of an entry that left is remembered, within a bound, so
 * its old records cannot bring it back. Entries not renewed within the timeout leave.
 *
 * Plain TypeScript with an injected clock: no Yjs, no DOM, no timers of its own.
 */
import type { DropReason, PresenceState } from './types.js';
import type { PresenceRecord } from './presence-record.js';

/** Entries present at once; beyond it new ones are refused until others leave. */
export const MAX_PRESENT = 1000;
/** Last clocks remembered for entries that left (replay protection), oldest forgotten first. */
export const MAX_REMEMBERED = 4096;
/** How far above the last clock a present entry's next record may be: far more than an honest member sends between renewals. */
export const CLOCK_WINDOW = 1024;
/** An entry not renewed for this long leaves (members renew every RENEW_MS). */
export const PRESENCE_TIMEOUT_MS = 30_000;
export const RENEW_MS = 15_000;

export interface PresenceEntry {
  /** `${clientId}:${key}`: what identifies the entry. */
  readonly id: string;
  readonly clientId: number;
  readonly key: string;
  readonly clock: number;
  readonly state: PresenceState;
  /** The record as received, relayed as is. */
  readonly record: PresenceRecord;
  /** When it was last renewed (now() ms). */
  readonly seenAt: number;
}

export interface PresenceChange {
  readonly added: readonly string[];
  readonly updated: readonly string[];
  readonly removed: readonly string[];
  /** The records that changed something, to pass on to other peers. */
  readonly records: readonly PresenceRecord[];
}

/** What became of one verified record: it changed the table, changed nothing (an old or repeated one), or was refused. */
export type PresenceVerdict = 'applied' | 'stale' | DropReason;

export interface PresenceTable {
  /** Applies verified records; each gets a verdict, and the changes are reported once. */
  apply(records: readonly PresenceRecord[], origin: unknown): PresenceVerdict[];
  /** Drops an entry locally (its peer's connection closed); its clock is remembered. */
  remove(id: string, origin: unknown): void;
  /**
   * Drops an entry for good: every later record of it is stale (a kicked tab's last renewal, relayed
   * by a member who had not yet applied the kick, must not bring it back). The person can come back
   * in a new tab, which is a new entry.
   */
  retire(id: string, origin: unknown): void;
  /** Removes entries not renewed within the timeout; call now and then. */
  expire(): void;
  /** The entries present, including this device's own. */
  entries(): ReadonlyMap<string, PresenceEntry>;
  /** Ids of the entries signed with `key`. */
  idsOf(key: string): string[];
  /** The clock this device's next own record must carry for `id` (last + 1). */
  nextClock(id: string): number;
  /** Listens to changes (and their origin); returns a function that stops listening. */
  onChange(listener: (change: PresenceChange, origin: unknown) => void): () => void;
}

export const presenceId = (clientId: number, key: string): string => `${clientId}:${key}`;

export function createPresenceTable(options: { readonly now: () => number; readonly ownId?: () => string | null }): PresenceTable {
  const { now } = options;
  const present = new Map<string, PresenceEntry>();
  /** Last clock per entry id, present or gone (insertion order = least recently used first). */
  const clocks = new Map<string, number>();
  const listeners = new Set<(change: PresenceChange, origin: unknown) => void>();

  const remember = (id: string, clock: number): void => {
    clocks.delete(id);
    clocks.set(id, clock);
    if (clocks.size <= MAX_REMEMBERED) return;
    for (const old of clocks.keys()) {
      if (present.has(old)) continue;
      clocks.delete(old);
      if (clocks.size <= MAX_REMEMBERED) return;
    }
  };

  const emit = (change: PresenceChange, origin: unknown): void => {
    if (change.added.length + change.updated.length + change.removed.length === 0) return;
    for (const listener of listeners) listener(change, origin);
  };

  const judge = (record: PresenceRecord, id: string): PresenceVerdict => {
    const last = clocks.get(id);
    if (last !== undefined && record.clock <= last) return 'stale';
    if (last !== undefined && present.has(id) && record.clock > last + CLOCK_WINDOW) return 'clock';
    if (record.state !== null && !present.has(id) && present.size >= MAX_PRESENT) return 'budget';
    return 'applied';
  };

  return {
    apply(records, origin) {
      const added: string[] = [];
      const updated: string[] = [];
      const removed: string[] = [];
      const changed: PresenceRecord[] = [];
      const at = now();
      const verdicts = records.map((record): PresenceVerdict => {
        const id = presenceId(record.clientId, record.key);
        const verdict = judge(record, id);
        if (verdict !== 'applied') return verdict;
        remember(id, record.clock);
        changed.push(record);
        if (record.state === null) {
          if (present.delete(id)) removed.push(id);
          return verdict;
        }
        (present.has(id) ? updated : added).push(id);
        present.set(id, { id, clientId: record.clientId, key: record.key, clock: record.clock, state: record.state, record, seenAt: at });
        return verdict;
      });
      emit({ added, updated, removed, records: changed }, origin);
      return verdicts;
    },
    remove(id, origin) {
      if (!present.delete(id)) return;
      emit({ added: [], updated: [], removed: [id], records: [] }, origin);
    },
    retire(id, origin) {
      remember(id, Number.POSITIVE_INFINITY);
      if (present.delete(id)) emit({ added: [], updated: [], removed: [id], records: [] }, origin);
    },
    expire() {
      const cutoff = now() - PRESENCE_TIMEOUT_MS;
      const own = options.ownId?.() ?? null;
      const removed: string[] = [];
      for (const [id, entry] of present) {
        if (id !== own && entry.seenAt < cutoff) {
          present.delete(id);
          removed.push(id);
        }
      }
      emit({ added: [], updated: [], removed, records: [] }, 'timeout');
    },
    entries: () => present,
    idsOf: (key) => [...present.values()].filter((entry) => entry.key === key).map((entry) => entry.id),
    nextClock: (id) => (clocks.get(id) ?? 0) + 1,
    onChange(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}
