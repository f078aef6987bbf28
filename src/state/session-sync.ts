/**
 * What a session gives its network for document sync: the admission of peers' updates (which
 * deletions this device would make itself), and the preview of the newest messages that leads a
 * history in both directions (made for peers who join, shown when joining).
 */
import { decodeMessageAct } from '../core/message-acts.js';
import { verifyMessageEntry } from '../core/message-entry.js';
import { encodeTail, decodeTail } from '../core/message-tail.js';
import { decodePrivateEntry } from '../core/private-message.js';
import { parseStamp } from '../core/hlc.js';
import type { AdmitMode, AdmitResult, AdmitSource } from '../transport/message-handler.js';
import { MAX_PREVIEW_BYTES } from '../transport/wire-messages.js';
import { createRoomAdmission } from './room-admission.js';
import type { RoomSession } from './room-session.svelte.js';

/** Messages a preview carries at most: a screenful and some scrolling. */
const PREVIEW_ENTRIES = 60;

/** Whether this device would itself remove this message now: deleted (by the admin or its author), expired, or failing its signature. */
function messageRemovable(session: RoomSession, id: string): boolean {
  const entry = session.filter.find(id);
  if (entry === undefined || session.log.statusOf(id) === 'invalid') return true;
  const reason = session.filter.reasonFor(entry);
  return reason === 'deleted' || reason === 'expired';
}

/** The admission function for `session`'s document. */
export function sessionAdmission(session: RoomSession, adminKey: string | null): (update: Uint8Array, mode: AdmitMode, from: AdmitSource) => Promise<AdmitResult> {
  return createRoomAdmission({
    doc: session.doc,
    adminKey,
    mayRemove(root, key, value) {
      if (root === 'messages') return messageRemovable(session, key);
      if (root === 'acts') {
        // An edit or reaction leaves with its message; deletes and receipts stay.
        const act = decodeMessageAct(key, value);
        return act.ok && (act.value.k === 'e' || act.value.k === 'r') && messageRemovable(session, act.value.target);
      }
      if (root === 'private') {
        const entry = decodePrivateEntry(key, value);
        const lifetimeMs = session.filter.moderation.rules.lifetimeSeconds * 1000;
        const wallMs = entry.ok ? parseStamp(entry.entry.hlc)?.wallMs : undefined;
        return !entry.ok || (lifetimeMs > 0 && wallMs !== undefined && wallMs + lifetimeMs < Date.now());
      }
      return false;
    },
    stripped: (count) => {
      for (let i = 0; i < count; i++) session.drop('update', 'refused');
    },
    overBudget: (count) => {
      for (let i = 0; i < count; i++) session.drop('update', 'budget');
    },
  });
}

/** The preview hooks: the newest shown messages for peers, and a joiner's display of theirs until its history is in. */
export function sessionPreview(session: RoomSession): { preview: () => Uint8Array | null; onPreview: (bytes: Uint8Array) => void; onHistoryDone: () => void } {
  let previewed: string[] = [];
  return {
    preview() {
      const { log } = session;
      const newest = log.slice(Math.max(0, log.size - PREVIEW_ENTRIES), log.size).filter((entry) => log.statusOf(entry.id) === 'valid');
      while (newest.length > 0) {
        const bytes = encodeTail(newest);
        if (bytes.length <= MAX_PREVIEW_BYTES) return bytes;
        newest.splice(0, Math.ceil(newest.length / 4));
      }
      return null;
    },
    onPreview(bytes) {
      // Only while nothing is shown yet: a preview is for a joiner, and the document is the truth.
      if (session.log.size > 0 || previewed.length > 0) return;
      const { entries, dropped } = decodeTail(bytes);
      for (const reason of dropped) session.drop('entry', reason);
      previewed = entries.map((entry) => entry.id);
      // Checked before anything is shown (a preview is a few dozen entries), then through the filter
      // like any message: blocked or banned authors stay hidden.
      void Promise.all(entries.map((entry) => verifyMessageEntry(entry))).then((results) => {
        const valid = entries.filter((entry, i) => {
          if (results[i] !== true) session.drop('entry', 'signature');
          return results[i] === true && !session.closed;
        });
        session.moderation.noteFlood(session.filter.upsert(valid));
        for (const entry of valid) session.log.markVerified(entry.id, true, entry);
        session.logVersion++;
      });
    },
    onHistoryDone() {
      // Whatever the preview showed that the history did not bring (deleted since) goes.
      const messages = session.doc.getMap<unknown>('messages');
      for (const id of previewed.splice(0)) if (!messages.has(id)) session.filter.remove(id);
      session.logVersion++;
    },
  };
}
