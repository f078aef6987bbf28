/**
 * The app's one IndexedDB database, `parley`, with one object store, `kv`. Keys are arrays, so
 * one key range selects exactly one room's rows (wipe is a single range delete) and sequence
 * numbers sort as numbers:
 *
 *   ['room', roomId, 'u', seq]    a sealed Yjs update (seq: integer, only ever grows)
 *   ['room', roomId, 'identity']  the room's ed25519 secret key, sealed
 *   ['room', roomId, 'tail']      the newest messages again, sealed, to show at once on reload
 *   ['room', roomId, 'admin']     the room admin's signing seed, sealed (creator and co-moderators only)
 *   ['room', roomId, 'blocked']   the keys this person blocked in the room, sealed
 *   ['room', roomId, 'f', fileId, i]  piece i of a file (its file-key ciphertext), sealed again; see file-store.ts
 *   ['room', roomId, 'fi', fileId]    the file's index (its pieces' SHA-256 hashes), sealed
 *   ['recent', roomId]            a recent-rooms entry, sealed with the device key
 *   ['device']                    the device's non-extractable AES-GCM CryptoKey
 *   ['profile']                   this device's nickname, colour and canned replies, sealed with the device key
 *
 * roomId is a hash of the room secret, so keys show which opaque rooms exist and how many rows
 * each has, nothing more (file rows add the file ids, random message ids, and how many pieces of
 * each this device holds). Files live under ['room', roomId] like the rest, so wiping a room
 * wipes them too. One database rather than one per room: idb-keyval opens one object
 * store per database, a connection per room would stay open for the page's life, and
 * deleteDatabase blocks while any tab holds a connection, so wiping would depend on other tabs.
 */
import { createStore, type UseStore } from 'idb-keyval';

export const DATABASE_NAME = 'parley';
export const STORE_NAME = 'kv';

let defaultStore: UseStore | undefined;

/** The shared store handle; the connection opens on first use. */
export function getParleyStore(): UseStore {
  defaultStore ??= createStore(DATABASE_NAME, STORE_NAME);
  return defaultStore;
}

/** Every row of one room: updates, identity and anything added later under ['room', roomId]. */
export function roomRange(roomId: string): IDBKeyRange {
  // An array sorts after every string and number, so [] bounds all longer keys with this prefix.
  return IDBKeyRange.bound(['room', roomId], ['room', roomId, []]);
}

/** Update rows with a numeric sequence, in sequence order. */
export function updateRange(roomId: string): IDBKeyRange {
  return IDBKeyRange.bound(['room', roomId, 'u', -Infinity], ['room', roomId, 'u', Infinity]);
}

export const updateKey = (roomId: string, seq: number): IDBValidKey => ['room', roomId, 'u', seq];
export const identityKey = (roomId: string): IDBValidKey => ['room', roomId, 'identity'];
export const tailKey = (roomId: string): IDBValidKey => ['room', roomId, 'tail'];
export const adminKey = (roomId: string): IDBValidKey => ['room', roomId, 'admin'];
export const blockedKey = (roomId: string): IDBValidKey => ['room', roomId, 'blocked'];
export const recentKey = (roomId: string): IDBValidKey => ['recent', roomId];
export const filePieceKey = (roomId: string, fileId: string, index: number): IDBValidKey => ['room', roomId, 'f', fileId, index];
export const fileIndexKey = (roomId: string, fileId: string): IDBValidKey => ['room', roomId, 'fi', fileId];

/** The piece rows of one file, or of every file in the room when fileId is omitted. */
export function filePiecesRange(roomId: string, fileId?: string): IDBKeyRange {
  const prefix = fileId === undefined ? ['room', roomId, 'f'] : ['room', roomId, 'f', fileId];
  return IDBKeyRange.bound(prefix, [...prefix, []]);
}

/** Every file index row of a room ('fi' sorts after 'f', so the two ranges never overlap). */
export function fileIndexRange(roomId: string): IDBKeyRange {
  return IDBKeyRange.bound(['room', roomId, 'fi'], ['room', roomId, 'fi', []]);
}
export const DEVICE_KEY: IDBValidKey = ['device'];
export const PROFILE_KEY: IDBValidKey = ['profile'];

/** All recent-rooms entries. */
export function recentRange(): IDBKeyRange {
  return IDBKeyRange.bound(['recent'], ['recent', []]);
}

/** The sequence number of an update row's key, or null for any other key. */
export function sequenceOf(key: IDBValidKey | undefined): number | null {
  if (!Array.isArray(key)) return null;
  const seq: unknown = key[3];
  return typeof seq === 'number' && Number.isSafeInteger(seq) ? seq : null;
}

/** The roomId of a recent-rooms key, or null for any other key. */
export function roomIdOfRecentKey(key: IDBValidKey): string | null {
  if (!Array.isArray(key) || key.length !== 2 || key[0] !== 'recent') return null;
  const roomId: unknown = key[1];
  return typeof roomId === 'string' ? roomId : null;
}

/** Resolves when the transaction commits, rejects when it aborts. */
export function whenCommitted(transaction: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onabort = transaction.onerror = () => reject(transaction.error ?? new Error('transaction aborted'));
  });
}
