/** Shared set-up for persistence tests: a fresh database per test, seeded room secrets, Yjs helpers. */
import 'fake-indexeddb/auto';
import { createStore, entries, type UseStore } from 'idb-keyval';
import * as Y from 'yjs';
import { deriveRoomKeys, ROOM_SECRET_BYTES, type RoomKeys } from '../../src/crypto/keys.js';
import type { DropReason } from '../../src/core/types.js';
import { createRandom } from '../helpers/random.js';

let databases = 0;
const databaseNames = new WeakMap<UseStore, string>();

/** A store in a database no other test uses. */
export function freshStore(): UseStore {
  const name = `parley-test-${++databases}`;
  const store = createStore(name, 'kv');
  databaseNames.set(store, name);
  return store;
}

/** A second connection to the same database, as another tab of the app would have. */
export function anotherConnection(store: UseStore): UseStore {
  const name = databaseNames.get(store);
  if (name === undefined) throw new Error('not a store from freshStore');
  return createStore(name, 'kv');
}

/** A room secret and its keys, the same for the same seed. */
export function roomFor(seed: number): { secret: Uint8Array; keys: RoomKeys } {
  const random = createRandom(seed);
  const secret = new Uint8Array(ROOM_SECRET_BYTES).map(() => random.int(256));
  return { secret, keys: deriveRoomKeys(secret) };
}

/** Collects drop reasons as onDrop would count them. */
export function dropRecorder(): { drops: DropReason[]; onDrop: (reason: DropReason) => void } {
  const drops: DropReason[] = [];
  return { drops, onDrop: (reason) => void drops.push(reason) };
}

/** A doc whose every update is also passed to `sink`. */
export function recordingDoc(sink: (update: Uint8Array) => void, clientID?: number): Y.Doc {
  const doc = new Y.Doc();
  if (clientID !== undefined) doc.clientID = clientID;
  doc.on('update', (update: Uint8Array) => sink(update));
  return doc;
}

/** Writes one chat-shaped message into the doc's messages map. */
export function writeMessage(doc: Y.Doc, id: string, text: string): void {
  doc.getMap('messages').set(id, { v: 1, id, author: 'author', nick: 'nick', hlc: '1', text, sig: 'sig' });
}

/** The texts of a doc's messages, sorted, for comparing docs. */
export function textsOf(doc: Y.Doc): string[] {
  return [...doc.getMap('messages').values()].map((entry) => (entry as { text: string }).text).sort();
}

/** A fresh doc with `state` applied (empty when null). */
export function docFrom(state: Uint8Array | null): Y.Doc {
  const doc = new Y.Doc();
  if (state !== null) Y.applyUpdate(doc, state);
  return doc;
}

/** Every raw key and value in the store. */
export function rawRows(store: UseStore): Promise<[IDBValidKey, unknown][]> {
  return entries<IDBValidKey, unknown>(store);
}

/** The keys of a room's update rows. */
export async function updateRowKeys(store: UseStore, roomId: string): Promise<IDBValidKey[]> {
  return (await rawRows(store)).map(([key]) => key).filter((key) => Array.isArray(key) && key[0] === 'room' && key[1] === roomId && key[2] === 'u');
}

/** Rows whose key belongs to a room (updates, identity, anything else). */
export async function roomRowKeys(store: UseStore, roomId: string): Promise<IDBValidKey[]> {
  return (await rawRows(store)).map(([key]) => key).filter((key) => Array.isArray(key) && key.includes(roomId));
}

/** True if `needle` occurs anywhere in `haystack`. */
export function containsBytes(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}
