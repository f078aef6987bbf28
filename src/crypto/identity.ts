/**
 * Per-room ed25519 identities. Signing uses tweetnacl; verification prefers WebCrypto's native
 * Ed25519 (about 60× faster here than tweetnacl's 7.6 ms per signature) and falls back to
 * tweetnacl where the browser lacks it.
 */
import nacl from './nacl.js';
import { concatBytes, utf8 } from './encoding.js';

export interface Identity {
  readonly publicKey: Uint8Array; // 32 bytes
  readonly secretKey: Uint8Array; // 64 bytes (seed ‖ public key), tweetnacl layout
}

export const PUBLIC_KEY_BYTES = nacl.sign.publicKeyLength;
export const SIGNATURE_BYTES = nacl.sign.signatureLength;

export function createIdentity(): Identity {
  const pair = nacl.sign.keyPair();
  return { publicKey: pair.publicKey, secretKey: pair.secretKey };
}

/** Rebuilds an identity from its stored secret key; null if the bytes are not a valid key. */
export function identityFromSecretKey(secretKey: Uint8Array): Identity | null {
  if (secretKey.length !== nacl.sign.secretKeyLength) return null;
  const pair = nacl.sign.keyPair.fromSecretKey(secretKey);
  // The stored public half must match the one derived from the seed.
  const derived = nacl.sign.keyPair.fromSeed(secretKey.subarray(0, 32)).publicKey;
  return derived.every((byte, i) => byte === pair.publicKey[i]) ? { publicKey: pair.publicKey, secretKey: pair.secretKey } : null;
}

export function sign(identity: Identity, message: Uint8Array): Uint8Array {
  return nacl.sign.detached(message, identity.secretKey);
}

type Verifier = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => Promise<boolean>;

const subtle: SubtleCrypto | undefined = globalThis.crypto?.subtle;
const importedKeys = new Map<string, Promise<CryptoKey>>();
const MAX_CACHED_KEYS = 4096;

const verifyWithNacl: Verifier = async (publicKey, message, signature) => nacl.sign.detached.verify(message, signature, publicKey);

const verifyWithWebCrypto: Verifier = async (publicKey, message, signature) => {
  const cacheKey = String.fromCharCode(...publicKey);
  let key = importedKeys.get(cacheKey);
  if (key === undefined) {
    if (importedKeys.size >= MAX_CACHED_KEYS) importedKeys.clear();
    key = (subtle as SubtleCrypto).importKey('raw', new Uint8Array(publicKey), { name: 'Ed25519' }, false, ['verify']);
    importedKeys.set(cacheKey, key);
  }
  return (subtle as SubtleCrypto).verify({ name: 'Ed25519' }, await key, new Uint8Array(signature), new Uint8Array(message));
};

let verifier: Promise<Verifier> | undefined;

/** Detects once whether WebCrypto Ed25519 works and agrees with tweetnacl on a known signature. */
function chooseVerifier(): Promise<Verifier> {
  verifier ??= (async () => {
    if (subtle === undefined) return verifyWithNacl;
    try {
      const probe = createIdentity();
      const message = utf8('parley/v1/probe');
      const signature = sign(probe, message);
      const good = await verifyWithWebCrypto(probe.publicKey, message, signature);
      const bad = await verifyWithWebCrypto(probe.publicKey, concatBytes(message, new Uint8Array([0])), signature);
      return good && !bad ? verifyWithWebCrypto : verifyWithNacl;
    } catch {
      return verifyWithNacl;
    }
  })();
  return verifier;
}

/** True only for a valid ed25519 signature of `message` by `publicKey`. Never throws. */
export async function verifySignature(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
  if (publicKey.length !== PUBLIC_KEY_BYTES || signature.length !== SIGNATURE_BYTES) return false;
  try {
    return await (await chooseVerifier())(publicKey, message, signature);
  } catch {
    return false;
  }
}

/**
 * A short code two people can read to each other to check they see the same key:
 * 12 digits in three groups, from a domain-separated hash of the public key.
 */
export function safetyCode(publicKey: Uint8Array): string {
  const digest = nacl.hash(concatBytes(utf8('parley/v1/safety-code\u0000'), publicKey));
  let value = 0n;
  for (let i = 0; i < 8; i++) value = (value << 8n) | BigInt(digest[i] as number);
  const digits = (value % 1_000_000_000_000n).toString().padStart(12, '0');
  return `${digits.slice(0, 4)} ${digits.slice(4, 8)} ${digits.slice(8)}`;
}
