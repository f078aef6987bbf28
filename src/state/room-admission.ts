/**
 * The room document's admission as one member's device runs it: the schema's checks
 * (core/doc-schema.ts) through the admission engine (core/doc-admission.ts), and which deletions a
 * peer's update may make here. Deleting a value is allowed only where this device's own rules
 * would delete it too (a message its author or the admin deleted, or that expired; an edit or
 * reaction of a deleted message; an expired private message); any other deletion is stripped
 * from the update before it is applied. Before, a member who removed every message made each
 * honest device write every one of them back: an update of a few bytes cost everyone the whole
 * history again.
 */
import type * as Y from 'yjs';
import { admitUpdate, type AdmittedEntry, type RootRule } from '../core/doc-admission.js';
import { createRoomSchema, type RootName } from '../core/doc-schema.js';
import type { AdmitMode, AdmitResult, AdmitSource } from '../transport/message-handler.js';
import { createTokenBucket, type TokenBucket } from '../transport/rate-limit.js';

/** Signatures checked in each history piece (the rest are checked as they are shown). */
export const HISTORY_SIGNATURE_SAMPLE = 16;
/**
 * Storage allowances on this device, in bytes of entries, charged when entries arrive (this
 * device's clock); what is over them is kept as tombstones (Yjs GC structs: the clocks, not the
 * content). Two, so that neither one identity nor a stream of new ones can fill a device:
 *  - each author: 5 MiB an hour, up to 256 KiB at once. A person typing never comes near it (a
 *    long paste is 24 KB; 5 MiB is some fifteen thousand messages);
 *  - each connection, for entries of authors other than the one its peer proved to be (relayed
 *    messages, or identities made up by the thousand): 5 MiB an hour, up to 256 KiB at once. In a
 *    room of up to twenty people everyone is connected to everyone and relays bring nothing new.
 * Histories asked for until one is in, or in a page's first minute, are not charged (transport/message-handler.ts).
 */
export const ALLOWANCE_BURST_BYTES = 256 * 1024;
export const ALLOWANCE_BYTES_PER_HOUR = 5 * 1024 * 1024;
/** Allowances tracked at once (authors and connections); the least recently charged is forgotten beyond it. */
const MAX_TRACKED_ALLOWANCES = 4096;

export interface RoomAdmissionHost {
  readonly doc: Y.Doc;
  readonly adminKey: string | null;
  /** Whether this device would itself remove `value` (under `key` in `root`) now. */
  mayRemove(root: RootName, key: string, value: string): boolean;
  /** Deletions stripped from admitted updates: counted. */
  stripped(count: number): void;
  /** Entries kept as tombstones, over their author's allowance: counted. */
  overBudget(count: number): void;
  /** Milliseconds, for the allowances (performance.now by default). */
  readonly now?: () => number;
}

/**
 * A value may be written over only by its own author: a message or private message under its id
 * by whoever signed the one it replaces (keys that embed their author, acts and member cards,
 * already cannot be written by anyone else; admin entries are the admin's).
 */
function sameWriter(rule: RootRule | undefined, key: string, held: string, incoming: string): boolean {
  if (rule === undefined) return false;
  const before = rule.check(key, held);
  const after = rule.check(key, incoming);
  // A held value that no longer passes its rule (a forgery found later) may be replaced by a valid one.
  return !before.ok || (after.ok && after.author === before.author);
}

/** The function the provider calls on every document update from a peer. */
export function createRoomAdmission(host: RoomAdmissionHost): (update: Uint8Array, mode: AdmitMode, from: AdmitSource) => Promise<AdmitResult> {
  const roots = createRoomSchema(host.adminKey);
  const rules = {
    roots,
    mayDelete: (root: string, key: string, value: string): boolean => roots.has(root as RootName) && host.mayRemove(root as RootName, key, value),
    mayReplace: (root: string, key: string, held: string, incoming: string): boolean => sameWriter(roots.get(root as RootName), key, held, incoming),
  };
  const now = host.now ?? ((): number => performance.now());
  const allowances = new Map<string, TokenBucket>();
  const allowanceOf = (name: string): TokenBucket => {
    let bucket = allowances.get(name);
    if (bucket === undefined) bucket = createTokenBucket({ burst: ALLOWANCE_BURST_BYTES, perSecond: ALLOWANCE_BYTES_PER_HOUR / 3600, now });
    allowances.delete(name);
    allowances.set(name, bucket);
    if (allowances.size > MAX_TRACKED_ALLOWANCES) allowances.delete(allowances.keys().next().value as string);
    return bucket;
  };
  const overAllowance = (entries: readonly AdmittedEntry[], from: AdmitSource): ReadonlySet<number> => {
    const over = new Set<number>();
    entries.forEach((entry, index) => {
      const relayed = entry.author !== from.key;
      if (!allowanceOf(`author:${entry.author}`).take(entry.bytes) || (relayed && !allowanceOf(`link:${from.link}`).take(entry.bytes))) over.add(index);
    });
    if (over.size > 0) host.overBudget(over.size);
    return over;
  };
  return async (update, mode, from) => {
    const admission = await admitUpdate(host.doc, update, rules, { verify: mode === 'live' ? 'all' : HISTORY_SIGNATURE_SAMPLE, ...(mode === 'initial' ? {} : { tombstone: (entries: readonly AdmittedEntry[]) => overAllowance(entries, from) }) });
    if (!admission.ok) return admission;
    if (admission.strippedDeletes > 0) host.stripped(admission.strippedDeletes);
    return { ok: true, update: admission.update };
  };
}
