import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { toBase64Url, utf8 } from '../../src/crypto/encoding.js';
import { createIdentity } from '../../src/crypto/identity.js';
import { createRecentRooms } from '../../src/persistence/recent-rooms.js';
import { openRoomStore } from '../../src/persistence/room-store.js';
import { containsBytes, freshStore, rawRows, recordingDoc, roomFor, writeMessage } from './fixtures.js';

const MESSAGE = 'meet at the old lighthouse at 23:40 🌊';
const LABEL = 'Lighthouse keepers';
const PREVIEW = 'bring the brass key';

describe('nothing readable at rest', () => {
  it('stores no message text, label, preview, secret or key in any key or value', async () => {
    const store = freshStore();
    const room = roomFor(21);
    const identity = await createIdentity();
    const roomStore = openRoomStore(room.keys, { store, compactAfter: 3 });
    const writes: Promise<void>[] = [];
    const doc = recordingDoc((update) => writes.push(roomStore.appendUpdate(update)));
    for (let i = 0; i < 5; i++) {
      writeMessage(doc, `m${i}`, `${MESSAGE} #${i}`);
      await Promise.all(writes); // one row per message, so compaction runs too
    }
    await roomStore.compact();
    await roomStore.saveIdentity(identity.secretKey);
    await roomStore.saveTail(utf8(JSON.stringify([['m4', `${MESSAGE} #4`]])));
    await createRecentRooms({ store }).rememberRoom({ secret: room.secret, roomId: room.keys.roomId, label: LABEL, lastOpened: 1, lastMessagePreview: PREVIEW });

    const secrets: Record<string, Uint8Array> = {
      message: utf8(MESSAGE),
      messageTail: utf8('lighthouse at 23:40'),
      label: utf8(LABEL),
      preview: utf8(PREVIEW),
      roomSecret: room.secret,
      roomSecretText: utf8(toBase64Url(room.secret)),
      storeKey: room.keys.storeKey,
      identitySeed: identity.secretKey.subarray(0, 32),
    };
    const rows = await rawRows(store);
    expect(rows.length).toBeGreaterThanOrEqual(5); // updates, identity, tail, recent entry, device key
    let sealedBytes = 0;
    for (const [key, value] of rows) {
      // Keys: fixed words, the opaque roomId and sequence numbers only.
      for (const part of key as unknown[]) {
        expect(['room', 'recent', 'device', 'u', 'identity', 'tail', room.keys.roomId].includes(part as string) || typeof part === 'number').toBe(true);
      }
      if (value instanceof CryptoKey) {
        expect(value.extractable).toBe(false);
        continue;
      }
      expect(value).toBeInstanceOf(Uint8Array);
      sealedBytes += (value as Uint8Array).length;
      for (const [name, bytes] of Object.entries(secrets)) {
        expect(containsBytes(value as Uint8Array, bytes), `${name} found in ${JSON.stringify(key)}`).toBe(false);
      }
    }
    expect(sealedBytes).toBeGreaterThan(0);
  });
});
