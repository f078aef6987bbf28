/**
 * The per-device AES-GCM key that seals the recent-rooms list. It is generated non-extractable
 * and kept in IndexedDB as a CryptoKey: page script can use it but never read its bytes.
 * The browser still writes the key material into its own IndexedDB files, so this protects
 * against scripts and casual inspection of stored values, not against someone who copies the
 * whole browser profile.
 */
import type { UseStore } from 'idb-keyval';
import { DEVICE_KEY, whenCommitted } from './database.js';

const IV_BYTES = 12; // AES-GCM's standard nonce; random per record, collision odds negligible at this volume

/** This device's key, created and stored on first use; two tabs racing both end up with the first one stored. */
export async function loadOrCreateDeviceKey(store: UseStore): Promise<CryptoKey> {
  const fresh = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  return store('readwrite', (objects) => {
    const committed = whenCommitted(objects.transaction);
    let key = fresh;
    const existing = objects.get(DEVICE_KEY);
    existing.onsuccess = () => {
      const stored: unknown = existing.result;
      if (isAesGcmKey(stored)) key = stored;
      else objects.put(fresh, DEVICE_KEY); // none yet, or unusable: records sealed with it are lost either way
    };
    return committed.then(() => key);
  });
}

/** iv ‖ AES-GCM(plaintext), with `context` authenticated so a record cannot be moved to another key. */
export async function sealWithDeviceKey(key: CryptoKey, context: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const ciphertext = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: new Uint8Array(context) }, key, new Uint8Array(plaintext));
  const out = new Uint8Array(IV_BYTES + ciphertext.byteLength);
  out.set(iv);
  out.set(new Uint8Array(ciphertext), IV_BYTES);
  return out;
}

/** The plaintext, or null if `sealed` is not a value sealWithDeviceKey made with this key and context. */
export async function openWithDeviceKey(key: CryptoKey, context: Uint8Array, sealed: unknown): Promise<Uint8Array | null> {
  if (!(sealed instanceof Uint8Array) || sealed.length < IV_BYTES + 16) return null;
  try {
    const iv = sealed.slice(0, IV_BYTES);
    const plaintext = await crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData: new Uint8Array(context) }, key, sealed.slice(IV_BYTES));
    return new Uint8Array(plaintext);
  } catch {
    return null;
  }
}

function isAesGcmKey(value: unknown): value is CryptoKey {
  return typeof CryptoKey !== 'undefined' && value instanceof CryptoKey && value.algorithm.name === 'AES-GCM' && value.usages.includes('decrypt');
}
