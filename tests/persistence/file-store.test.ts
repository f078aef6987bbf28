import 'fake-indexeddb/auto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { get, set, type UseStore } from 'idb-keyval';
import { afterAll, describe, expect, it } from 'vitest';
import { fileIndexKey, filePieceKey } from '../../src/persistence/database.js';
import { PersistenceError } from '../../src/persistence/errors.js';
import { countPieces, createMemoryPieceStore, hasPiece, MAX_STORED_PIECE_BYTES, openFilePieceStore, setPiece, StorageBudgetError, type FilePieceStore } from '../../src/persistence/file-store.js';
import { openRoomStore, wipeRoom } from '../../src/persistence/room-store.js';
import { createFsPieceStore } from '../helpers/fs-piece-store.js';
import { createRandom } from '../helpers/random.js';
import { anotherConnection, containsBytes, dropRecorder, freshStore, rawRows, roomFor, roomRowKeys } from './fixtures.js';

const { keys } = roomFor(1);
const other = roomFor(2).keys;
const random = createRandom(7);
const bytesOf = (length: number): Uint8Array => new Uint8Array(length).map(() => random.int(256));
const withBudget = (budget: number | undefined): { budget?: number } => (budget === undefined ? {} : { budget });

interface Opened {
  readonly store: FilePieceStore;
  /** A new instance over the same rows, as after a reload; absent for the memory store. */
  readonly reopen?: () => FilePieceStore;
}

const temporaryDirs: string[] = [];
afterAll(() => {
  for (const dir of temporaryDirs) rmSync(dir, { recursive: true, force: true });
});

const backends: { name: string; open(budget?: number): Opened }[] = [
  {
    name: 'IndexedDB',
    open(budget) {
      const database = freshStore();
      const open = (store: UseStore): FilePieceStore => openFilePieceStore(keys, { store, ...withBudget(budget) });
      return { store: open(database), reopen: () => open(anotherConnection(database)) };
    },
  },
  { name: 'memory', open: (budget) => ({ store: createMemoryPieceStore(withBudget(budget)) }) },
  {
    name: 'file system',
    open(budget) {
      const dir = mkdtempSync(join(tmpdir(), 'parley-pieces-'));
      temporaryDirs.push(dir);
      return { store: createFsPieceStore(dir, withBudget(budget)), reopen: () => createFsPieceStore(dir, withBudget(budget)) };
    },
  },
];

