/**
 * Where an embedded room keeps its history: the browser's IndexedDB when a third-party frame may
 * use it (partitioned by the embedding site), otherwise memory for this page's life. Browsers that
 * block third-party storage (Chromium's incognito, Safari's tracking prevention) refuse the
 * database; the visitor can still chat, and starts afresh on the next visit.
 */
import { identityFromSecretKey } from '../crypto/identity';
import type { RoomKeys } from '../crypto/keys';
import { openRoomStore } from '../persistence/room-store';
import type { SessionStore } from './session-opening';

/** Updates held in memory at most; past it the oldest are merged away by nobody, so stop keeping them. */
const MAX_MEMORY_UPDATES = 20_000;

/** A store in memory: what IndexedDB would hold, for this page only. */
export function createMemoryStore(): SessionStore {
  const updates: Uint8Array[] = [];
  let tail: Uint8Array | null = null;
  let blocked: Uint8Array | null = null;
  let identity: Uint8Array | null = null;
  let adminSeed: Uint8Array | null = null;
  return {
    appendUpdate: async (update) => void (updates.length < MAX_MEMORY_UPDATES && updates.push(update)),
    loadUpdates: async () => [...updates],
    saveTail: async (payload) => void (tail = payload),
    loadTail: async () => tail,
    saveBlocked: async (payload) => void (blocked = payload),
    loadBlocked: async () => blocked,
    saveIdentity: async (secretKey) => void (identity = secretKey),
    loadIdentity: async () => (identity === null ? null : identityFromSecretKey(identity)),
    saveAdminSeed: async (seed) => void (adminSeed = seed),
    loadAdminSeed: async () => adminSeed,
    close: async () => undefined,
  };
}

let usable: Promise<boolean> | undefined;

/** Whether this frame may open IndexedDB at all (asked once per page). */
function storageUsable(): Promise<boolean> {
  usable ??= new Promise<boolean>((resolve) => {
    try {
      const request = indexedDB.open('parley');
      request.onsuccess = () => {
        request.result.close();
        resolve(true);
      };
      request.onerror = () => resolve(false);
      request.onblocked = () => resolve(true);
    } catch {
      resolve(false);
    }
  });
  return usable;
}

/** The room's store for an embedded session: IndexedDB if allowed, else memory (decided on first use). */
export function openEmbedStore(keys: RoomKeys): SessionStore {
  const chosen = storageUsable().then((ok) => (ok ? openRoomStore(keys) : createMemoryStore()));
  return {
    appendUpdate: async (update) => (await chosen).appendUpdate(update),
    loadUpdates: async () => (await chosen).loadUpdates(),
    saveTail: async (payload) => (await chosen).saveTail(payload),
    loadTail: async () => (await chosen).loadTail(),
    saveBlocked: async (payload) => (await chosen).saveBlocked(payload),
    loadBlocked: async () => (await chosen).loadBlocked(),
    saveIdentity: async (secretKey) => (await chosen).saveIdentity(secretKey),
    loadIdentity: async () => (await chosen).loadIdentity(),
    saveAdminSeed: async (seed) => (await chosen).saveAdminSeed(seed),
    loadAdminSeed: async () => (await chosen).loadAdminSeed(),
    close: async () => (await chosen).close(),
  };
}
