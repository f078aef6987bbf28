/**
 * Public-key boxes between members (X25519 + XSalsa20-Poly1305, nacl.box): how the admin hands a
 * new room key to each member after a ban. Each identity's box key pair is derived from its
 * ed25519 seed with a domain-separated hash, and published on a member card signed by the
 * identity's signing key (core/member-card.ts), so nobody can slip in a box key for someone else.
 */
import nacl from './nacl.js';
import { concatBytes, utf8 } from './encoding.js';
import type { Identity } from './identity.js';

export const BOX_KEY_BYTES = nacl.box.publicKeyLength;
const NONCE_BYTES = nacl.box.nonceLength;

export interface BoxKeyPair {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

export function boxKeyPairOf(identity: Identity): BoxKeyPair {
  const secretKey = nacl.hash(concatBytes(utf8('parley/v1/box-key\u0000'), identity.secretKey.subarray(0, 32))).slice(0, nacl.box.secretKeyLength);
  return { publicKey: nacl.scalarMult.base(secretKey), secretKey };
}

/** nonce ‖ box of `payload` from `sender` to `recipientPublicKey`. */
export function sealToMember(payload: Uint8Array, recipientPublicKey: Uint8Array, sender: BoxKeyPair): Uint8Array {
  const nonce = nacl.randomBytes(NONCE_BYTES);
  return concatBytes(nonce, nacl.box(payload, nonce, recipientPublicKey, sender.secretKey));
}

/** The payload, or null if the box was not made for `recipient` by `senderPublicKey` or was altered. Never throws. */
export function openFromMember(sealed: Uint8Array, senderPublicKey: Uint8Array, recipient: BoxKeyPair): Uint8Array | null {
  if (sealed.length < NONCE_BYTES + nacl.box.overheadLength || senderPublicKey.length !== BOX_KEY_BYTES) return null;
  try {
    return nacl.box.open(sealed.subarray(NONCE_BYTES), sealed.subarray(0, NONCE_BYTES), senderPublicKey, recipient.secretKey);
  } catch {
    return null;
  }
}
