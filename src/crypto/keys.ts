/**
 * Room secrets and everything derived from them. The 32-byte secret lives only in the invite
 * link's fragment; every value another party sees is a domain-separated SHA-512 of it, so
 * knowing one derived value reveals neither the secret nor any other derived value.
 *
 * A room with an admin is defined by the secret and the admin's public key together: every value
 * is derived from both, so a link naming another admin key leads to another room (another topic,
 * other keys), and nobody can later claim to be this room's admin.
 */
import nacl from './nacl.js';
import { concatBytes, toBase64Url, utf8 } from './encoding.js';
import { ADMIN_KEY_BYTES, ROOM_SECRET_BYTES } from './sizes.js';

export { ADMIN_KEY_BYTES, ROOM_SECRET_BYTES };

export interface RoomKeys {
  /** Local name of the room (storage keys, recent-rooms list). Never sent anywhere. */
  readonly roomId: string;
  /** Signaling topic: the only room-related value the signaling node sees. */
  readonly topic: string;
  /** Seals signaling payloads (offers, answers, candidates) so the node can neither read nor forge them. */
  readonly signalKey: Uint8Array;
  /** Seals every data-channel frame between peers. */
  readonly wireKey: Uint8Array;
  /** Seals document updates and identities at rest in IndexedDB. */
  readonly storeKey: Uint8Array;
}

export function createRoomSecret(): Uint8Array {
  return nacl.randomBytes(ROOM_SECRET_BYTES);
}

/** SHA-512 over a versioned label and the secret; labels never prefix one another. */
function derive(label: string, secret: Uint8Array): Uint8Array {
  return nacl.hash(concatBytes(utf8(`parley/v1/${label}\u0000`), secret));
}

/**
 * The keys of the last rooms derived: opening a room derives them for the session, the recent-rooms
 * list and storage in turn, and five SHA-512s in cold JavaScript took ~5–10 ms of a joining page
 * each time. Only derived values are kept (the secret is in the link anyway), in memory.
 */
const derived = new Map<string, RoomKeys>();
const MAX_DERIVED = 8;

/** Keys of the room `secret` names; with `adminKey` (the admin's ed25519 public key), of the room that key administers. */
export function deriveRoomKeys(secret: Uint8Array, adminKey?: Uint8Array): RoomKeys {
  if (secret.length !== ROOM_SECRET_BYTES) throw new RangeError(`room secret must be ${ROOM_SECRET_BYTES} bytes`);
  if (adminKey !== undefined && adminKey.length !== ADMIN_KEY_BYTES) throw new RangeError(`admin key must be ${ADMIN_KEY_BYTES} bytes`);
  // Fixed lengths, so secret ‖ adminKey is unambiguous.
  const material = adminKey === undefined ? secret : concatBytes(secret, adminKey);
  const cacheKey = toBase64Url(material);
  let keys = derived.get(cacheKey);
  if (keys === undefined) {
    keys = deriveKeysUncached(material);
    if (derived.size >= MAX_DERIVED) derived.delete(derived.keys().next().value as string);
    derived.set(cacheKey, keys);
  }
  // Copies of the byte keys, so no caller can alter another's.
  return { ...keys, signalKey: keys.signalKey.slice(), wireKey: keys.wireKey.slice(), storeKey: keys.storeKey.slice() };
}

/** The derivation itself, from secret (‖ admin key); also run at idle by warm-up.ts. */
export function deriveKeysUncached(material: Uint8Array): RoomKeys {
  return {
    roomId: toBase64Url(derive('room-id', material).subarray(0, 16)),
    topic: toBase64Url(derive('topic', material).subarray(0, 32)),
    signalKey: derive('signal-key', material).subarray(0, 32),
    wireKey: derive('wire-key', material).subarray(0, 32),
    storeKey: derive('store-key', material).subarray(0, 32),
  };
}
