/** The home page's recent rooms and the room stores, backed by src/persistence. */
import { deriveRoomKeys, type RoomKeys } from '../crypto/keys.js';
import { formatInviteFragment } from '../core/invite-link.js';
import { createRecentRooms } from '../persistence/recent-rooms.js';
import { openRoomStore } from '../persistence/room-store.js';
import type { SessionStore } from './room-session.svelte.js';

export interface RecentEntry {
  readonly roomId: string;
  readonly label: string;
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
      label: room.label ?? `Room ${room.roomId.slice(0, 6)}`,
      lastOpened: room.lastOpened,
      fragment: formatInviteFragment({ secret: room.secret }),
    }));
  } catch {
    return [];
  }
}

export async function rememberRoom(secret: Uint8Array): Promise<void> {
  await recentRooms.rememberRoom({ secret, roomId: deriveRoomKeys(secret).roomId, lastOpened: Date.now() });
}

export async function forgetRoom(roomId: string): Promise<void> {
  await recentRooms.forgetRoom(roomId);
}
