/**
 * A per-author rate limit on visible messages, as a token bucket over each author's entries.
 *
 * Time is the entries' own HLC wall time, not when they arrived: every member holds the same
 * entries, so every honest client hides exactly the same messages, whatever the sync order and
 * however late it joined. An author who backdates a flood is limited at the times they claimed,
 * so backdating gains nothing but an older place in the history. Forward-dating is bounded by the
 * clocks (hlc.ts ignores stamps far ahead) and still spends one token per message.
 */
import { parseStamp } from './hlc.js';
import type { MessageEntry } from './types.js';

export interface FloodPolicy {
  /** Messages an author may send at once after a quiet spell (the bucket's size); at least 1. */
  readonly burst: number;
  /** Tokens regained per second of the author's stamp time, up to `burst`; greater than 0. */
  readonly perSecond: number;
}

/**
 * Ten at once then two a second: a fast typist (rarely over one message a second) or a paste of a
 * few lines passes untouched, while a script sending hundreds a second shows ten, then two a second.
 */
export const DEFAULT_FLOOD_POLICY: FloodPolicy = { burst: 10, perSecond: 2 };

/** The policy for a room's slow mode (RoomRules.slowModeSeconds): one message per `slowModeSeconds`, none saved up. */
export function policyForSlowMode(slowModeSeconds: number): FloodPolicy {
  if (!Number.isFinite(slowModeSeconds) || slowModeSeconds < 0) throw new RangeError('slow mode must be a non-negative number of seconds');
  return slowModeSeconds === 0 ? DEFAULT_FLOOD_POLICY : { burst: 1, perSecond: 1 / slowModeSeconds };
}

export interface FloodGate {
  /**
   * Adds entries (any order; ids already known and entries with a malformed stamp are ignored).
   * Returns the ids whose isHidden() answer changed, including new entries that arrive hidden.
   */
  add(entries: Iterable<MessageEntry>): string[];
  /** Forgets an entry; returns the ids whose isHidden() answer changed (the later messages of its author may reappear). */
  remove(id: string): string[];
  /** False for visible and unknown entries. */
  isHidden(id: string): boolean;
  /** How many of this author's messages are hidden now. */
  hiddenCount(author: string): number;
  /** Recomputes every author under a new policy; returns the ids whose verdict changed. */
  setPolicy(policy: FloodPolicy): string[];
}

/**
 * Refill is computed in floating point (e.g. 49 s × 1/49 per s = 0.999…), so a message exactly on
 * the slow-mode boundary would miss its token without this slack. Every client runs the same
 * operations in the same order, so the verdicts stay identical everywhere.
 */
const EPSILON = 1e-9;

interface Slot {
  readonly id: string;
  readonly author: string;
  readonly hlc: string;
  readonly wallMs: number;
  /** Tokens this entry takes (1 for a message; a file's bytes in the file gate). */
  readonly cost: number;
  /** Tokens left in the author's bucket after this entry. */
  tokens: number;
  hidden: boolean;
}

interface Author {
  /** The author's entries in key order. */
  slots: Slot[];
  hidden: number;
}

function checkPolicy(policy: FloodPolicy): FloodPolicy {
  const { burst, perSecond } = policy;
  if (!(Number.isFinite(burst) && burst >= 1 && Number.isFinite(perSecond) && perSecond > 0)) throw new RangeError('invalid flood policy');
  return { burst, perSecond };
}

