/**
 * Where a room's file pieces live (docs/files-design.md, "Storage"). In IndexedDB each piece is
 * one row, ['room', roomId, 'f', fileId, i], and the file's index one more, ['room', roomId, 'fi',
 * fileId], both sealed with the room's storeKey. Each sealed plaintext starts with the row's own
 * place (kind, fileId, i), so a row copied under another key opens to the wrong place and is
 * refused like one that does not decrypt. Being under ['room', roomId], wipeRoom deletes them.
 *
 * The accounting (usage, budget, which pieces are held) sits in pieceStoreOver, above a small
 * PieceRows interface, so IndexedDB, memory and the tests' file-system store share it.
 */
import { get, type UseStore } from 'idb-keyval';
import { FILE_HASH_BYTES, FILE_PIECE_BYTES, MAX_FILE_PIECES, PIECE_TAG_BYTES } from '../core/file-manifest.js';
import type { DropReason } from '../core/types.js';
import { AES_GCM_OVERHEAD, openAesGcm, sealAesGcm } from '../crypto/aes-gcm.js';
import { equalBytes } from '../crypto/encoding.js';
import { fileIndexKey, fileIndexRange, filePieceKey, filePiecesRange, getParleyStore, whenCommitted } from './database.js';
import { PersistenceError } from './errors.js';

export interface StoredFileSummary {
  readonly fileId: string;
  /** Bytes of this file's stored pieces. */
  readonly bytes: number;
  readonly pieces: number;
  /** Pieces in the file, once the index is stored. */
  readonly total: number | null;
}

/** A piece refused because storing it would take the room over its budget; nothing was stored. */
export class StorageBudgetError extends Error {
  constructor(message = 'storing this piece would take the room over its file storage budget') {
    super(message);
    this.name = 'StorageBudgetError';
  }
}

export interface FilePieceStore {
  /** The file's verified index (concatenated 32-byte piece hashes), if stored. */
  getIndex(fileId: string): Promise<Uint8Array | null>;
  putIndex(fileId: string, index: Uint8Array): Promise<void>;
  /** Which pieces are stored, as a bitfield: bit i is byte i>>3, mask 0x80 >> (i & 7). Cached in memory after the first read. total = number of pieces the file has. */
  have(fileId: string, total: number): Promise<Uint8Array>;
  getPiece(fileId: string, index: number): Promise<Uint8Array | null>;
  /** Stores a verified piece; rejects with StorageBudgetError (storing nothing) if it would take the room over its budget. Idempotent for a piece already stored. */
  putPiece(fileId: string, index: number, bytes: Uint8Array): Promise<void>;
  /** Removes the file's pieces and index. A put that was already under way may still land after it: stop the file's download first. */
  deleteFile(fileId: string): Promise<void>;
  files(): Promise<StoredFileSummary[]>;
  /** Bytes of pieces stored for this room (piece bytes as given to putPiece; sealing adds ~60 B per row, not counted). */
  usage(): Promise<number>;
  budget(): number;
  setBudget(bytes: number): void;
  /** Later calls reject with PersistenceError 'closed'; a write already running still lands, so close before wipeRoom. */
  close(): void;
}

export const DEFAULT_FILE_BUDGET_BYTES = 1024 ** 3;
/** A piece as stored: the file-key ciphertext of at most FILE_PIECE_BYTES, plus its GCM tag. */
export const MAX_STORED_PIECE_BYTES = FILE_PIECE_BYTES + PIECE_TAG_BYTES;
const HASH_BYTES = FILE_HASH_BYTES;
const MAX_FILE_ID_CHARS = 64;

export function hasPiece(bitfield: Uint8Array, index: number): boolean {
  return ((bitfield[index >> 3] ?? 0) & (0x80 >> (index & 7))) !== 0;
}

export function setPiece(bitfield: Uint8Array, index: number): void {
  if (index < 0 || index >> 3 >= bitfield.length) throw new RangeError('piece index outside the bitfield');
  bitfield[index >> 3] = (bitfield[index >> 3] as number) | (0x80 >> (index & 7));
}

