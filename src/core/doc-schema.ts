/**
 * The room document's schema: the six root maps a room has, and for each the check a value must
 * pass to be admitted (core/doc-admission.ts): its parser, the author it is charged to, and its
 * signature. Anything under another root, or failing these, is refused whole.
 *
 * When Yjs leaves a value's key to its origin and this device does not hold that origin, the key
 * is taken from the value itself (every entry names its own key), so the same checks apply.
 */
import type { RootRule } from './doc-admission.js';
import { decodeMemberCard, verifyMemberCard } from './member-card.js';
import { decodeMessageAct, verifyMessageAct } from './message-acts.js';
import { decodeMessageEntry, verifyMessageEntry } from './message-entry.js';
import { decodeModerationAction, verifyModerationAction } from './moderation.js';
import { decodePrivateEntry, verifyPrivateEntry } from './private-message.js';
import { decodeEpochKey, verifyEpochKey } from './room-epoch.js';
import { isPlainObject } from './strict-json.js';
import type { DropReason } from './types.js';

export const ROOT_NAMES = ['messages', 'acts', 'private', 'moderation', 'members', 'epochs'] as const;
export type RootName = (typeof ROOT_NAMES)[number];

type Decoded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: DropReason };

/** A rule from a root's decoder (with its key), the author a value is charged to, and its signature check. */
function rule<T>(decode: (key: string, value: string) => Decoded<T>, keyOf: (fields: Record<string, unknown>) => string | null, authorOf: (value: T) => string, verify: (value: T) => Promise<boolean>): RootRule {
  return {
    check(key, value) {
      let mapKey = key;
      if (mapKey === null) {
        try {
          const fields: unknown = JSON.parse(value);
          mapKey = isPlainObject(fields) ? keyOf(fields) : null;
        } catch {
          mapKey = null;
        }
        if (mapKey === null) return { ok: false, reason: 'shape' };
      }
      const decoded = decode(mapKey, value);
      if (!decoded.ok) return decoded;
      return { ok: true, author: authorOf(decoded.value), verify: () => verify(decoded.value) };
    },
  };
}

const field = (name: string) => (fields: Record<string, unknown>): string | null => (typeof fields[name] === 'string' ? (fields[name] as string) : null);
const actKeyOf = (fields: Record<string, unknown>): string | null => {
  const { k, target, author, emoji } = fields;
  if (typeof author !== 'string') return null;
  if (k === 's') return `s:${author}`;
  if (typeof target !== 'string') return null;
  if (k === 'r') return typeof emoji === 'string' ? `r:${target}:${author}:${emoji}` : null;
  return k === 'e' || k === 'd' ? `${k}:${target}:${author}` : null;
};

/** The rules of a room administered by `adminKey` (base64url; null for a room without an admin, where no admin-signed value counts). */
export function createRoomSchema(adminKey: string | null): ReadonlyMap<RootName, RootRule> {
  const byAdmin = async (): Promise<boolean> => false;
  return new Map<RootName, RootRule>([
    ['messages', rule((key, value) => { const d = decodeMessageEntry(key, value); return d.ok ? { ok: true, value: d.entry } : d; }, field('id'), (entry) => entry.author, verifyMessageEntry)],
    ['acts', rule(decodeMessageAct, actKeyOf, (act) => act.author, verifyMessageAct)],
    ['private', rule((key, value) => { const d = decodePrivateEntry(key, value); return d.ok ? { ok: true, value: d.entry } : d; }, field('id'), (entry) => entry.from, verifyPrivateEntry)],
    ['members', rule((key, value) => { const d = decodeMemberCard(key, value); return d.ok ? { ok: true, value: d.card } : d; }, field('key'), (card) => card.key, verifyMemberCard)],
    ['moderation', rule((key, value) => { const d = decodeModerationAction(key, value); return d.ok ? { ok: true, value: d.action } : d; }, field('id'), (action) => action.by, adminKey === null ? byAdmin : (action) => verifyModerationAction(action, adminKey))],
    ['epochs', rule((key, value) => { const d = decodeEpochKey(key, value); return d.ok ? { ok: true, value: d.epoch } : d; }, (fields) => (typeof fields['epoch'] === 'number' ? String(fields['epoch']) : null), (epoch) => epoch.by, adminKey === null ? byAdmin : (epoch) => verifyEpochKey(epoch, adminKey))],
  ]);
}