describe.each(backends)('file pieces ($name)', ({ open }) => {
  it('gives back the pieces it stored, and null for others', async () => {
    const { store } = open();
    const pieces = [bytesOf(1000), bytesOf(1000), bytesOf(17)];
    for (const [i, piece] of pieces.entries()) await store.putPiece('fileA', i, piece);
    for (const [i, piece] of pieces.entries()) expect(await store.getPiece('fileA', i)).toEqual(piece);
    expect(await store.getPiece('fileA', 3)).toBeNull();
    expect(await store.getPiece('fileB', 0)).toBeNull();
    expect(await store.usage()).toBe(2017);
  });

  it('keeps its own copy of a piece', async () => {
    const { store } = open();
    const piece = bytesOf(100);
    const kept = piece.slice();
    const writing = store.putPiece('fileA', 0, piece);
    piece.fill(0); // a caller reusing its buffer while the write is under way
    await writing;
    (await store.getPiece('fileA', 0))?.fill(1);
    expect(await store.getPiece('fileA', 0)).toEqual(kept);
  });

  it('reports stored pieces as a bitfield, also after a reload', async () => {
    const opened = open();
    expect(await opened.store.have('fileA', 10)).toEqual(new Uint8Array(2));
    for (const i of [0, 2, 9]) await opened.store.putPiece('fileA', i, bytesOf(10));
    await opened.store.putPiece('fileB', 1, bytesOf(10));
    const expected = new Uint8Array([0b1010_0000, 0b0100_0000]);
    expect(await opened.store.have('fileA', 10)).toEqual(expected);
    // Pieces at or past total are left out.
    expect(await opened.store.have('fileA', 3)).toEqual(new Uint8Array([0b1010_0000]));
    expect(await opened.store.have('fileA', 9)).toEqual(new Uint8Array([0b1010_0000, 0]));
    if (opened.reopen) expect(await opened.reopen().have('fileA', 10)).toEqual(expected);
  });

  it('stores the index, which counts towards no budget', async () => {
    const opened = open(100);
    const index = bytesOf(64);
    expect(await opened.store.getIndex('fileA')).toBeNull();
    await opened.store.putIndex('fileA', index);
    expect(await opened.store.getIndex('fileA')).toEqual(index);
    expect(await opened.store.files()).toEqual([{ fileId: 'fileA', bytes: 0, pieces: 0, total: 2 }]);
    if (opened.reopen) {
      const reloaded = opened.reopen();
      expect(await reloaded.getIndex('fileA')).toEqual(index);
      expect(await reloaded.usage()).toBe(0);
    }
  });

  it('refuses a piece over the budget and stores nothing of it', async () => {
    const opened = open(3000);
    for (let i = 0; i < 3; i++) await opened.store.putPiece('fileA', i, bytesOf(1000));
    await expect(opened.store.putPiece('fileA', 3, bytesOf(1))).rejects.toBeInstanceOf(StorageBudgetError);
    await expect(opened.store.putPiece('fileB', 0, bytesOf(1000))).rejects.toBeInstanceOf(StorageBudgetError);
    await opened.store.putPiece('fileA', 1, bytesOf(1000)); // already stored: nothing to do, so no refusal
    expect(await opened.store.usage()).toBe(3000);
    expect(await opened.store.getPiece('fileA', 3)).toBeNull();
    expect(await opened.store.have('fileB', 1)).toEqual(new Uint8Array(1));
    if (opened.reopen) expect(await opened.reopen().usage()).toBe(3000);
    opened.store.setBudget(4000);
    await opened.store.putPiece('fileA', 3, bytesOf(1000));
    expect(await opened.store.usage()).toBe(4000);
  });

  it('never goes over the budget with many pieces arriving at once', async () => {
    const { store } = open(5500);
    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => store.putPiece('fileA', i, bytesOf(1000))));
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(5);
    expect(await store.usage()).toBe(5000);
    expect(countPieces(await store.have('fileA', 12), 12)).toBe(5);
  });

  it('deletes a file: its pieces, its index and its share of the usage', async () => {
    const opened = open();
    for (let i = 0; i < 4; i++) await opened.store.putPiece('fileA', i, bytesOf(500));
    await opened.store.putIndex('fileA', bytesOf(128));
    await opened.store.putPiece('fileB', 0, bytesOf(300));
    expect(await opened.store.usage()).toBe(2300);
    await opened.store.deleteFile('fileA');
    expect(await opened.store.usage()).toBe(300);
    expect(await opened.store.getPiece('fileA', 0)).toBeNull();
    expect(await opened.store.getIndex('fileA')).toBeNull();
    expect(await opened.store.have('fileA', 4)).toEqual(new Uint8Array(1));
    expect(await opened.store.files()).toEqual([{ fileId: 'fileB', bytes: 300, pieces: 1, total: null }]);
    expect(await opened.store.getPiece('fileB', 0)).not.toBeNull();
    if (opened.reopen) expect(await opened.reopen().usage()).toBe(300);
  });

  it('lists stored files with their sizes', async () => {
    const opened = open();
    await opened.store.putIndex('fileB', bytesOf(32 * 5));
    await opened.store.putPiece('fileB', 4, bytesOf(70));
    await opened.store.putPiece('fileB', 0, bytesOf(1000));
    await opened.store.putPiece('fileA', 0, bytesOf(10));
    await opened.store.putIndex('fileC', bytesOf(32));
    const expected = [
      { fileId: 'fileA', bytes: 10, pieces: 1, total: null },
      { fileId: 'fileB', bytes: 1070, pieces: 2, total: 5 },
      { fileId: 'fileC', bytes: 0, pieces: 0, total: 1 },
    ];
    expect(await opened.store.files()).toEqual(expected);
    if (opened.reopen) expect(await opened.reopen().files()).toEqual(expected);
  });

  it('refuses malformed input and works no more once closed', async () => {
    const { store } = open();
    const invalid = { name: 'PersistenceError', code: 'invalid_input' };
    await expect(store.putPiece('fileA', 0, new Uint8Array(MAX_STORED_PIECE_BYTES + 1))).rejects.toMatchObject(invalid);
    await expect(store.putPiece('fileA', 0, new Uint8Array(0))).rejects.toMatchObject(invalid);
    await expect(store.putPiece('../x', 0, bytesOf(1))).rejects.toMatchObject(invalid);
    await expect(store.putPiece('fileA', -1, bytesOf(1))).rejects.toMatchObject(invalid);
    await expect(store.putPiece('fileA', 0.5, bytesOf(1))).rejects.toMatchObject(invalid);
    await expect(store.putIndex('fileA', bytesOf(33))).rejects.toMatchObject(invalid);
    expect(() => store.setBudget(-1)).toThrow(PersistenceError);
    await store.putPiece('fileA', 0, new Uint8Array(MAX_STORED_PIECE_BYTES));
    expect(await store.usage()).toBe(MAX_STORED_PIECE_BYTES);
    store.close();
    await expect(store.putPiece('fileA', 1, bytesOf(1))).rejects.toMatchObject({ code: 'closed' });
    await expect(store.getPiece('fileA', 0)).rejects.toMatchObject({ code: 'closed' });
  });
});

