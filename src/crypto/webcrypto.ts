/**
 * The WebCrypto pieces the native paths for identities (identity.ts, Ed25519) and member box keys
 * (member-box.ts, X25519) share: importing a raw private key, and reading the public key WebCrypto
 * derives from it.
 */
import { concatBytes, fromBase64Url } from './encoding.js';

export const subtle: SubtleCrypto | undefined = globalThis.crypto?.subtle;

/** A raw 32-byte private key wrapped as PKCS #8 (RFC 8410: `prefix`, then the key) and imported. */
export function importRawPrivateKey(prefix: Uint8Array, raw: Uint8Array, algorithm: { readonly name: string }, extractable: boolean, usages: KeyUsage[]): Promise<CryptoKey> {
  return (subtle as SubtleCrypto).importKey('pkcs8', new Uint8Array(concatBytes(prefix, raw)), algorithm, extractable, usages);
}

/** The public key of an extractable private key, read from its JWK export (which carries it); null if absent. */
export async function exportedPublicKey(privateKey: CryptoKey): Promise<Uint8Array | null> {
  const jwk = await (subtle as SubtleCrypto).exportKey('jwk', privateKey);
  return typeof jwk.x === 'string' ? fromBase64Url(jwk.x) : null;
}
