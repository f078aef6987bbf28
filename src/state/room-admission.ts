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
import { admitUpdate, type AdmittedEntry } from '../core/doc-admission.js';
import { createRoomSchema, type RootName } from '../core/doc-schema.js';
import type { AdmitMode, AdmitResult } from '../transport/message-handler.js';
import { createTokenBucket, type TokenBucket } from '../transport/rate-limit.js';

/** Signatures checked in each history piece (the rest are checked as they are shown). */
export const HISTORY_SIGNATURE_SAMPLE = 16;
/**
 * Each author's storage allowance on this device, in bytes of entries, charged when their entries
 * arrive (this device's clock): 10 MiB an hour, up to 1 MiB at once. A person typing never comes
 * near it (a long paste is 24 KB); a script flooding valid entries gets that much stored and the
 * rest kept as tombstones (Yjs GC structs: the clocks, not the content). This page's first
 * history is not charged: a joiner takes the room's history on trust in volume.
 */
export const AUTHOR_BURST_BYTES = 1024 * 1024;
export const AUTHOR_BYTES_PER_HOUR = 10 * 1024 * 1024;
/** Authors whose allowance is tracked at once; the least recently charged is forgotten beyond it. */
const MAX_TRACKED_AUTHORS = 4096;

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

/** The function the provider calls on every document update from a peer. */
export function createRoomAdmission(host: RoomAdmissionHost): (update: Uint8Array, mode: AdmitMode) => Promise<AdmitResult> {
  const roots = createRoomSchema(host.adminKey);
  const rules = { roots, mayDelete: (root: string, key: string, value: string): boolean => roots.has(root as RootName) && host.mayRemove(root as RootName, key, value) };
  const now = host.now ?? ((): number => performance.now());
  const allowances = new Map<string, TokenBucket>();
  const allowanceOf = (author: string): TokenBucket => {
    let bucket = allowances.get(author);
    if (bucket === undefined) bucket = createTokenBucket({ burst: AUTHOR_BURST_BYTES, perSecond: AUTHOR_BYTES_PER_HOUR / 3600, now });
    allowances.delete(author);
    allowances.set(author, bucket);
    if (allowances.size > MAX_TRACKED_AUTHORS) allowances.delete(allowances.keys().next().value as string);
    return bucket;
  };
  const overAllowance = (entries: readonly AdmittedEntry[]): ReadonlySet<number> => {
    const over = new Set<number>();
    entries.forEach((entry, index) => {
      if (!allowanceOf(entry.author).take(entry.bytes)) over.add(index);
    });
    if (over.size > 0) host.overBudget(over.size);
    return over;
  };
  return async (update, mode) => {
    const admission = await admitUpdate(host.doc, update, rules, { verify: mode === 'live' ? 'all' : HISTORY_SIGNATURE_SAMPLE, ...(mode === 'initial' ? {} : { tombstone: overAllowance }) });
    if (!admission.ok) return admission;
    if (admission.strippedDeletes > 0) host.stripped(admission.strippedDeletes);
    return { ok: true, update: admission.update };
  };
}
