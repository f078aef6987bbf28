/**
 * What a page has stored for a room, opened the way Parley opens it: the page's raw IndexedDB
 * rows for the room are copied into an in-memory IndexedDB in this process and read through
 * our own room store, with the store key derived from the page's invite link. Tests use it to
 * check what is (and is not) on a member's disk.
 */
import 'fake-indexeddb/auto';
import { createStore, set } from 'idb-keyval';
import * as Y from 'yjs';
import type { Page } from 'playwright-core';
import { parseInviteFragment } from '../../src/core/invite-link.js';
import { deriveRoomKeys } from '../../src/crypto/keys.js';
import { openRoomStore } from '../../src/persistence/room-store.js';

let copies = 0;

/** Every row of one room in the page's `parley` database, values as plain number arrays. */
function readRoomRows(roomId: string): Promise<Array<[IDBValidKey, number[] | null]>> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open('parley');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const objects = db.transaction('kv', 'readonly').objectStore('kv');
      const range = IDBKeyRange.bound(['room', roomId], ['room', roomId, []]);
      const keys = objects.getAllKeys(range);
      const values = objects.getAll(range);
      values.onsuccess = () => {
        db.close();
        resolve(keys.result.map((key, i) => {
          const value: unknown = values.result[i];
          return [key, value instanceof Uint8Array ? Array.from(value) : null];
        }));
      };
      values.onerror = () => reject(values.error);
    };
  });
}

/** The room's raw stored bytes on the page (every row, sealed as it is on disk). */
export async function storedRowBytes(page: Page): Promise<Uint8Array[]> {
  const link = parseInviteFragment(new URL(page.url()).hash);
  if (link === null) throw new Error('the page is not in a room');
  const { roomId } = deriveRoomKeys(link.secret, link.adminKey);
  const rows = await page.evaluate(readRoomRows, roomId);
  return rows.flatMap(([, bytes]) => (bytes === null ? [] : [Uint8Array.from(bytes)]));
}

/** The room's document as the page has it stored (opened with the room's store key). */
export async function storedDocument(page: Page): Promise<Y.Doc> {
  const link = parseInviteFragment(new URL(page.url()).hash);
  if (link === null) throw new Error('the page is not in a room');
  const keys = deriveRoomKeys(link.secret, link.adminKey);
  const rows = await page.evaluate(readRoomRows, keys.roomId);
  const store = createStore(`stored-doc-${++copies}`, 'kv');
  for (const [key, bytes] of rows) if (bytes !== null) await set(key, Uint8Array.from(bytes), store);
  const roomStore = openRoomStore(keys, { store });
  const doc = new Y.Doc();
  for (const update of await roomStore.loadUpdates()) Y.applyUpdate(doc, update);
  await roomStore.close();
  return doc;
}
