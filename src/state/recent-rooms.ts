/** The home page's recent rooms and the room stores, backed by src/persistence. */
import { createRoomSecret, deriveRoomKeys, type RoomKeys } from '../crypto/keys.js';
import { createIdentity } from '../crypto/identity.js';
import { formatInviteFragment, memberLink } from '../core/invite-link.js';
import { parseRoomName } from '../core/room-name.js';
import type { InviteLink } from '../core/types.js';
import { createRecentRooms } from '../persistence/recent-rooms.js';
import { openRoomStore } from '../persistence/room-store.js';
import type { SessionStore } from './room-session.svelte.js';

export interface RecentEntry {
  readonly roomId: string;
  /** The room's name (set by its admin, kept sealed on this device), or null: the UI then names it by its id, in the page's language. */
  readonly label: string | null;
  readonly lastOpened: number;
  /** `#k=…`: the invite fragment, to reopen the room. */
  readonly fragment: string;
}

const recentRooms = createRecentRooms();

export function openStoreFor(keys: RoomKeys): SessionStore {
  return openRoomStore(keys);
}

export async function listRecent(): Promise<RecentEntry[]> {
  try {
    const rooms = await recentRooms.listRecentRooms();
    return rooms.map((room) => ({
      roomId: room.roomId,
      // A stored name is parsed again like any stored text.
      label: parseRoomName(room.label ?? '') || null,
      lastOpened: room.lastOpened,
      fragment: formatInviteFragment(room.adminKey === undefined ? { secret: room.secret } : { secret: room.secret, adminKey: room.adminKey }),
    }));
  } catch {
    return [];
  }
}

// One write at a time, in call order: a room renamed just after it opened must not have the
// older, nameless record land last.
let writes: Promise<void> = Promise.resolve();

/** Puts the room at the top of Recent rooms, under its name ('' or absent: none). */
export function rememberRoom(link: InviteLink, name = ''): Promise<void> {
  const { secret, adminKey } = memberLink(link);
  const label = parseRoomName(name) || undefined;
  const write = writes.then(() =>
    recentRooms.rememberRoom({ secret, ...(adminKey === undefined ? {} : { adminKey }), roomId: deriveRoomKeys(secret, adminKey).roomId, lastOpened: Date.now(), ...(label === undefined ? {} : { label }) }),
  );
  writes = write.catch(() => undefined);
  return write;
}

/**
 * A new room: a random secret and an admin key pair. The admin's seed is stored (sealed) on this
 * device before the room opens, so the creator is its admin; the returned member fragment is the
 * one to share, and the seed never appears in the address bar.
 */
export async function createRoom(): Promise<string> {
  const secret = createRoomSecret();
  const admin = await createIdentity();
  const store = openRoomStore(deriveRoomKeys(secret, admin.publicKey));
  await store.saveAdminSeed(admin.secretKey.slice(0, 32));
  await store.close();
  // In Recent rooms from the start, even if its creator leaves before the room has opened.
  await rememberRoom({ secret, adminKey: admin.publicKey });
  return formatInviteFragment({ secret, adminKey: admin.publicKey });
}

export async function forgetRoom(roomId: string): Promise<void> {
  await recentRooms.forgetRoom(roomId);
}
