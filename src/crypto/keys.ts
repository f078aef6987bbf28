/**
 * Room secrets and everything derived from them. The 32-byte secret lives only in the invite
 * link's fragment; every value another party sees is a domain-separated SHA-512 of it, so
 * knowing one derived value reveals neither the secret nor any other derived value.
 */
import nacl from './nacl.js';
import { concatBytes, toBase64Url, utf8 } from './encoding.js';

export const ROOM_SECRET_BYTES = 32;

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

export function deriveRoomKeys(secret: Uint8Array): RoomKeys {
  if (secret.length !== ROOM_SECRET_BYTES) throw new RangeError(`room secret must be ${ROOM_SECRET_BYTES} bytes`);
  return {
    roomId: toBase64Url(derive('room-id', secret).subarray(0, 16)),
    topic: toBase64Url(derive('topic', secret).subarray(0, 32)),
    signalKey: derive('signal-key', secret).subarray(0, 32),
    wireKey: derive('wire-key', secret).subarray(0, 32),
    storeKey: derive('store-key', secret).subarray(0, 32),
  };
}