export function countPieces(bitfield: Uint8Array, total: number): number {
  let count = 0;
  for (let i = 0; i < total; i++) count += hasPiece(bitfield, i) ? 1 : 0;
  return count;
}

/** A fresh bitfield of `total` pieces (the caller may change it) with the given indexes set. */
export function bitfieldOf(indexes: Iterable<number>, total: number): Uint8Array {
  const bitfield = new Uint8Array(Math.ceil(total / 8));
  for (const index of indexes) if (index < total) setPiece(bitfield, index);
  return bitfield;
}

// Ids become keys and file names, so only base64url (a message id is 22 characters of it) passes;
// sizes are bounded by the manifest's limits (2 GiB files in 256 KiB pieces).
const invalid = (what: string): PersistenceError => new PersistenceError('invalid_input', `not a ${what}`);
const closedError = (): PersistenceError => new PersistenceError('closed', 'file store is closed');
const isCount = (n: number, max: number): boolean => Number.isSafeInteger(n) && n >= 0 && n <= max;
function checkPlace(fileId: string, index = 0): void {
  if (typeof fileId !== 'string' || fileId.length > MAX_FILE_ID_CHARS || !/^[\w-]+$/.test(fileId)) throw invalid('file id');
  if (!isCount(index, MAX_FILE_PIECES - 1)) throw invalid('piece index');
}
function checkBytes(bytes: Uint8Array, max: number, multipleOf = 1): void {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0 || bytes.length > max || bytes.length % multipleOf !== 0) throw invalid(multipleOf === 1 ? 'piece' : 'file index');
}
function checkBudget(bytes: number): number {
  if (!isCount(bytes, Number.MAX_SAFE_INTEGER)) throw invalid('budget');
  return bytes;
}

const ROW_FORMAT = 1;
const KIND_PIECE = 1;
const KIND_INDEX = 2;

const PLACE_FIXED_BYTES = 7;

/** [format, kind, fileId length, fileId (ASCII), u32 piece index]: the row's place, sealed with it. */
function placeOf(kind: number, fileId: string, index: number): Uint8Array {
  const place = new Uint8Array(PLACE_FIXED_BYTES + fileId.length);
  place.set([ROW_FORMAT, kind, fileId.length]);
  for (let i = 0; i < fileId.length; i++) place[3 + i] = fileId.charCodeAt(i);
  new DataView(place.buffer).setUint32(3 + fileId.length, index);
  return place;
}

/** The payload bytes of a stored row, from its length alone. */
const payloadBytes = (fileId: string, stored: unknown): number => (stored instanceof Uint8Array ? Math.max(0, stored.length - AES_GCM_OVERHEAD - PLACE_FIXED_BYTES - fileId.length) : 0);

async function sealPlaced(storeKey: Uint8Array, place: Uint8Array, payload: Uint8Array): Promise<Uint8Array> {
  const plain = new Uint8Array(place.length + payload.length);
  plain.set(place);
  plain.set(payload, place.length);
  return sealAesGcm(storeKey, plain);
}

async function openPlaced(storeKey: Uint8Array, place: Uint8Array, stored: unknown): Promise<Uint8Array | DropReason> {
  if (!(stored instanceof Uint8Array)) return 'shape';
  const plain = await openAesGcm(storeKey, stored);
  // Authentic but sealed for another place (a row copied or moved): to the reader it is one
  // more row that does not open here, so it counts as 'decrypt' too.
  if (plain === null || plain.length < place.length || !equalBytes(plain.subarray(0, place.length), place)) return 'decrypt';
  return plain.slice(place.length); // a copy of its own: callers may hand piece.buffer on
}

/**
 * The raw rows behind a FilePieceStore, so the accounting, budget and checks above them are
 * written once for IndexedDB, memory and (in tests) the file system. Called one at a time for
 * writes; arguments are already checked.
 */
