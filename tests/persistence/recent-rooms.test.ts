import 'fake-indexeddb/auto';
import { get, set } from 'idb-keyval';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createIdentity } from '../../src/crypto/identity.js';
import { deriveRoomKeys } from '../../src/crypto/keys.js';
import { loadOrCreateDeviceKey } from '../../src/persistence/device-key.js';
import { createRecentRooms, forgetRoomEverywhere, MAX_PREVIEW_CHARS } from '../../src/persistence/recent-rooms.js';
import { openRoomStore } from '../../src/persistence/room-store.js';
import type { RecentRoom } from '../../src/persistence/types.js';
import { anotherConnection, dropRecorder, freshStore, roomFor, roomRowKeys, writeMessage } from './fixtures.js';

const alpha = roomFor(11);
const beta = roomFor(12);
const gamma = roomFor(13);

const entry = (room: ReturnType<typeof roomFor>, lastOpened: number, extra: Partial<RecentRoom> = {}): RecentRoom => ({
  secret: room.secret,
  roomId: room.keys.roomId,
  lastOpened,
  ...extra,
});

describe('recent rooms', () => {
  it('round-trips entries, most recently opened first', async () => {
    const store = freshStore();
    const recent = createRecentRooms({ store });
    await recent.rememberRoom(entry(alpha, 1000, { label: 'Book club', lastMessagePreview: 'see you 🌙' }));
    await recent.rememberRoom(entry(beta, 3000));
    await recent.rememberRoom(entry(gamma, 2000, { label: 'Gamma' }));

    // A new instance (a reload) reads them back with the stored device key.
    const rooms = await createRecentRooms({ store: anotherConnection(store) }).listRecentRooms();
    expect(rooms.map((room) => room.roomId)).toEqual([beta.keys.roomId, gamma.keys.roomId, alpha.keys.roomId]);
    expect(rooms[2]).toEqual(entry(alpha, 1000, { label: 'Book club', lastMessagePreview: 'see you 🌙' }));
    expect(rooms[0]).toEqual(entry(beta, 3000));
  });

  it('keeps the admin key of a room that has one, and refuses a roomId of the room without it', async () => {
    const store = freshStore();
    const recent = createRecentRooms({ store });
    const adminKey = new Uint8Array(32).fill(9);
    const roomId = deriveRoomKeys(alpha.secret, adminKey).roomId;
    await recent.rememberRoom({ secret: alpha.secret, adminKey, roomId, lastOpened: 7 });
    expect(await recent.listRecentRooms()).toEqual([{ secret: alpha.secret, adminKey, roomId, lastOpened: 7 }]);
    await expect(recent.rememberRoom({ secret: alpha.secret, adminKey, roomId: alpha.keys.roomId, lastOpened: 8 })).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('replaces the entry of a room remembered again', async () => {
    const recent = createRecentRooms({ store: freshStore() });
    await recent.rememberRoom(entry(alpha, 1000, { label: 'Old' }));
    await recent.rememberRoom(entry(alpha, 5000, { label: 'New' }));
    expect(await recent.listRecentRooms()).toEqual([entry(alpha, 5000, { label: 'New' })]);
  });

  it('shortens a long preview without splitting a character', async () => {
    const recent = createRecentRooms({ store: freshStore() });
    await recent.rememberRoom(entry(alpha, 1, { lastMessagePreview: `${'a'.repeat(MAX_PREVIEW_CHARS - 1)}😀 and more` }));
    const [room] = await recent.listRecentRooms();
    expect(room?.lastMessagePreview).toBe('a'.repeat(MAX_PREVIEW_CHARS - 1));
  });

  it('refuses an entry whose roomId does not belong to its secret', async () => {
    const recent = createRecentRooms({ store: freshStore() });
    await expect(recent.rememberRoom({ ...entry(alpha, 1), roomId: beta.keys.roomId })).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('drops entries sealed with another device key, or moved to another room, and counts them', async () => {
    const store = freshStore();
    await createRecentRooms({ store }).rememberRoom(entry(alpha, 1));
    await createRecentRooms({ store }).rememberRoom(entry(beta, 2));

    const otherDevice = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
    const stranger = dropRecorder();
    expect(await createRecentRooms({ store, onDrop: stranger.onDrop, loadDeviceKey: async () => otherDevice }).listRecentRooms()).toEqual([]);
    expect(stranger.drops).toEqual(['decrypt', 'decrypt']);

    // Copy beta's sealed entry over alpha's key: authenticated against the wrong roomId.
    await set(['recent', alpha.keys.roomId], await get(['recent', beta.keys.roomId], store), store);
    await set(['recent', gamma.keys.roomId], 'garbage', store);
    const owner = dropRecorder();
    const rooms = await createRecentRooms({ store, onDrop: owner.onDrop }).listRecentRooms();
    expect(rooms.map((room) => room.roomId)).toEqual([beta.keys.roomId]);
    expect(owner.drops.sort()).toEqual(['decrypt', 'shape']);
  });

  it('keeps one non-extractable device key, even when two tabs create it at once', async () => {
    const store = freshStore();
    const [first, second] = await Promise.all([loadOrCreateDeviceKey(store), loadOrCreateDeviceKey(anotherConnection(store))]);
    expect(first.extractable).toBe(false);
    await expect(crypto.subtle.exportKey('raw', first)).rejects.toThrow();
    const third = await loadOrCreateDeviceKey(store);
    // The same key: what one sealed, the others open.
    const recent = createRecentRooms({ store, loadDeviceKey: async () => first });
    await recent.rememberRoom(entry(alpha, 1));
    for (const key of [second, third]) {
      expect(await createRecentRooms({ store, loadDeviceKey: async () => key }).listRecentRooms()).toHaveLength(1);
    }
  });

  it('forgets a room everywhere: entry, updates and identity, leaving other rooms', async () => {
    const store = freshStore();
    const recent = createRecentRooms({ store });
    for (const room of [alpha, beta]) {
      await recent.rememberRoom(entry(room, 1));
      const roomStore = openRoomStore(room.keys, { store });
      const doc = new Y.Doc();
      doc.on('update', (update: Uint8Array) => void roomStore.appendUpdate(update));
      writeMessage(doc, 'm', 'hello');
      await roomStore.saveIdentity((await createIdentity()).secretKey);
    }
    await recent.forgetRoom(alpha.keys.roomId);

    expect(await roomRowKeys(store, alpha.keys.roomId)).toEqual([]);
    expect((await recent.listRecentRooms()).map((room) => room.roomId)).toEqual([beta.keys.roomId]);
    expect(await roomRowKeys(store, beta.keys.roomId)).toHaveLength(3); // update, identity, recent entry
    await forgetRoomEverywhere(beta.keys.roomId, store);
    expect(await roomRowKeys(store, beta.keys.roomId)).toEqual([]);
  });
});
