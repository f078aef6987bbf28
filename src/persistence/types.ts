/** Public shapes of the persistence layer: the encrypted room log and the recent-rooms list. */
import type { UseStore } from 'idb-keyval';
import type { DropReason } from '../core/types.js';
import type { Identity } from '../crypto/identity.js';

/** Called once per stored blob that could not be opened or parsed; it is skipped, never thrown. */
export type StoreDropHandler = (reason: DropReason) => void;

export interface RoomStoreOptions {
  /** Compact once the room holds more update rows than this. Default 500 (as y-indexeddb). */
  readonly compactAfter?: number;
  readonly onDrop?: StoreDropHandler;
  /** The IndexedDB store to use; default the app's `parley` database (see database.ts). */
  readonly store?: UseStore;
}

/** One room's sealed Yjs update log and identity in IndexedDB. */
export interface RoomStore {
  /** Seals and appends one Yjs update; resolves once it is committed. Same-tick calls share one row. */
  appendUpdate(update: Uint8Array): Promise<void>;
  /** Every readable update merged into one (null when there are none); bad rows are dropped and reported. */
  loadState(): Promise<Uint8Array | null>;
  /**
   * Every row that opens, as stored, not yet parsed by Yjs: for a caller that applies them anyway
   * and so parses each once instead of twice (merging or checking a 30 MiB row costs as much
   * again as applying it). The caller must apply each in a try and report the ones Yjs rejects.
   */
  loadUpdates(): Promise<Uint8Array[]>;
  /** Merges all rows into one now (it also runs by itself past `compactAfter`). */
  compact(): Promise<void>;
  /**
   * Replaces the room's tail: a small copy of its newest messages (the caller's encoding), read
   * before the whole log on reload so the newest messages show at once. Sealed like every row.
   */
  saveTail(payload: Uint8Array): Promise<void>;
  /** The stored tail, or null if there is none or it does not open (reported). */
  loadTail(): Promise<Uint8Array | null>;
  /** Stores the keys this person blocked (the caller's encoding), sealed; loadBlocked reads them back. */
  saveBlocked(payload: Uint8Array): Promise<void>;
  loadBlocked(): Promise<Uint8Array | null>;
  /** Stores the room admin's 32-byte signing seed, sealed (on the creator's and co-moderators' devices). */
  saveAdminSeed(seed: Uint8Array): Promise<void>;
  /** The stored admin seed, or null if there is none or it does not open (reported). */
  loadAdminSeed(): Promise<Uint8Array | null>;
  /** Stores this room's ed25519 secret key (64 bytes, tweetnacl layout), sealed. */
  saveIdentity(secretKey: Uint8Array): Promise<void>;
  /** The stored identity, or null if there is none or it does not open to a valid ed25519 key. */
  loadIdentity(): Promise<Identity | null>;
  /** Commits pending appends and detaches; later calls reject with code `closed`. */
  close(): Promise<void>;
  /** Closes, then deletes every row of this room. */
  wipe(): Promise<void>;
}

/** One entry of the home page's list; sealed at rest with the device key. */
export interface RecentRoom {
  /** 32 bytes: the room secret, needed to reopen the room. */
  readonly secret: Uint8Array;
  /** The room admin's public key, when the room has one (part of the room's identity). */
  readonly adminKey?: Uint8Array;
  /** Must equal deriveRoomKeys(secret, adminKey).roomId. */
  readonly roomId: string;
  readonly label?: string;
  /** Unix epoch milliseconds. */
  readonly lastOpened: number;
  readonly lastMessagePreview?: string;
}

export interface RecentRoomsOptions {
  readonly onDrop?: StoreDropHandler;
  readonly store?: UseStore;
  /** Where the device key comes from; default a non-extractable AES-GCM key kept in `store`. */
  readonly loadDeviceKey?: () => Promise<CryptoKey>;
}

export interface RecentRooms {
  /** Readable entries, most recently opened first; undecryptable or malformed ones are dropped and reported. */
  listRecentRooms(): Promise<RecentRoom[]>;
  /** Adds or replaces the entry for `room.roomId`. */
  rememberRoom(room: RecentRoom): Promise<void>;
  /** Removes the entry and every other local trace of the room (see forgetRoomEverywhere). */
  forgetRoom(roomId: string): Promise<void>;
}
