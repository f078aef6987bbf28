import 'fake-indexeddb/auto';
import { set, get } from 'idb-keyval';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { sealAesGcm } from '../../src/crypto/aes-gcm.js';
import { createIdentity } from '../../src/crypto/identity.js';
import { PersistenceError } from '../../src/persistence/errors.js';
import { openRoomStore, wipeRoom } from '../../src/persistence/room-store.js';
import { ROW_IDENTITY, ROW_UPDATE, sealRow } from '../../src/persistence/sealed-rows.js';
import { anotherConnection, docFrom, dropRecorder, freshStore, recordingDoc, roomFor, roomRowKeys, textsOf, updateRowKeys, writeMessage } from './fixtures.js';

const { keys } = roomFor(1);
const other = roomFor(2).keys;

describe('room store: append and load', () => {
  it('reloads every update, so a fresh doc converges with the writers', async () => {
    const store = freshStore();
    // Two writers on one room, as two tabs would be: separate handles, interleaved appends.
    const tabA = openRoomStore(keys, { store });
    const tabB = openRoomStore(keys, { store: anotherConnection(store) });
    const writes: Promise<void>[] = [];
    const docA = recordingDoc((update) => writes.push(tabA.appendUpdate(update)));
    const docB = recordingDoc((update) => writes.push(tabB.appendUpdate(update)));
    for (let i = 0; i < 20; i++) {
      writeMessage(i % 2 === 0 ? docA : docB, `m${i}`, `message ${i}`);
      await Promise.resolve();
    }
    await Promise.all(writes);
    Y.applyUpdate(docA, Y.encodeStateAsUpdate(docB));

    const reloaded = docFrom(await openRoomStore(keys, { store }).loadState());
    expect(textsOf(reloaded)).toEqual(textsOf(docA));
    expect(Y.encodeStateVector(reloaded)).toEqual(Y.encodeStateVector(docA));
  });

  it('returns null for a room with no rows', async () => {
    expect(await openRoomStore(keys, { store: freshStore() }).loadState()).toBeNull();
  });

  it('writes updates of one tick as one row and loses none of them', async () => {
    const store = freshStore();
    const room = openRoomStore(keys, { store });
    const writes: Promise<void>[] = [];
    const doc = recordingDoc((update) => writes.push(room.appendUpdate(update)));
    for (let i = 0; i < 10; i++) writeMessage(doc, `m${i}`, `burst ${i}`);
    await Promise.all(writes);
    expect(await updateRowKeys(store, keys.roomId)).toHaveLength(1);
    expect(textsOf(docFrom(await room.loadState()))).toEqual(textsOf(doc));
  });

  it('sees appends still pending in this tick', async () => {
    const room = openRoomStore(keys, { store: freshStore() });
    const doc = recordingDoc((update) => void room.appendUpdate(update));
    writeMessage(doc, 'm', 'not yet flushed');
    expect(textsOf(docFrom(await room.loadState()))).toEqual(['not yet flushed']);
  });
});

describe('room store: compaction', () => {
  it('merges rows into one past compactAfter and keeps the same state', async () => {
    const store = freshStore();
    const room = openRoomStore(keys, { store, compactAfter: 10 });
    const doc = recordingDoc(() => {});
    for (let i = 0; i < 25; i++) {
      const update = captureUpdate(doc, () => writeMessage(doc, `m${i}`, `message ${i}`));
      await room.appendUpdate(update);
    }
    await room.compact();
    await room.compact(); // the automatic one may have run before the last appends
    expect(await updateRowKeys(store, keys.roomId)).toHaveLength(1);
    expect(textsOf(docFrom(await room.loadState()))).toEqual(textsOf(doc));
  });

  it('keeps updates appended while compaction runs', async () => {
    const store = freshStore();
    const room = openRoomStore(keys, { store, compactAfter: 1000 });
    const doc = recordingDoc(() => {});
    for (let i = 0; i < 20; i++) await room.appendUpdate(captureUpdate(doc, () => writeMessage(doc, `m${i}`, `before ${i}`)));

    const compacting = room.compact();
    // Queued behind compaction's read and ahead of its write: the case that must not lose data.
    const during = [0, 1, 2].map((i) => room.appendUpdate(captureUpdate(doc, () => writeMessage(doc, `d${i}`, `during ${i}`))));
    await Promise.all([compacting, ...during]);

    expect(await updateRowKeys(store, keys.roomId)).toHaveLength(2); // the merged row and the concurrent one
    expect(textsOf(docFrom(await room.loadState()))).toEqual(textsOf(doc));
  });

  it('loses nothing when two tabs compact and append at once', async () => {
    const store = freshStore();
    const tabA = openRoomStore(keys, { store, compactAfter: 1000 });
    const tabB = openRoomStore(keys, { store: anotherConnection(store), compactAfter: 1000 });
    const doc = recordingDoc(() => {});
    for (let i = 0; i < 30; i++) await tabA.appendUpdate(captureUpdate(doc, () => writeMessage(doc, `m${i}`, `before ${i}`)));
    const work: Promise<void>[] = [tabA.compact(), tabB.compact()];
    for (let i = 0; i < 6; i++) {
      const tab = i % 2 === 0 ? tabA : tabB;
      work.push(tab.appendUpdate(captureUpdate(doc, () => writeMessage(doc, `d${i}`, `during ${i}`))));
      await Promise.resolve();
    }
    await Promise.all(work);
    expect(textsOf(docFrom(await tabA.loadState()))).toEqual(textsOf(doc));
    await tabA.compact();
    expect(await updateRowKeys(store, keys.roomId)).toHaveLength(1);
    expect(textsOf(docFrom(await tabB.loadState()))).toEqual(textsOf(doc));
  });

  it('keeps rows it cannot open rather than deleting them', async () => {
    const store = freshStore();
    const { drops, onDrop } = dropRecorder();
    const room = openRoomStore(keys, { store, onDrop });
    const doc = recordingDoc(() => {});
    for (let i = 0; i < 3; i++) await room.appendUpdate(captureUpdate(doc, () => writeMessage(doc, `m${i}`, `message ${i}`)));
    await set(['room', keys.roomId, 'u', 3], await sealRow(other.storeKey, ROW_UPDATE, captureUpdate(doc, () => writeMessage(doc, 'x', 'x'))), store);
    await room.compact();
    expect(await updateRowKeys(store, keys.roomId)).toHaveLength(2);
    expect(drops).toEqual([]);
    await room.loadState();
    expect(drops).toEqual(['decrypt']);
  });
});

