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
import { admitUpdate } from '../core/doc-admission.js';
import { createRoomSchema, type RootName } from '../core/doc-schema.js';
import type { AdmitMode, AdmitResult } from '../transport/message-handler.js';

/** Signatures checked in each history piece (the rest are checked as they are shown). */
export const HISTORY_SIGNATURE_SAMPLE = 16;

export interface RoomAdmissionHost {
  readonly doc: Y.Doc;
  readonly adminKey: string | null;
  /** Whether this device would itself remove `value` (under `key` in `root`) now. */
  mayRemove(root: RootName, key: string, value: string): boolean;
  /** Admitted updates changed nothing but their deletions were stripped: counted. */
  stripped(count: number): void;
}

/** The function the provider calls on every document update from a peer. */
export function createRoomAdmission(host: RoomAdmissionHost): (update: Uint8Array, mode: AdmitMode) => Promise<AdmitResult> {
  const roots = createRoomSchema(host.adminKey);
  const rules = { roots, mayDelete: (root: string, key: string, value: string): boolean => roots.has(root as RootName) && host.mayRemove(root as RootName, key, value) };
  return async (update, mode) => {
    const admission = await admitUpdate(host.doc, update, rules, { verify: mode === 'live' ? 'all' : HISTORY_SIGNATURE_SAMPLE });
    if (!admission.ok) return admission;
    if (admission.strippedDeletes > 0) host.stripped(admission.strippedDeletes);
    return { ok: true, update: admission.update };
  };
}