export interface PieceRows {
  /** Visits every stored piece of the room with its size, holding at most one piece in memory. */
  scan(visit: (fileId: string, index: number, bytes: number) => void): Promise<void>;
  /** The stored piece indexes of one file, without reading any piece. */
  indexesOf(fileId: string): Promise<number[]>;
  /** The piece; null if absent; `unreadable` (already reported) with the size it was counted at. */
  readPiece(fileId: string, index: number): Promise<Uint8Array | { readonly unreadable: number } | null>;
  /** Does the slow part of a write (sealing) outside the queue; the returned write runs inside it. */
  preparePiece(fileId: string, index: number, bytes: Uint8Array): Promise<() => Promise<void>>;
  deletePiece(fileId: string, index: number): Promise<void>;
  /** The file's pieces and index, without reading a piece. */
  deleteFile(fileId: string): Promise<void>;
  /** The index, or null if absent or unreadable (reported). */
  readIndex(fileId: string): Promise<Uint8Array | null>;
  writeIndex(fileId: string, index: Uint8Array): Promise<void>;
  /** Files with a stored index. */
  indexIds(): Promise<string[]>;
}

/**
 * A FilePieceStore over `rows`. Usage is counted by one scan, on the first call that needs it,
 * then kept in memory; have() before that reads only the file's keys. Tasks run one at a time,
 * so the counts always match the rows. Another tab's writes are not seen until the next
 * instance: the budget is a local limit, not an exact quota.
 */
