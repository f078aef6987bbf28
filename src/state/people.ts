/** The People list and this person's presence, from awareness states (each parsed, never trusted). */
import { colorForKey, parsePresenceState } from '../core/presence.js';
import type { PresenceState } from '../core/types.js';
import { fromBase64Url } from '../crypto/encoding.js';
import { safetyCode } from '../crypto/identity.js';

export interface Person {
  readonly clientId: number;
  readonly nick: string;
  readonly color: string;
  readonly status: PresenceState['status'];
  readonly statusText: string;
  readonly typing: boolean;
  readonly safetyCode: string;
  readonly isSelf: boolean;
  /** Public key, base64url: what moderation and blocking act on. */
  readonly key: string;
}

type States = ReadonlyMap<number, unknown>;

/** This person's next presence: `change` over the current one. */
export function nextPresence(key: string, nick: string, current: PresenceState | null, change: Partial<Pick<PresenceState, 'typing' | 'status' | 'text'>>, color: string | null = null): PresenceState {
  return { nick, color: color ?? colorForKey(key), status: change.status ?? current?.status ?? 'online', text: change.text ?? current?.text ?? '', typing: change.typing ?? current?.typing ?? false, key };
}

/** Everyone with a valid presence, this person first, then by nickname; `refused` people (banned, locked out) are left out. */
export function listPeople(states: States, selfClientId: number, refused: (key: string) => boolean): Person[] {
  const people: Person[] = [];
  for (const [clientId, raw] of states) {
    const state = parsePresenceState(raw);
    const publicKey = state === null ? null : fromBase64Url(state.key);
    if (state === null || publicKey === null) continue;
    const isSelf = clientId === selfClientId;
    if (!isSelf && refused(state.key)) continue;
    people.push({ clientId, key: state.key, nick: state.nick, color: state.color, status: state.status, statusText: state.text, typing: state.typing, safetyCode: safetyCode(publicKey), isSelf });
  }
  return people.sort((a, b) => Number(b.isSelf) - Number(a.isSelf) || a.nick.localeCompare(b.nick));
}

/** Awareness client ids (other than this person's) whose presence carries `key`. */
export function clientsWithKey(states: States, selfClientId: number, key: string): number[] {
  const clients: number[] = [];
  for (const [clientId, raw] of states) if (clientId !== selfClientId && parsePresenceState(raw)?.key === key) clients.push(clientId);
  return clients;
}
