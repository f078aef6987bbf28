/**
 * One room's Yjs update log and identity in IndexedDB, every value sealed with the room's
 * storeKey. Each append is one row (updates of the same tick share a row); past `compactAfter`
 * rows, compaction opens them all, merges, seals the result once and swaps it in.
 */
import { get, set, type UseStore } from 'idb-keyval';
import * as Y from 'yjs';
import { identityFromSecretKey, type Identity } from '../crypto/identity.js';
import type { RoomKeys } from '../crypto/keys.js';
import { adminKey, blockedKey, getParleyStore, identityKey, roomRange, sequenceOf, tailKey, updateKey, updateRange, whenCommitted } from './database.js';
import { PersistenceError } from './errors.js';
import { mergeOrNull, mergeValidUpdates, openRow, ROW_ADMIN, ROW_BLOCKED, ROW_IDENTITY, ROW_TAIL, ROW_UPDATE, sealRow, type RowKind } from './sealed-rows.js';
import type { RoomStore, RoomStoreOptions, StoreDropHandler } from './types.js';

const DEFAULT_COMPACT_AFTER = 500;

interface PendingAppend {
  readonly update: Uint8Array;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

interface StoredRow {
  readonly key: IDBValidKey;
  readonly value: unknown;
}

/** This tab's open room stores by store handle and roomId, so wipeRoom can stop their writes first. */
const openStores = new WeakMap<UseStore, Map<string, Set<() => Promise<void>>>>();

const ignoreDrop: StoreDropHandler = () => {};

/** Opens the sealed update log of one room; nothing is read until asked. */
export function openRoomStore(keys: Pick<RoomKeys, 'roomId' | 'storeKey'>, options: RoomStoreOptions = {}): RoomStore {
  const { roomId, storeKey } = keys;
  const store = options.store ?? getParleyStore();
  const compactAfter = options.compactAfter ?? DEFAULT_COMPACT_AFTER;
  const onDrop = options.onDrop ?? ignoreDrop;
  let pending: PendingAppend[] = [];
  const writes = new Set<Promise<unknown>>();
  let compaction: Promise<void> | null = null;
  // Rows the last compaction could not merge (wrong key, tampered) and kept; they do not count
  // towards the threshold, or every append would start another futile compaction.
  let unmergeableRows = 0;
  let closed = false;

  function track<T>(write: Promise<T>): Promise<T> {
    writes.add(write);
    const settle = (): void => void writes.delete(write);
    write.then(settle, settle);
    return write;
  }

  function flush(): void {
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    const write = track(Promise.resolve().then(async () => appendRows(store, roomId, await sealBatch(storeKey, batch.map((p) => p.update)))));
    write.then(
      (rows) => {
        for (const p of batch) p.resolve();
        if (!closed && rows > compactAfter + unmergeableRows) compact().catch(() => {}); // kept rows stay valid; retried at the next append
      },
      (error: unknown) => {
        for (const p of batch) p.reject(error);
      },
    );
  }

  async function settleWrites(): Promise<void> {
    flush();
    await Promise.allSettled([...writes, ...(compaction === null ? [] : [compaction])]);
  }

  /** Seals and puts one row under its fixed key (tail, admin seed). */
  async function saveSingle(key: IDBValidKey, kind: RowKind, payload: Uint8Array): Promise<void> {
    if (closed) throw closedError();
    await track(sealRow(storeKey, kind, payload).then((sealed) => set(key, sealed, store)));
  }

  /** The payload of a single row, or null if absent or unreadable (reported). */
  async function loadSingle(key: IDBValidKey, kind: RowKind): Promise<Uint8Array | null> {
    const stored: unknown = await get(key, store);
    if (stored === undefined) return null;
    const opened = await openRow(storeKey, kind, stored);
    if (typeof opened !== 'string') return opened;
    onDrop(opened);
    return null;
  }

  /** The payload of every update row that opens; the others are reported. */
  async function openAllRows(): Promise<Uint8Array[]> {
    await settleWrites();
    const updates: Uint8Array[] = [];
    for (const row of await readUpdateRows(store, roomId)) {
      const opened = await openRow(storeKey, ROW_UPDATE, row.value);
      if (typeof opened === 'string') onDrop(opened);
      else updates.push(opened);
    }
    return updates;
  }

  async function compactRows(): Promise<void> {
    const rows = await readUpdateRows(store, roomId);
    const updates: Uint8Array[] = [];
    const mergedKeys: IDBValidKey[] = [];
    for (const row of rows) {
      const opened = await openRow(storeKey, ROW_UPDATE, row.value);
      if (typeof opened === 'string') continue; // reported by loadState; never deleted here, in case the key is what is wrong
      updates.push(opened);
      mergedKeys.push(row.key);
    }
    unmergeableRows = rows.length - mergedKeys.length;
    if (updates.length < 2) return;
    let merged: Uint8Array | null;
    try {
      merged = mergeOrNull(updates);
    } catch {
      unmergeableRows = rows.length; // leave everything as it is; loadState drops the bad row
      return;
    }
    if (merged === null) return;
    // New appends land after the rows read here, and only the rows read are deleted, so an
    // update appended meanwhile (in this tab or another) survives.
    await appendRows(store, roomId, [await sealRow(storeKey, ROW_UPDATE, merged)], mergedKeys);
  }

  function compact(): Promise<void> {
    compaction ??= track(compactRows()).finally(() => {
      compaction = null;
    });
    return compaction;
  }

  let closing: Promise<void> | null = null;
  function close(): Promise<void> {
    closed = true;
    // Still registered until the last write has landed, so a wipe started meanwhile waits for it
    // rather than deleting first and having a late write bring a row back.
    closing ??= settleWrites().finally(() => unregisterStore(store, roomId, close));
    return closing;
  }

  registerStore(store, roomId, close);

  return {
    appendUpdate(update: Uint8Array): Promise<void> {
      if (closed) return Promise.reject(closedError());
      return new Promise((resolve, reject) => {
        if (pending.length === 0) queueMicrotask(flush);
        pending.push({ update, resolve, reject });
      });
    },

    async loadState(): Promise<Uint8Array | null> {
      return mergeValidUpdates(await openAllRows(), onDrop);
    },

    loadUpdates: openAllRows,

    compact(): Promise<void> {
      return closed ? Promise.reject(closedError()) : compact();
    },

    saveTail: (payload: Uint8Array) => saveSingle(tailKey(roomId), ROW_TAIL, payload),
    loadTail: () => loadSingle(tailKey(roomId), ROW_TAIL),
    saveBlocked: (payload: Uint8Array) => saveSingle(blockedKey(roomId), ROW_BLOCKED, payload),
    loadBlocked: () => loadSingle(blockedKey(roomId), ROW_BLOCKED),

    async saveAdminSeed(seed: Uint8Array): Promise<void> {
      if (seed.length !== 32) throw new PersistenceError('invalid_input', 'not a 32-byte seed');
      await saveSingle(adminKey(roomId), ROW_ADMIN, seed);
    },

    async loadAdminSeed(): Promise<Uint8Array | null> {
      const seed = await loadSingle(adminKey(roomId), ROW_ADMIN);
      if (seed === null || seed.length === 32) return seed;
      onDrop('size');
      return null;
    },

    async saveIdentity(secretKey: Uint8Array): Promise<void> {
      if (closed) throw closedError();
      if ((await identityFromSecretKey(secretKey)) === null) throw new PersistenceError('invalid_input', 'not a 64-byte ed25519 secret key');
      const sealed = await sealRow(storeKey, ROW_IDENTITY, secretKey);
      await track(set(identityKey(roomId), sealed, store));
    },

    async loadIdentity(): Promise<Identity | null> {
      const stored: unknown = await get(identityKey(roomId), store);
      if (stored === undefined) return null;
      const opened = await openRow(storeKey, ROW_IDENTITY, stored);
      if (typeof opened === 'string') {
        onDrop(opened);
        return null;
      }
      // Validating derives the key pair; hand it over so the caller need not derive it again.
      const identity = await identityFromSecretKey(opened.slice());
      if (identity === null) onDrop('shape');
      return identity;
    },

    close,

    async wipe(): Promise<void> {
      await close();
      await wipeRoom(roomId, store);
    },
  };
}

/** Deletes every row of a room, after any store this tab has open for it has committed and closed. */
export async function wipeRoom(roomId: string, store: UseStore = getParleyStore()): Promise<void> {
  const open = openStores.get(store)?.get(roomId);
  if (open !== undefined) await Promise.all([...open].map((close) => close()));
  await store('readwrite', (objects) => {
    objects.delete(roomRange(roomId));
    return whenCommitted(objects.transaction);
  });
}

/** Updates of one tick as one sealed row; each on its own if Yjs cannot merge them, so none is lost. */
async function sealBatch(storeKey: Uint8Array, updates: Uint8Array[]): Promise<Uint8Array[]> {
  if (updates.length > 1) {
    let merged: Uint8Array | null = null;
    try {
      merged = Y.mergeUpdates(updates);
    } catch {
      // fall through: store them as given
    }
    if (merged !== null) return [await sealRow(storeKey, ROW_UPDATE, merged)];
  }
  return Promise.all(updates.map((update) => sealRow(storeKey, ROW_UPDATE, update)));
}

/**
 * In one transaction: adds `values` after the last update row, deletes `deleteKeys`, and returns
 * the room's update row count. Reading the last sequence inside the transaction keeps two tabs
 * from ever writing the same key; one transaction makes compaction's swap atomic, and the
 * merged row is added before the old rows are deleted in any case.
 */
function appendRows(store: UseStore, roomId: string, values: readonly Uint8Array[], deleteKeys: readonly IDBValidKey[] = []): Promise<number> {
  return store('readwrite', (objects) => {
    const committed = whenCommitted(objects.transaction);
    const range = updateRange(roomId);
    let rows = 0;
    const last = objects.openKeyCursor(range, 'prev');
    last.onsuccess = () => {
      let seq = (sequenceOf(last.result?.key) ?? -1) + 1;
      for (const value of values) objects.add(value, updateKey(roomId, seq++));
      for (const key of deleteKeys) objects.delete(key);
      const count = objects.count(range);
      count.onsuccess = () => {
        rows = count.result;
      };
    };
    return committed.then(() => rows);
  });
}

/** Every update row of a room, keys and values from one consistent snapshot. */
function readUpdateRows(store: UseStore, roomId: string): Promise<StoredRow[]> {
  return store('readonly', (objects) => {
    const range = updateRange(roomId);
    const keys = objects.getAllKeys(range);
    const values = objects.getAll(range);
    return whenCommitted(objects.transaction).then(() => keys.result.map((key, i): StoredRow => ({ key, value: values.result[i] })));
  });
}

function registerStore(store: UseStore, roomId: string, close: () => Promise<void>): void {
  let rooms = openStores.get(store);
  if (rooms === undefined) openStores.set(store, (rooms = new Map()));
  let closers = rooms.get(roomId);
  if (closers === undefined) rooms.set(roomId, (closers = new Set()));
  closers.add(close);
}

function unregisterStore(store: UseStore, roomId: string, close: () => Promise<void>): void {
  const rooms = openStores.get(store);
  const closers = rooms?.get(roomId);
  closers?.delete(close);
  if (closers?.size === 0) rooms?.delete(roomId);
}

function closedError(): PersistenceError {
  return new PersistenceError('closed', 'room store is closed');
}
