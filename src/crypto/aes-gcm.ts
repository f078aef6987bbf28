/**
 * Authenticated encryption for bulk data (stored rows, data-channel frames): AES-256-GCM through
 * WebCrypto, native and about 50× faster here than tweetnacl's JavaScript secretbox on a 30 MiB
 * history, which cost 0.6 s to seal and 0.6 s to open per transfer or reload of a 100k-message
 * room. Layout: 12-byte random IV ‖ ciphertext ‖ 16-byte tag. Random 96-bit IVs stay safe far
 * beyond the number of messages one device seals under one key (2^32).
 */
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Bytes a sealed message has beyond its plaintext. */
export const AES_GCM_OVERHEAD = IV_BYTES + TAG_BYTES;

const imported = new WeakMap<Uint8Array, Promise<CryptoKey>>();

function importKey(key: Uint8Array): Promise<CryptoKey> {
  let cryptoKey = imported.get(key);
  if (cryptoKey === undefined) {
    if (key.length !== 32) throw new RangeError('AES-GCM key must be 32 bytes');
    cryptoKey = globalThis.crypto.subtle.importKey('raw', new Uint8Array(key), { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
    imported.set(key, cryptoKey);
  }
  return cryptoKey;
}

/** IV ‖ AES-GCM ciphertext of `plaintext` under the 32-byte `key`. */
export async function sealAesGcm(key: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array> {
  const iv = globalThis.crypto.getRandomValues(new Uint8Array(IV_BYTES));
  // WebCrypto copies its input itself; a copy here too only when the bytes are a view into a larger buffer.
  const input = plaintext.byteOffset === 0 && plaintext.byteLength === plaintext.buffer.byteLength && plaintext.buffer instanceof ArrayBuffer ? (plaintext as Uint8Array<ArrayBuffer>) : new Uint8Array(plaintext);
  const ciphertext = new Uint8Array(await globalThis.crypto.subtle.encrypt({ name: 'AES-GCM', iv }, await importKey(key), input));
  const sealed = new Uint8Array(IV_BYTES + ciphertext.length);
  sealed.set(iv);
  sealed.set(ciphertext, IV_BYTES);
  return sealed;
}

/** The plaintext, or null if `sealed` was not made by sealAesGcm with this key or was altered. Never throws. */
export async function openAesGcm(key: Uint8Array, sealed: Uint8Array): Promise<Uint8Array | null> {
  if (sealed.length < IV_BYTES + TAG_BYTES) return null;
  try {
    const iv = sealed.slice(0, IV_BYTES);
    // A view, not a copy: WebCrypto copies its input itself (a second copy of a 30 MiB row cost ~0.1 s).
    const ciphertext = sealed.subarray(IV_BYTES) as Uint8Array<ArrayBuffer>;
    return new Uint8Array(await globalThis.crypto.subtle.decrypt({ name: 'AES-GCM', iv }, await importKey(key), ciphertext));
  } catch {
    return null;
  }
}