describe('room store: untrusted rows', () => {
  /** Three updates from three clients, so losing one leaves the others applicable. */
  async function roomWithThreeWriters(): Promise<{ store: ReturnType<typeof freshStore>; rowKeys: IDBValidKey[] }> {
    const store = freshStore();
    const room = openRoomStore(keys, { store });
    for (let i = 0; i < 3; i++) {
      const doc = new Y.Doc();
      await room.appendUpdate(captureUpdate(doc, () => writeMessage(doc, `m${i}`, `writer ${i}`)));
    }
    return { store, rowKeys: await updateRowKeys(store, keys.roomId) };
  }

  it('drops and reports a tampered row and loads the rest', async () => {
    const { store, rowKeys } = await roomWithThreeWriters();
    const target = rowKeys[1] as IDBValidKey;
    const sealed = (await get<Uint8Array>(target, store)) as Uint8Array;
    sealed[sealed.length - 1] = (sealed[sealed.length - 1] as number) ^ 1;
    await set(target, sealed, store);
    const { drops, onDrop } = dropRecorder();
    const state = await openRoomStore(keys, { store, onDrop }).loadState();
    expect(drops).toEqual(['decrypt']);
    expect(textsOf(docFrom(state))).toEqual(['writer 0', 'writer 2']);
  });

  it("drops a row sealed with another room's key", async () => {
    const { store, rowKeys } = await roomWithThreeWriters();
    const foreign = new Y.Doc();
    await set(rowKeys[2] as IDBValidKey, await sealRow(other.storeKey, ROW_UPDATE, captureUpdate(foreign, () => writeMessage(foreign, 'f', 'foreign'))), store);
    const { drops, onDrop } = dropRecorder();
    const state = await openRoomStore(keys, { store, onDrop }).loadState();
    expect(drops).toEqual(['decrypt']);
    expect(textsOf(docFrom(state))).toEqual(['writer 0', 'writer 1']);
  });

  it('drops rows of the wrong shape, kind or Yjs encoding', async () => {
    const { store } = await roomWithThreeWriters();
    await set(['room', keys.roomId, 'u', 10], 'not bytes', store);
    await set(['room', keys.roomId, 'u', 11], await sealRow(keys.storeKey, ROW_IDENTITY, new Uint8Array(64)), store);
    await set(['room', keys.roomId, 'u', 12], await sealRow(keys.storeKey, ROW_UPDATE, new Uint8Array([9, 9, 9, 9])), store);
    await set(['room', keys.roomId, 'u', 13], await sealAesGcm(keys.storeKey, new Uint8Array([1])), store);
    const { drops, onDrop } = dropRecorder();
    const state = await openRoomStore(keys, { store, onDrop }).loadState();
    expect(drops.sort()).toEqual(['decode', 'shape', 'unknown_type', 'unknown_type']);
    expect(textsOf(docFrom(state))).toEqual(['writer 0', 'writer 1', 'writer 2']);
  });

  it('drops a lone row Yjs cannot parse', async () => {
    const store = freshStore();
    await set(['room', keys.roomId, 'u', 0], await sealRow(keys.storeKey, ROW_UPDATE, new Uint8Array([1, 2, 3, 4, 5])), store);
    const { drops, onDrop } = dropRecorder();
    expect(await openRoomStore(keys, { store, onDrop }).loadState()).toBeNull();
    expect(drops).toEqual(['decode']);
  });
});

