/**
 * A peer proves, on each new connection, which member it is: it signs the challenge this device
 * sent on that connection, with its client id and room identity. The challenge is fresh per
 * connection, so a proof cannot be replayed on another one. What a proof establishes is used for
 * cutting people off (a block, a ban, a lock) and for dropping a departed peer's presence at once.
 */
import { concatBytes, utf8 } from '../crypto/encoding.js';
import { PUBLIC_KEY_BYTES, SIGNATURE_BYTES, sign, verifySignature, type Identity } from '../crypto/identity.js';

const DOMAIN = utf8('parley/v1/link-proof\u0000');

/** Bytes a link proof's signature covers. */
export function linkProofBytes(clientId: number, key: Uint8Array, challenge: Uint8Array): Uint8Array {
  const id = new Uint8Array(4);
  new DataView(id.buffer).setUint32(0, clientId);
  return concatBytes(DOMAIN, id, key, challenge);
}

/** Signs the peer's challenge as `identity`, under `clientId`. */
export function signLinkProof(identity: Identity, clientId: number, challenge: Uint8Array): Promise<Uint8Array> {
  return sign(identity, linkProofBytes(clientId, identity.publicKey, challenge));
}

/** True only for a proof signed by `key` over our `challenge` and `clientId`. Never throws. */
export async function verifyLinkProof(clientId: number, key: Uint8Array, challenge: Uint8Array, sig: Uint8Array): Promise<boolean> {
  if (key.length !== PUBLIC_KEY_BYTES || sig.length !== SIGNATURE_BYTES) return false;
  return verifySignature(key, linkProofBytes(clientId, key, challenge), sig);
}