describe('file pieces in IndexedDB: rows', () => {
  it('seals each piece and index in its own row under the room', async () => {
    const store = freshStore();
    const files = openFilePieceStore(keys, { store });
    const piece = bytesOf(4000);
    const index = bytesOf(64);
    await files.putPiece('fileA', 3, piece);
    await files.putIndex('fileA', index);
    const rows = await rawRows(store);
    expect(rows.map(([key]) => key)).toEqual([filePieceKey(keys.roomId, 'fileA', 3), fileIndexKey(keys.roomId, 'fileA')]);
    expect(rows.map(([, value]) => value)).toEqual([expect.any(Uint8Array), expect.any(Uint8Array)]);
    expect(containsBytes(rows[0]?.[1] as Uint8Array, piece.subarray(0, 16))).toBe(false);
    expect(containsBytes(rows[1]?.[1] as Uint8Array, index.subarray(0, 16))).toBe(false);
  });

  it('does not open a row copied to another place, and forgets it so the piece is fetched again', async () => {
    const store = freshStore();
    const first = openFilePieceStore(keys, { store });
    const pieces = [bytesOf(1000), bytesOf(2000)];
    await first.putPiece('fileA', 0, pieces[0] as Uint8Array);
    await first.putPiece('fileA', 1, pieces[1] as Uint8Array);
    await first.putIndex('fileA', bytesOf(64));
    const row0 = await get<Uint8Array>(filePieceKey(keys.roomId, 'fileA', 0), store);
    await set(filePieceKey(keys.roomId, 'fileA', 1), row0, store); // another piece of the same file
    await set(filePieceKey(keys.roomId, 'fileB', 0), row0, store); // the same piece number of another file
    await set(fileIndexKey(keys.roomId, 'fileB'), await get(fileIndexKey(keys.roomId, 'fileA'), store), store);
    await set(filePieceKey(keys.roomId, 'fileC', 0), await get(fileIndexKey(keys.roomId, 'fileA'), store), store); // an index as a piece

    const { drops, onDrop } = dropRecorder();
    const files = openFilePieceStore(keys, { store, onDrop });
    expect(await files.usage()).toBe(1000 + 1000 + 1000 + 64); // counted from sizes alone, nothing opened yet: bad rows count until read
    expect(await files.getPiece('fileA', 0)).toEqual(pieces[0]);
    expect(await files.getPiece('fileA', 1)).toBeNull();
    expect(await files.getPiece('fileB', 0)).toBeNull();
    expect(await files.getIndex('fileB')).toBeNull();
    expect(await files.getPiece('fileC', 0)).toBeNull();
    expect(drops).toEqual(['decrypt', 'decrypt', 'decrypt', 'decrypt']);
    expect(await files.have('fileA', 2)).toEqual(new Uint8Array([0b1000_0000]));
    expect(await files.usage()).toBe(1000);
    expect(await openFilePieceStore(keys, { store }).usage()).toBe(1000); // the bad rows are gone, not just hidden
    await files.putPiece('fileA', 1, pieces[1] as Uint8Array);
    expect(await files.getPiece('fileA', 1)).toEqual(pieces[1]);
    expect(await files.usage()).toBe(3000);
  });

  it("does not open rows sealed with another room's key", async () => {
    const store = freshStore();
    const foreign = openFilePieceStore(other, { store });
    await foreign.putPiece('fileA', 0, bytesOf(500));
    await foreign.putIndex('fileA', bytesOf(32));
    await set(filePieceKey(keys.roomId, 'fileA', 0), await get(filePieceKey(other.roomId, 'fileA', 0), store), store);
    await set(fileIndexKey(keys.roomId, 'fileA'), await get(fileIndexKey(other.roomId, 'fileA'), store), store);
    const { drops, onDrop } = dropRecorder();
    const files = openFilePieceStore(keys, { store, onDrop });
    expect(await files.getPiece('fileA', 0)).toBeNull();
    expect(await files.getIndex('fileA')).toBeNull();
    expect(drops).toEqual(['decrypt', 'decrypt']);
    expect(await foreign.getPiece('fileA', 0)).not.toBeNull(); // its own room still reads it
  });

  it('counts only its own room', async () => {
    const store = freshStore();
    await openFilePieceStore(other, { store }).putPiece('fileA', 0, bytesOf(700));
    const files = openFilePieceStore(keys, { store });
    await files.putPiece('fileA', 0, bytesOf(300));
    expect(await openFilePieceStore(keys, { store }).usage()).toBe(300);
    expect(await openFilePieceStore(keys, { store }).files()).toEqual([{ fileId: 'fileA', bytes: 300, pieces: 1, total: null }]);
  });

  it("is wiped with the room (Leave and forget room), and other rooms' files stay", async () => {
    const store = freshStore();
    const files = openFilePieceStore(keys, { store });
    for (let i = 0; i < 3; i++) await files.putPiece('fileA', i, bytesOf(1000));
    await files.putIndex('fileA', bytesOf(96));
    const room = openRoomStore(keys, { store });
    await room.saveTail(bytesOf(10));
    await room.close();
    const foreign = openFilePieceStore(other, { store });
    await foreign.putPiece('fileA', 0, bytesOf(10));
    expect(await roomRowKeys(store, keys.roomId)).toHaveLength(5);

    await wipeRoom(keys.roomId, store);
    expect(await roomRowKeys(store, keys.roomId)).toEqual([]);
    const reopened = openFilePieceStore(keys, { store });
    expect(await reopened.usage()).toBe(0);
    expect(await reopened.files()).toEqual([]);
    expect(await foreign.getPiece('fileA', 0)).not.toBeNull();
  });
});

describe('piece bitfields', () => {
  it('numbers pieces from the high bit of the first byte', () => {
    const bitfield = new Uint8Array(2);
    setPiece(bitfield, 0);
    setPiece(bitfield, 7);
    setPiece(bitfield, 8);
    expect([...bitfield]).toEqual([0b1000_0001, 0b1000_0000]);
    expect([0, 1, 7, 8, 9, 16].map((i) => hasPiece(bitfield, i))).toEqual([true, false, true, true, false, false]);
    expect(countPieces(bitfield, 16)).toBe(3);
    expect(countPieces(bitfield, 8)).toBe(2);
    expect(() => setPiece(bitfield, 16)).toThrow(RangeError);
  });
});