export function pieceStoreOver(rows: PieceRows, options: { budget?: number } = {}): FilePieceStore {
  let budget = checkBudget(options.budget ?? DEFAULT_FILE_BUDGET_BYTES);
  /** Stored piece indexes per file: from the scan for every file, or read for one by have(). */
  const held = new Map<string, Set<number>>();
  /** Stored bytes per file, null until the scan. */
  let bytesByFile: Map<string, number> | null = null;
  let usageBytes = 0;
  /** Pieces per file from its index (null: absent or unreadable), so files() reads each once. */
  const totals = new Map<string, number | null>();
  let closed = false;
  let tail: Promise<unknown> = Promise.resolve();
  /** Runs tasks one at a time, so the counts in memory always match the rows they came from. */
  function exclusive<T>(task: () => Promise<T>): Promise<T> {
    if (closed) return Promise.reject(closedError());
    // Checked again when its turn comes: after close() only the task already running may write.
    const run = tail.then(() => (closed ? Promise.reject(closedError()) : task()));
    tail = run.catch(() => {});
    return run;
  }
  const open = (): void => {
    if (closed) throw closedError();
  };

  async function scan(): Promise<Map<string, number>> {
    if (bytesByFile !== null) return bytesByFile;
    const bytes = new Map<string, number>();
    held.clear();
    await rows.scan((fileId, index, size) => {
      bytes.set(fileId, (bytes.get(fileId) ?? 0) + size);
      held.set(fileId, (held.get(fileId) ?? new Set()).add(index));
    });
    usageBytes = [...bytes.values()].reduce((sum, n) => sum + n, 0);
    return (bytesByFile = bytes);
  }

  async function heldOf(fileId: string): Promise<Set<number>> {
    let set = held.get(fileId);
    if (set === undefined) held.set(fileId, (set = new Set(bytesByFile === null ? await rows.indexesOf(fileId) : [])));
    return set;
  }

  return {
    async getIndex(fileId) {
      checkPlace(fileId);
      open();
      return rows.readIndex(fileId); // not cached: read outside the queue, it could race deleteFile
    },

    async putIndex(fileId, index) {
      checkPlace(fileId);
      checkBytes(index, MAX_FILE_PIECES * HASH_BYTES, HASH_BYTES);
      await exclusive(async () => {
        await rows.writeIndex(fileId, index);
        totals.set(fileId, index.length / HASH_BYTES);
      });
    },

    async have(fileId, total) {
      checkPlace(fileId);
      if (!isCount(total, MAX_FILE_PIECES)) throw invalid('piece count');
      return bitfieldOf(await exclusive(() => heldOf(fileId)), total);
    },

    async getPiece(fileId, index) {
      checkPlace(fileId, index);
      open();
      const read = await rows.readPiece(fileId, index);
      if (read === null || read instanceof Uint8Array) return read;
      // Deleted, not kept: have() would go on announcing a piece that is never served, while a
      // deleted one is fetched again from any member and verified against the index.
      await exclusive(async () => {
        await rows.deletePiece(fileId, index);
        if (held.get(fileId)?.delete(index) !== true || bytesByFile === null) return;
        bytesByFile.set(fileId, (bytesByFile.get(fileId) ?? 0) - read.unreadable);
        usageBytes -= read.unreadable;
      });
      return null;
    },

    async putPiece(fileId, index, bytes) {
      checkPlace(fileId, index);
      checkBytes(bytes, MAX_STORED_PIECE_BYTES);
      open();
      const refuse = (): StorageBudgetError => new StorageBudgetError(`storing ${bytes.length} bytes would exceed the file storage budget (${usageBytes} of ${budget} bytes used)`);
      if (bytesByFile !== null && held.get(fileId)?.has(index) !== true && usageBytes + bytes.length > budget) throw refuse();
      // Prepared (sealed) before taking the queue, so pieces arriving together are sealed side by side.
      const write = await rows.preparePiece(fileId, index, bytes);
      await exclusive(async () => {
        const counts = await scan();
        const pieces = await heldOf(fileId);
        if (pieces.has(index)) return;
        if (usageBytes + bytes.length > budget) throw refuse();
        await write();
        pieces.add(index);
        counts.set(fileId, (counts.get(fileId) ?? 0) + bytes.length);
        usageBytes += bytes.length;
      });
    },

    async deleteFile(fileId) {
      checkPlace(fileId);
      await exclusive(async () => {
        await rows.deleteFile(fileId);
        usageBytes -= bytesByFile?.get(fileId) ?? 0;
        bytesByFile?.delete(fileId);
        held.delete(fileId);
        totals.delete(fileId);
      });
    },

    files() {
      return exclusive(async () => {
        const counts = await scan();
        const ids = [...new Set([...counts.keys(), ...(await rows.indexIds())])].sort();
        const summaries: StoredFileSummary[] = [];
        for (const fileId of ids) {
          if (!totals.has(fileId)) {
            const index = await rows.readIndex(fileId);
            totals.set(fileId, index === null ? null : index.length / HASH_BYTES);
          }
          summaries.push({ fileId, bytes: counts.get(fileId) ?? 0, pieces: held.get(fileId)?.size ?? 0, total: totals.get(fileId) ?? null });
        }
        return summaries;
      });
    },

    usage: () => exclusive(async () => (await scan(), usageBytes)),
    budget: () => budget,
    setBudget(bytes) {
      budget = checkBudget(bytes);
    },
    close() {
      closed = true;
    },
  };
}

