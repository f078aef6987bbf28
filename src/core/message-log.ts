/**
 * The in-memory, ordered index of parsed messages that the UI reads (a virtualised list needs
 * `size`, `slice` and `indexOf`), plus each message's signature status so the visible range
 * can be verified first. Entries are kept sorted by compareMessages (hlc, author, id).
 */
import { compareMessages } from './hlc.js';
import type { MessageEntry, VerificationStatus } from './types.js';

export interface MessageLog {
  /** Number of entries. */
  readonly size: number;
  /** Adds an entry or replaces the one with its id; false if an identical entry was already there. */
  upsert(entry: MessageEntry): boolean;
  /** Adds many entries, sorting once; returns how many were added or changed. */
  upsertMany(entries: Iterable<MessageEntry>): number;
  /** Removes an entry by id; false if absent. */
  remove(id: string): boolean;
  /** Removes many entries in one pass (one splice each would be quadratic); returns how many were there. */
  removeMany(ids: Iterable<string>): number;
  /** Entries in positions [start, end), like Array.prototype.slice. */
  slice(start: number, end: number): MessageEntry[];
  /** Position of the entry with this id, or -1. */
  indexOf(id: string): number;
  /** Status of the entry with this id, or undefined if absent. */
  statusOf(id: string): VerificationStatus | undefined;
  /**
   * Records a signature check result; ignored for an absent id. Pass the entry that was checked
   * as `checked`: the result is then ignored if that id has since been replaced, so a slow check
   * of an old version can never vouch for a new one.
   */
  markVerified(id: string, ok: boolean, checked?: MessageEntry): void;
  /** Ids still pending in positions [start, end), in order. */
  pendingIn(start: number, end: number): string[];
}

const sameEntry = (a: MessageEntry, b: MessageEntry): boolean =>
  a.hlc === b.hlc && a.author === b.author && a.nick === b.nick && a.text === b.text && a.sig === b.sig && a.v === b.v;

/** Creates an empty log. */
/** New entries falling within this many of the log's end are merged in place; elsewhere the log is rebuilt once. */
const IN_PLACE_TAIL = 8192;

/** The first position in `ordered` (from `start`) whose entry sorts at or after `entry`. */
function firstAtOrAfter(ordered: readonly MessageEntry[], entry: MessageEntry, start = 0): number {
  let low = start;
  let high = ordered.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareMessages(ordered[middle] as MessageEntry, entry) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

export function createMessageLog(): MessageLog {
  let ordered: MessageEntry[] = [];
  const byId = new Map<string, MessageEntry>();
  // Only checked entries have a verdict; an entry without one is pending.
  const verdicts = new Map<string, boolean>();

  /** First position whose entry is not less than `entry`. */
  const lowerBound = (entry: MessageEntry): number => firstAtOrAfter(ordered, entry);

  const positionOf = (entry: MessageEntry): number => {
    const at = lowerBound(entry);
    return ordered[at] === entry ? at : -1;
  };

  const insert = (entry: MessageEntry): void => {
    const last = ordered[ordered.length - 1];
    // Live messages almost always arrive in order: append without searching.
    if (last === undefined || compareMessages(last, entry) < 0) ordered.push(entry);
    else ordered.splice(lowerBound(entry), 0, entry);
  };

  const upsert = (entry: MessageEntry): boolean => {
    const previous = byId.get(entry.id);
    if (previous !== undefined) {
      if (sameEntry(previous, entry)) return false;
      const at = positionOf(previous);
      if (compareMessages(previous, entry) === 0) ordered[at] = entry;
      else {
        ordered.splice(at, 1);
        insert(entry);
      }
    } else {
      insert(entry);
    }
    byId.set(entry.id, entry);
    verdicts.delete(entry.id);
    return true;
  };

  return {
    get size(): number {
      return ordered.length;
    },
    upsert,
    upsertMany(entries: Iterable<MessageEntry>): number {
      const fresh: MessageEntry[] = [];
      let replaced = false;
      for (const entry of entries) {
        const previous = byId.get(entry.id);
        if (previous !== undefined && sameEntry(previous, entry)) continue;
        byId.set(entry.id, entry);
        if (previous !== undefined) {
          verdicts.delete(entry.id);
          replaced = true;
        }
        fresh.push(entry);
      }
      if (fresh.length === 0) return 0;
      if (replaced) {
        ordered = Array.from(byId.values()).sort(compareMessages);
        return fresh.length;
      }
      // New entries only (a history arriving in pieces): sorted among themselves, then merged in one
      // pass, rather than the whole log sorted again for every piece.
      fresh.sort(compareMessages);
      const from = firstAtOrAfter(ordered, fresh[0] as MessageEntry);
      if (ordered.length - from <= IN_PLACE_TAIL) {
        // Near the end (live messages, a history arriving oldest first): only the tail moves.
        const tail = ordered.splice(from);
        let i = 0;
        let j = 0;
        while (i < tail.length && j < fresh.length) ordered.push(compareMessages(tail[i] as MessageEntry, fresh[j] as MessageEntry) <= 0 ? (tail[i++] as MessageEntry) : (fresh[j++] as MessageEntry));
        while (i < tail.length) ordered.push(tail[i++] as MessageEntry);
        while (j < fresh.length) ordered.push(fresh[j++] as MessageEntry);
        return fresh.length;
      }
      // Only the span of the log the new entries fall in is compared; the rest is copied as is.
      const to = firstAtOrAfter(ordered, fresh[fresh.length - 1] as MessageEntry, from);
      const merged: MessageEntry[] = ordered.slice(0, from);
      let i = from;
      let j = 0;
      while (i < to && j < fresh.length) merged.push(compareMessages(ordered[i] as MessageEntry, fresh[j] as MessageEntry) <= 0 ? (ordered[i++] as MessageEntry) : (fresh[j++] as MessageEntry));
      while (j < fresh.length) merged.push(fresh[j++] as MessageEntry);
      for (; i < ordered.length; i++) merged.push(ordered[i] as MessageEntry);
      ordered = merged;
      return fresh.length;
    },
    remove(id: string): boolean {
      const entry = byId.get(id);
      if (entry === undefined) return false;
      ordered.splice(positionOf(entry), 1);
      byId.delete(id);
      verdicts.delete(id);
      return true;
    },
    removeMany(ids: Iterable<string>): number {
      let removed = 0;
      for (const id of ids) {
        if (!byId.delete(id)) continue;
        verdicts.delete(id);
        removed++;
      }
      if (removed > 0) ordered = ordered.filter((entry) => byId.get(entry.id) === entry);
      return removed;
    },
    slice(start: number, end: number): MessageEntry[] {
      return ordered.slice(start, end);
    },
    indexOf(id: string): number {
      const entry = byId.get(id);
      return entry === undefined ? -1 : positionOf(entry);
    },
    statusOf(id: string): VerificationStatus | undefined {
      if (!byId.has(id)) return undefined;
      const verdict = verdicts.get(id);
      return verdict === undefined ? 'pending' : verdict ? 'valid' : 'invalid';
    },
    markVerified(id: string, ok: boolean, checked?: MessageEntry): void {
      const current = byId.get(id);
      if (current === undefined || (checked !== undefined && checked !== current)) return;
      verdicts.set(id, ok);
    },
    pendingIn(start: number, end: number): string[] {
      const ids: string[] = [];
      for (const entry of ordered.slice(start, end)) if (!verdicts.has(entry.id)) ids.push(entry.id);
      return ids;
    },
  };
}
