/** The People list, from verified presence entries only (core/presence-table.ts). */
import { colorForKey, type PresenceFields } from '../core/presence.js';
import type { CallPresence } from '../core/call-state.js';
import type { PresenceEntry } from '../core/presence-table.js';
import type { PresenceState } from '../core/types.js';
import { fromBase64Url } from '../crypto/encoding.js';
import { safetyCode } from '../crypto/identity.js';

export interface Person {
  /** The presence entry's id (client id and key): one per open tab of a person. */
  readonly id: string;
  readonly nick: string;
  readonly color: string;
  readonly status: PresenceState['status'];
  readonly statusText: string;
  readonly typing: boolean;
  /** Their part in the call; null when not in it. */
  readonly call: CallPresence | null;
  readonly safetyCode: string;
  readonly isSelf: boolean;
  /** Public key, base64url: what moderation and blocking act on, proven by the presence signature. */
  readonly key: string;
}

/** This person's next presence fields: `change` over the current ones. */
export function nextFields(nick: string, key: string, current: PresenceFields | null, change: Partial<Pick<PresenceFields, 'typing' | 'status' | 'text'>> & { readonly call?: CallPresence | null }, color: string | null = null): PresenceFields {
  const fields = { nick, color: color ?? colorForKey(key), status: change.status ?? current?.status ?? 'online', text: change.text ?? current?.text ?? '', typing: change.typing ?? current?.typing ?? false };
  // `call: null` leaves the call; no `call` in the change keeps the current one.
  const call = change.call === undefined ? current?.call : change.call ?? undefined;
  return call === undefined ? fields : { ...fields, call };
}

/**
 * Everyone present, one row per key (their most recently renewed tab: a key claiming a hundred
 * client ids is still one person), this person first, then by nickname; `refused` people (banned,
 * locked out) are left out.
 */
export function listPeople(entries: Iterable<PresenceEntry>, ownId: string | null, refused: (key: string) => boolean): Person[] {
  const newest = new Map<string, PresenceEntry>();
  for (const entry of entries) {
    const known = newest.get(entry.key);
    // This tab's own entry stands for its key; otherwise the most recently renewed.
    if (known === undefined || (known.id !== ownId && (entry.id === ownId || entry.seenAt > known.seenAt))) newest.set(entry.key, entry);
  }
  const people: Person[] = [];
  for (const entry of newest.values()) {
    const publicKey = fromBase64Url(entry.key);
    if (publicKey === null) continue;
    const isSelf = entry.id === ownId;
    if (!isSelf && refused(entry.key)) continue;
    const { state } = entry;
    people.push({ id: entry.id, key: entry.key, nick: state.nick, color: state.color, status: state.status, statusText: state.text, typing: state.typing, call: state.call ?? null, safetyCode: safetyCode(publicKey), isSelf });
  }
  return people.sort((a, b) => Number(b.isSelf) - Number(a.isSelf) || a.nick.localeCompare(b.nick));
}
