/**
 * Per-room ed25519 identities. Key derivation, signing and verification use WebCrypto's native
 * Ed25519 where the browser has it and it passes RFC 8032's first test vector; tweetnacl is the
 * fallback. Native matters on a cold page: tweetnacl's JavaScript scalar multiplication took
 * ~70 ms per key pair or signature before the JIT warmed up (a join made four), WebCrypto well
 * under 1 ms. Both produce the same bytes (ed25519 is deterministic).
 */
import nacl from './nacl.js';
import { concatBytes, equalBytes, fromHex, utf8 } from './encoding.js';
import { exportedPublicKey, importRawPrivateKey, subtle } from './webcrypto.js';

export interface Identity {
  readonly publicKey: Uint8Array; // 32 bytes
  readonly secretKey: Uint8Array; // 64 bytes (seed ‖ public key), tweetnacl layout
}

export const PUBLIC_KEY_BYTES = nacl.sign.publicKeyLength;
export const SIGNATURE_BYTES = nacl.sign.signatureLength;
const SEED_BYTES = nacl.sign.seedLength;

/** PKCS #8 wrapping of a raw 32-byte Ed25519 seed (RFC 8410): this prefix, then the seed. */
const PKCS8_PREFIX = fromHex('302e020100300506032b657004220420');
/** RFC 8032 §7.1, test 1: seed, public key, signature of the empty message. */
const VECTOR = {
  seed: fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60'),
  publicKey: fromHex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a'),
  signature: fromHex('e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b'),
};

const ED25519 = { name: 'Ed25519' } as const;

function importSeed(seed: Uint8Array, extractable: boolean): Promise<CryptoKey> {
  return importRawPrivateKey(PKCS8_PREFIX, seed, ED25519, extractable, ['sign']);
}

/** The public key WebCrypto derives from a seed. */
async function nativePublicKey(seed: Uint8Array): Promise<Uint8Array | null> {
  return exportedPublicKey(await importSeed(seed, true));
}

let native: Promise<boolean> | undefined;

/** Detects once whether WebCrypto Ed25519 derives, signs and verifies as RFC 8032 says. */
function hasNativeEd25519(): Promise<boolean> {
  native ??= (async () => {
    if (subtle === undefined) return false;
    try {
      const publicKey = await nativePublicKey(VECTOR.seed);
      const signature = new Uint8Array(await subtle.sign(ED25519, await importSeed(VECTOR.seed, false), new Uint8Array(0)));
      const verifyKey = await subtle.importKey('raw', VECTOR.publicKey, ED25519, false, ['verify']);
      const good = await subtle.verify(ED25519, verifyKey, VECTOR.signature, new Uint8Array(0));
      const bad = await subtle.verify(ED25519, verifyKey, VECTOR.signature, new Uint8Array(1));
      return good && !bad && publicKey !== null && equalBytes(publicKey, VECTOR.publicKey) && equalBytes(signature, VECTOR.signature);
    } catch {
      return false;
    }
  })();
  return native;
}

/** The key pair of a 32-byte ed25519 seed; null if it cannot be derived. */
export async function identityFromSeed(seed: Uint8Array): Promise<Identity | null> {
  if (seed.length !== SEED_BYTES) return null;
  const publicKey = (await hasNativeEd25519()) ? await nativePublicKey(seed) : nacl.sign.keyPair.fromSeed(seed).publicKey;
  if (publicKey === null || publicKey.length !== PUBLIC_KEY_BYTES) return null;
  return { publicKey, secretKey: concatBytes(seed, publicKey) };
}

export async function createIdentity(): Promise<Identity> {
  const identity = await identityFromSeed(nacl.randomBytes(SEED_BYTES));
  if (identity === null) throw new Error('could not derive an ed25519 key pair');
  return identity;
}

/** Rebuilds an identity from its stored secret key; null if the bytes are not a valid key. */
export async function identityFromSecretKey(secretKey: Uint8Array): Promise<Identity | null> {
  if (secretKey.length !== nacl.sign.secretKeyLength) return null;
  const identity = await identityFromSeed(secretKey.slice(0, SEED_BYTES));
  // The stored public half must match the one derived from the seed.
  return identity !== null && equalBytes(identity.publicKey, secretKey.subarray(SEED_BYTES)) ? identity : null;
}

const signingKeys = new WeakMap<Identity, Promise<CryptoKey>>();

export async function sign(identity: Identity, message: Uint8Array): Promise<Uint8Array> {
  if (!(await hasNativeEd25519())) return nacl.sign.detached(message, identity.secretKey);
  let key = signingKeys.get(identity);
  if (key === undefined) {
    key = importSeed(identity.secretKey.slice(0, SEED_BYTES), false);
    signingKeys.set(identity, key);
  }
  return new Uint8Array(await (subtle as SubtleCrypto).sign(ED25519, await key, new Uint8Array(message)));
}

type Verifier = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => Promise<boolean>;

const importedKeys = new Map<string, Promise<CryptoKey>>();
const MAX_CACHED_KEYS = 4096;

const verifyWithNacl: Verifier = async (publicKey, message, signature) => nacl.sign.detached.verify(message, signature, publicKey);

const verifyWithWebCrypto: Verifier = async (publicKey, message, signature) => {
  const cacheKey = String.fromCharCode(...publicKey);
  let key = importedKeys.get(cacheKey);
  if (key === undefined) {
    if (importedKeys.size >= MAX_CACHED_KEYS) importedKeys.clear();
    key = (subtle as SubtleCrypto).importKey('raw', new Uint8Array(publicKey), ED25519, false, ['verify']);
    importedKeys.set(cacheKey, key);
  }
  return (subtle as SubtleCrypto).verify(ED25519, await key, new Uint8Array(signature), new Uint8Array(message));
};

/** True only for a valid ed25519 signature of `message` by `publicKey`. Never throws. */
export async function verifySignature(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
  if (publicKey.length !== PUBLIC_KEY_BYTES || signature.length !== SIGNATURE_BYTES) return false;
  try {
    return await ((await hasNativeEd25519()) ? verifyWithWebCrypto : verifyWithNacl)(publicKey, message, signature);
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