describe('room store: identity', () => {
  it('round-trips the secret key', async () => {
    const store = freshStore();
    const identity = await createIdentity();
    await openRoomStore(keys, { store }).saveIdentity(identity.secretKey);
    expect((await openRoomStore(keys, { store }).loadIdentity())?.secretKey).toEqual(identity.secretKey);
    expect(await openRoomStore(other, { store }).loadIdentity()).toBeNull();
  });

  it("drops an identity it cannot open or that is not a key, and refuses to store one that isn't", async () => {
    const store = freshStore();
    const { drops, onDrop } = dropRecorder();
    const room = openRoomStore(keys, { store, onDrop });
    await set(['room', keys.roomId, 'identity'], await sealRow(other.storeKey, ROW_IDENTITY, (await createIdentity()).secretKey), store);
    expect(await room.loadIdentity()).toBeNull();
    await set(['room', keys.roomId, 'identity'], await sealRow(keys.storeKey, ROW_IDENTITY, new Uint8Array(64).fill(7)), store);
    expect(await room.loadIdentity()).toBeNull();
    expect(drops).toEqual(['decrypt', 'shape']);
    await expect(room.saveIdentity(new Uint8Array(32))).rejects.toMatchObject({ code: 'invalid_input' });
  });
});

describe('room store: admin seed', () => {
  it('round-trips the seed, refuses another length, and keeps it per room', async () => {
    const store = freshStore();
    const seed = new Uint8Array(32).fill(5);
    await openRoomStore(keys, { store }).saveAdminSeed(seed);
    expect(await openRoomStore(keys, { store }).loadAdminSeed()).toEqual(seed);
    expect(await openRoomStore(other, { store }).loadAdminSeed()).toBeNull();
    await expect(openRoomStore(keys, { store }).saveAdminSeed(new Uint8Array(64))).rejects.toMatchObject({ code: 'invalid_input' });
  });
});

describe('room store: wipe', () => {
  it("deletes every row of the room and nothing of other rooms'", async () => {
    const store = freshStore();
    const room = openRoomStore(keys, { store });
    const neighbour = openRoomStore(other, { store });
    const doc = new Y.Doc();
    for (const target of [room, neighbour]) {
      await target.appendUpdate(captureUpdate(doc, () => writeMessage(doc, `m${Math.random()}`, 'hello')));
      await target.saveIdentity((await createIdentity()).secretKey);
    }
    // Appends still pending when wipe starts are committed first, then deleted with the rest.
    const late = room.appendUpdate(captureUpdate(doc, () => writeMessage(doc, 'late', 'late')));
    await room.wipe();
    await late;
    expect(await updateRowKeys(store, keys.roomId)).toEqual([]);
    expect(await openRoomStore(keys, { store }).loadIdentity()).toBeNull();
    expect(await openRoomStore(keys, { store }).loadState()).toBeNull();
    expect(await updateRowKeys(store, other.roomId)).toHaveLength(1);
    expect(await neighbour.loadIdentity()).not.toBeNull();
    await expect(room.appendUpdate(new Uint8Array([0, 0]))).rejects.toBeInstanceOf(PersistenceError);
  });

  it('leaves nothing behind when a room is closed with writes in flight and wiped at once (Leave and forget room)', async () => {
    const store = freshStore();
    const room = openRoomStore(keys, { store });
    const doc = new Y.Doc();
    await room.appendUpdate(captureUpdate(doc, () => writeMessage(doc, 'm1', 'hello')));
    // What a closing room does: its last tail and update go out, then it closes without waiting.
    const tail = room.saveTail(new Uint8Array([1, 2, 3]));
    const late = room.appendUpdate(captureUpdate(doc, () => writeMessage(doc, 'm2', 'bye')));
    void room.close();
    await wipeRoom(keys.roomId, store);
    await Promise.all([tail, late]);
    expect(await roomRowKeys(store, keys.roomId)).toEqual([]);
    expect(await openRoomStore(keys, { store }).loadTail()).toBeNull();
  });
});

/** The update one change to `doc` produces. */
function captureUpdate(doc: Y.Doc, change: () => void): Uint8Array {
  let captured: Uint8Array | undefined;
  const listener = (update: Uint8Array): void => {
    captured = captured === undefined ? update : Y.mergeUpdates([captured, update]);
  };
  doc.on('update', listener);
  change();
  doc.off('update', listener);
  if (captured === undefined) throw new Error('change produced no update');
  return captured;
}