/** An author's order: by stamp (fixed width, so string order is time order), then id. */
function compareSlots(a: Slot, b: Slot): number {
  if (a.hlc !== b.hlc) return a.hlc < b.hlc ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Index of the first slot ordered after `slot`. */
function upperBound(slots: readonly Slot[], slot: Slot): number {
  let low = 0;
  let high = slots.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compareSlots(slots[mid] as Slot, slot) <= 0) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * Bytes of files an author may share: 4 GiB at once, then 2 GiB an hour, in the entries' own
 * stamp time like the message rule, so every member hides the same file messages. Storage and
 * auto-download limits protect each device anyway; this keeps one member from filling the room
 * with announcements of huge files.
 */
export const FILE_BYTES_POLICY: FloodPolicy = { burst: 4 * 1024 ** 3, perSecond: (2 * 1024 ** 3) / 3600 };

/**
 * Creates an empty gate; throws RangeError for a policy with burst < 1 or perSecond ≤ 0. `cost`
 * prices an entry in tokens (default 1 each); one costing more than the burst never passes.
 */
export function createFloodGate(initial: FloodPolicy = DEFAULT_FLOOD_POLICY, cost: (entry: MessageEntry) => number = () => 1): FloodGate {
  let policy = checkPolicy(initial);
  const slots = new Map<string, Slot>();
  const authors = new Map<string, Author>();

  /** Runs the bucket over `state.slots` from index `from` on, collecting changed verdicts. */
  const recompute = (state: Author, from: number, changed: string[]): void => {
    const list = state.slots;
    const previous = list[from - 1];
    let tokens = previous === undefined ? policy.burst : previous.tokens;
    let lastMs = previous === undefined ? null : previous.wallMs;
    for (let i = from; i < list.length; i++) {
      const slot = list[i] as Slot;
      if (lastMs !== null) tokens = Math.min(policy.burst, tokens + ((slot.wallMs - lastMs) * policy.perSecond) / 1000);
      lastMs = slot.wallMs;
      const hidden = tokens < slot.cost - EPSILON;
      if (!hidden) tokens = Math.max(0, tokens - slot.cost);
      slot.tokens = tokens;
      if (hidden !== slot.hidden) {
        slot.hidden = hidden;
        state.hidden += hidden ? 1 : -1;
        changed.push(slot.id);
      }
    }
  };

  /** Places new slots (sorted) among the author's, then recomputes from the first one placed. */
  const insert = (state: Author, fresh: Slot[], changed: string[]): void => {
    fresh.sort(compareSlots);
    const list = state.slots;
    const first = fresh[0] as Slot;
    const last = list[list.length - 1];
    if (last === undefined || compareSlots(last, first) < 0) {
      // The common case, a live message newer than the author's last: O(1) per entry.
      const from = list.length;
      for (const slot of fresh) list.push(slot);
      recompute(state, from, changed);
      return;
    }
    const from = upperBound(list, first);
    if (fresh.length === 1) {
      list.splice(from, 0, first);
    } else {
      // Merge rather than splice one by one, so a shuffled history loads in O(n log n).
      const merged = list.slice(0, from);
      let i = from;
      let j = 0;
      while (i < list.length || j < fresh.length) {
        const a = list[i];
        const b = fresh[j];
        if (b === undefined || (a !== undefined && compareSlots(a, b) <= 0)) {
          merged.push(a as Slot);
          i++;
        } else {
          merged.push(b);
          j++;
        }
      }
      state.slots = merged;
    }
    recompute(state, from, changed);
  };

  return {
    add(entries: Iterable<MessageEntry>): string[] {
      const byAuthor = new Map<string, Slot[]>();
      for (const entry of entries) {
        if (slots.has(entry.id)) continue;
        const stamp = parseStamp(entry.hlc);
        if (stamp === null) continue;
        const slot: Slot = { id: entry.id, author: entry.author, hlc: entry.hlc, wallMs: stamp.wallMs, cost: cost(entry), tokens: 0, hidden: false };
        slots.set(entry.id, slot);
        const fresh = byAuthor.get(entry.author);
        if (fresh === undefined) byAuthor.set(entry.author, [slot]);
        else fresh.push(slot);
      }
      const changed: string[] = [];
      for (const [author, fresh] of byAuthor) {
        let state = authors.get(author);
        if (state === undefined) {
          state = { slots: [], hidden: 0 };
          authors.set(author, state);
        }
        insert(state, fresh, changed);
      }
      return changed;
    },

    remove(id: string): string[] {
      const slot = slots.get(id);
      const state = slot === undefined ? undefined : authors.get(slot.author);
      if (slot === undefined || state === undefined) return [];
      slots.delete(id);
      const at = upperBound(state.slots, slot) - 1;
      state.slots.splice(at, 1);
      const changed: string[] = [];
      if (slot.hidden) {
        state.hidden--;
        changed.push(id);
      }
      if (state.slots.length === 0) authors.delete(slot.author);
      else recompute(state, at, changed);
      return changed;
    },

    isHidden(id: string): boolean {
      return slots.get(id)?.hidden ?? false;
    },

    hiddenCount(author: string): number {
      return authors.get(author)?.hidden ?? 0;
    },

    setPolicy(next: FloodPolicy): string[] {
      policy = checkPolicy(next);
      const changed: string[] = [];
      for (const state of authors.values()) recompute(state, 0, changed);
      return changed;
    },
  };
}
