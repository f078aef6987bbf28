/**
 * Public-key boxes between members (X25519 + XSalsa20-Poly1305, nacl.box): how the admin hands a
 * new room key to each member after a ban. Each identity's box key pair is derived from its
 * ed25519 seed with a domain-separated hash, and published on a member card signed by the
 * identity's signing key (core/member-card.ts), so nobody can slip in a box key for someone else.
 */
import nacl from './nacl.js';
import { concatBytes, equalBytes, fromHex, utf8 } from './encoding.js';
import { exportedPublicKey, importRawPrivateKey, subtle } from './webcrypto.js';
import type { Identity } from './identity.js';

export const BOX_KEY_BYTES = nacl.box.publicKeyLength;
const NONCE_BYTES = nacl.box.nonceLength;

export interface BoxKeyPair {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

/** PKCS #8 wrapping of a raw 32-byte X25519 private key (RFC 8410): this prefix, then the key. */
const X25519_PKCS8_PREFIX = fromHex('302e020100300506032b656e04220420');
/** RFC 7748 §6.1: Alice's private key and the public key it gives. */
const X25519_VECTOR = {
  secretKey: fromHex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a'),
  publicKey: fromHex('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a'),
};

const keyPairs = new WeakMap<Identity, BoxKeyPair>();

const boxSecretKeyOf = (identity: Identity): Uint8Array =>
  nacl.hash(concatBytes(utf8('parley/v1/box-key\u0000'), identity.secretKey.subarray(0, 32))).slice(0, nacl.box.secretKeyLength);

/** The X25519 public key WebCrypto derives from a private key (through the JWK export, which carries it); null if it cannot. */
async function nativePublicKey(secretKey: Uint8Array): Promise<Uint8Array | null> {
  if (subtle === undefined) return null;
  try {
    return await exportedPublicKey(await importRawPrivateKey(X25519_PKCS8_PREFIX, secretKey, { name: 'X25519' }, true, ['deriveBits']));
  } catch {
    return null;
  }
}

let native: Promise<boolean> | undefined;
/** Whether WebCrypto X25519 gives RFC 7748's public key for its test private key (checked once). */
function hasNativeX25519(): Promise<boolean> {
  native ??= nativePublicKey(X25519_VECTOR.secretKey).then((publicKey) => publicKey !== null && equalBytes(publicKey, X25519_VECTOR.publicKey));
  return native;
}

/**
 * This identity's box key pair, derived once per identity. tweetnacl's scalar multiplication took
 * 25–60 ms of a joining page's main thread (cold JIT), in the middle of its WebRTC handshake;
 * WebCrypto's X25519 does it natively, so a joiner prepares its pair this way
 * (prepareBoxKeyPair) and the synchronous path below then finds it cached.
 */
export function boxKeyPairOf(identity: Identity): BoxKeyPair {
  let pair = keyPairs.get(identity);
  if (pair === undefined) {
    const secretKey = boxSecretKeyOf(identity);
    pair = { publicKey: nacl.scalarMult.base(secretKey), secretKey };
    keyPairs.set(identity, pair);
  }
  return pair;
}

/** boxKeyPairOf through WebCrypto's X25519 where the browser has it (same bytes), else tweetnacl. */
export async function prepareBoxKeyPair(identity: Identity): Promise<BoxKeyPair> {
  const cached = keyPairs.get(identity);
  if (cached !== undefined) return cached;
  if (await hasNativeX25519()) {
    const secretKey = boxSecretKeyOf(identity);
    const publicKey = await nativePublicKey(secretKey);
    if (publicKey !== null && publicKey.length === BOX_KEY_BYTES) {
      const pair = keyPairs.get(identity) ?? { publicKey, secretKey };
      keyPairs.set(identity, pair);
      return pair;
    }
  }
  return boxKeyPairOf(identity);
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