/** One room's file pieces in the app's IndexedDB store (see the header for the rows). */
export function openFilePieceStore(keys: { roomId: string; storeKey: Uint8Array }, options: { store?: UseStore; budget?: number; onDrop?: (reason: DropReason) => void } = {}): FilePieceStore {
  const { roomId, storeKey } = keys;
  const store = options.store ?? getParleyStore();
  const onDrop = options.onDrop ?? (() => {});
  /** Runs `work` in one transaction; its returned function gives the result once committed. */
  const transact = <T>(mode: IDBTransactionMode, work: (objects: IDBObjectStore) => () => T): Promise<T> => store(mode, (objects) => whenCommitted(objects.transaction).then(work(objects)));
  const put = (key: IDBValidKey, value: Uint8Array): Promise<void> => transact('readwrite', (objects) => (objects.put(value, key), () => undefined));
  const keysIn = (range: IDBKeyRange): Promise<unknown[][]> =>
    transact('readonly', (objects) => {
      const request = objects.getAllKeys(range);
      return () => request.result as unknown[][];
    });

  return pieceStoreOver(
    {
      scan: (visit) =>
        transact('readonly', (objects) => {
          // A value cursor, not getAll: one piece in memory at a time however much is stored.
          const cursor = objects.openCursor(filePiecesRange(roomId));
          cursor.onsuccess = () => {
            const row = cursor.result;
            if (row === null) return;
            const [, , , fileId, index] = row.key as unknown[];
            if (typeof fileId === 'string' && typeof index === 'number') visit(fileId, index, payloadBytes(fileId, row.value));
            row.continue();
          };
          return () => undefined;
        }),
      indexesOf: async (fileId) => (await keysIn(filePiecesRange(roomId, fileId))).map((key) => key[4]).filter((index): index is number => typeof index === 'number'),
      async readPiece(fileId, index) {
        const stored: unknown = await get(filePieceKey(roomId, fileId, index), store);
        if (stored === undefined) return null;
        const opened = await openPlaced(storeKey, placeOf(KIND_PIECE, fileId, index), stored);
        if (typeof opened !== 'string') return opened;
        onDrop(opened);
        return { unreadable: payloadBytes(fileId, stored) };
      },
      async preparePiece(fileId, index, bytes) {
        const sealed = await sealPlaced(storeKey, placeOf(KIND_PIECE, fileId, index), bytes);
        // One row in one transaction: a refused or failed put leaves nothing behind.
        return () => put(filePieceKey(roomId, fileId, index), sealed);
      },
      deletePiece: (fileId, index) => transact('readwrite', (objects) => (objects.delete(filePieceKey(roomId, fileId, index)), () => undefined)),
      deleteFile: (fileId) =>
        transact('readwrite', (objects) => {
          objects.delete(filePiecesRange(roomId, fileId)); // a range delete: no piece is read
          objects.delete(fileIndexKey(roomId, fileId));
          return () => undefined;
        }),
      async readIndex(fileId) {
        const stored: unknown = await get(fileIndexKey(roomId, fileId), store);
        if (stored === undefined) return null;
        const opened = await openPlaced(storeKey, placeOf(KIND_INDEX, fileId, 0), stored);
        if (typeof opened !== 'string' && opened.length > 0 && opened.length % HASH_BYTES === 0) return opened;
        onDrop(typeof opened === 'string' ? opened : 'size');
        return null;
      },
      writeIndex: async (fileId, index) => put(fileIndexKey(roomId, fileId), await sealPlaced(storeKey, placeOf(KIND_INDEX, fileId, 0), index)),
      indexIds: async () => (await keysIn(fileIndexRange(roomId))).map((key) => key[3]).filter((id): id is string => typeof id === 'string'),
    },
    options,
  );
}

/** The same contract in memory (copies in and out), for unit tests and Node peers. */
export function createMemoryPieceStore(options: { budget?: number } = {}): FilePieceStore {
  const pieces = new Map<string, Map<number, Uint8Array>>();
  const indexes = new Map<string, Uint8Array>();
  return pieceStoreOver(
    {
      async scan(visit) {
        for (const [fileId, file] of pieces) for (const [index, bytes] of file) visit(fileId, index, bytes.length);
      },
      indexesOf: async (fileId) => [...(pieces.get(fileId)?.keys() ?? [])],
      readPiece: async (fileId, index) => pieces.get(fileId)?.get(index)?.slice() ?? null,
      async preparePiece(fileId, index, bytes) {
        const copy = bytes.slice();
        return async () => void (pieces.get(fileId) ?? pieces.set(fileId, new Map()).get(fileId))?.set(index, copy);
      },
      deletePiece: async (fileId, index) => void pieces.get(fileId)?.delete(index),
      async deleteFile(fileId) {
        pieces.delete(fileId);
        indexes.delete(fileId);
      },
      readIndex: async (fileId) => indexes.get(fileId)?.slice() ?? null,
      writeIndex: async (fileId, index) => void indexes.set(fileId, index.slice()),
      indexIds: async () => [...indexes.keys()],
    },
    options,
  );
}
