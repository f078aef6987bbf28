/**
 * The home page's list of recent rooms. Each entry holds the room secret, so it is sealed with
 * the device key (device-key.ts) and authenticated against its roomId; its plaintext is padded
 * so the stored size does not give away the length of the label or preview.
 */
import type { UseStore } from 'idb-keyval';
import type { DropReason } from '../core/types.js';
import { fromBase64Url, fromUtf8, toBase64Url, utf8 } from '../crypto/encoding.js';
import { ADMIN_KEY_BYTES, deriveRoomKeys, ROOM_SECRET_BYTES } from '../crypto/keys.js';
import { getParleyStore, recentKey, recentRange, roomIdOfRecentKey, whenCommitted } from './database.js';
import { loadOrCreateDeviceKey, openWithDeviceKey, sealWithDeviceKey } from './device-key.js';
import { PersistenceError } from './errors.js';
import { wipeRoom } from './room-store.js';
import type { RecentRoom, RecentRooms, RecentRoomsOptions } from './types.js';

const RECORD_VERSION = 1;
const PAD_TO_BYTES = 256;
export const MAX_LABEL_CHARS = 80;
export const MAX_PREVIEW_CHARS = 140;

/** The recent-rooms list of this device. */
export function createRecentRooms(options: RecentRoomsOptions = {}): RecentRooms {
  const store = options.store ?? getParleyStore();
  const onDrop = options.onDrop ?? ((): void => {});
  let deviceKey: Promise<CryptoKey> | undefined;
  const loadKey = (): Promise<CryptoKey> => {
    if (deviceKey === undefined) {
      const loading = (options.loadDeviceKey ?? (() => loadOrCreateDeviceKey(store)))();
      loading.catch(() => {
        if (deviceKey === loading) deviceKey = undefined; // let a later call retry
      });
      deviceKey = loading;
    }
    return deviceKey;
  };

  return {
    async listRecentRooms(): Promise<RecentRoom[]> {
      const key = await loadKey();
      const rows = await store('readonly', (objects) => {
        const keys = objects.getAllKeys(recentRange());
        const values = objects.getAll(recentRange());
        return whenCommitted(objects.transaction).then(() => keys.result.map((k, i) => [k, values.result[i]] as const));
      });
      const opened = await Promise.all(
        rows.map(([rowKey, value]) => {
          const roomId = roomIdOfRecentKey(rowKey);
          return roomId === null ? ('shape' as const) : openRecord(key, roomId, value);
        }),
      );
      const rooms: RecentRoom[] = [];
      for (const room of opened) {
        if (typeof room === 'string') onDrop(room);
        else rooms.push(room);
      }
      return rooms.sort((a, b) => b.lastOpened - a.lastOpened);
    },

    async rememberRoom(room: RecentRoom): Promise<void> {
      if (room.secret.length !== ROOM_SECRET_BYTES || (room.adminKey !== undefined && room.adminKey.length !== ADMIN_KEY_BYTES) || deriveRoomKeys(room.secret, room.adminKey).roomId !== room.roomId) {
        throw new PersistenceError('invalid_input', 'roomId does not belong to this secret');
      }
      if (!Number.isFinite(room.lastOpened)) throw new PersistenceError('invalid_input', 'lastOpened must be a finite number');
      const sealed = await sealWithDeviceKey(await loadKey(), contextFor(room.roomId), encodeRecord(room));
      await store('readwrite', (objects) => {
        objects.put(sealed, recentKey(room.roomId));
        return whenCommitted(objects.transaction);
      });
    },

    forgetRoom(roomId: string): Promise<void> {
      return forgetRoomEverywhere(roomId, store);
    },
  };
}

/**
 * Deletes every local trace of a room: its updates, identity and recent-rooms entry. Room data
 * goes first, so an interruption leaves a listed room to forget again, never hidden data.
 */
export async function forgetRoomEverywhere(roomId: string, store: UseStore = getParleyStore()): Promise<void> {
  await wipeRoom(roomId, store);
  await store('readwrite', (objects) => {
    objects.delete(recentKey(roomId));
    return whenCommitted(objects.transaction);
  });
}

function contextFor(roomId: string): Uint8Array {
  return utf8(`parley/v1/recent-room\u0000${roomId}`);
}

/** JSON, padded with spaces (which JSON.parse ignores) to a multiple of PAD_TO_BYTES. */
function encodeRecord(room: RecentRoom): Uint8Array {
  const record: Record<string, unknown> = { v: RECORD_VERSION, secret: toBase64Url(room.secret), lastOpened: room.lastOpened };
  if (room.adminKey !== undefined) record['admin'] = toBase64Url(room.adminKey);
  if (room.label !== undefined) record['label'] = truncate(room.label, MAX_LABEL_CHARS);
  if (room.lastMessagePreview !== undefined) record['preview'] = truncate(room.lastMessagePreview, MAX_PREVIEW_CHARS);
  const json = utf8(JSON.stringify(record));
  const padded = new Uint8Array(Math.ceil(json.length / PAD_TO_BYTES) * PAD_TO_BYTES).fill(0x20);
  padded.set(json);
  return padded;
}

async function openRecord(key: CryptoKey, roomId: string, stored: unknown): Promise<RecentRoom | DropReason> {
  if (!(stored instanceof Uint8Array)) return 'shape';
  const plaintext = await openWithDeviceKey(key, contextFor(roomId), stored);
  if (plaintext === null) return 'decrypt';
  const text = fromUtf8(plaintext);
  let record: unknown;
  try {
    record = text === null ? undefined : JSON.parse(text);
  } catch {
    return 'decode';
  }
  return parseRecord(roomId, record);
}

/** A typed entry from a decrypted record, or why it is unusable. */
function parseRecord(roomId: string, record: unknown): RecentRoom | DropReason {
  if (typeof record !== 'object' || record === null) return 'decode';
  const { v, secret: encoded, admin, lastOpened, label, preview } = record as Record<string, unknown>;
  if (v !== RECORD_VERSION) return 'unknown_type';
  const secret = typeof encoded === 'string' ? fromBase64Url(encoded) : null;
  if (secret === null || secret.length !== ROOM_SECRET_BYTES) return 'shape';
  const adminKey = admin === undefined ? undefined : typeof admin === 'string' ? fromBase64Url(admin) : null;
  if (adminKey === null || (adminKey !== undefined && adminKey.length !== ADMIN_KEY_BYTES)) return 'shape';
  if (typeof lastOpened !== 'number' || !Number.isFinite(lastOpened)) return 'shape';
  if (!isOptionalText(label, MAX_LABEL_CHARS) || !isOptionalText(preview, MAX_PREVIEW_CHARS)) return 'shape';
  if (deriveRoomKeys(secret, adminKey).roomId !== roomId) return 'key_mismatch';
  return {
    secret,
    ...(adminKey === undefined ? {} : { adminKey }),
    roomId,
    lastOpened,
    ...(label === undefined ? {} : { label }),
    ...(preview === undefined ? {} : { lastMessagePreview: preview }),
  };
}

function isOptionalText(value: unknown, maxChars: number): value is string | undefined {
  return value === undefined || (typeof value === 'string' && value.length <= maxChars);
}

/** At most `maxChars` UTF-16 units, never splitting a surrogate pair. */
function truncate(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const cut = text.slice(0, maxChars);
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}
