/** Authenticated symmetric encryption (XSalsa20-Poly1305, nacl.secretbox) with a random nonce per message. */
import nacl from './nacl.js';

export const BOX_NONCE_BYTES = nacl.secretbox.nonceLength; // 24: random nonces cannot collide in practice
export const BOX_OVERHEAD = BOX_NONCE_BYTES + nacl.secretbox.overheadLength;

/** nonce ‖ ciphertext. */
export function sealBox(key: Uint8Array, plaintext: Uint8Array): Uint8Array {
  const nonce = nacl.randomBytes(BOX_NONCE_BYTES);
  const box = nacl.secretbox(plaintext, nonce, key);
  const out = new Uint8Array(BOX_NONCE_BYTES + box.length);
  out.set(nonce);
  out.set(box, BOX_NONCE_BYTES);
  return out;
}

/** The plaintext, or null if `sealed` was not made by sealBox with this key or was altered. */
export function openBox(key: Uint8Array, sealed: Uint8Array): Uint8Array | null {
  if (sealed.length < BOX_OVERHEAD) return null;
  return nacl.secretbox.open(sealed.subarray(BOX_NONCE_BYTES), sealed.subarray(0, BOX_NONCE_BYTES), key);
}
