/**
 * File pieces (docs/files-design.md): AES-256-GCM under the file's own key with a counter IV, and
 * SHA-256 of the ciphertext, which names a piece so that any member verifies and serves it without
 * the key. WebCrypto only: native, and it never holds more than the piece it is given.
 *
 * Counter IVs are safe because a key seals exactly one file, whose piece indexes are distinct;
 * the key must never be reused for a second file (createFileKey makes a fresh one per file).
 */
import { FILE_HASH_BYTES, FILE_KEY_BYTES, FILE_PIECE_BYTES, indexRoot, MAX_FILE_PIECES, PIECE_TAG_BYTES, pieceCount, plainPieceLength } from '../core/file-manifest.js';

const IV_BYTES = 12;

const imported = new WeakMap<Uint8Array, Promise<CryptoKey>>();

function importKey(key: Uint8Array): Promise<CryptoKey> {
  let cryptoKey = imported.get(key);
  if (cryptoKey === undefined) {
    if (key.length !== FILE_KEY_BYTES) throw new RangeError('file key must be 32 bytes');
    cryptoKey = globalThis.crypto.subtle.importKey('raw', new Uint8Array(key), { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
    imported.set(key, cryptoKey);
  }
  return cryptoKey;
}

/** 4 zero bytes ‖ the piece index as 8 bytes big-endian. */
function pieceIv(index: number): Uint8Array<ArrayBuffer> {
  const iv = new Uint8Array(IV_BYTES);
  new DataView(iv.buffer).setBigUint64(4, BigInt(index));
  return iv;
}

const isPieceIndex = (index: number): boolean => Number.isInteger(index) && index >= 0 && index < MAX_FILE_PIECES;

/** WebCrypto copies its input itself: a view of an ArrayBuffer goes as it is, only shared memory is copied. */
const asInput = (bytes: Uint8Array): Uint8Array<ArrayBuffer> => (bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes));

/** A fresh 32-byte key for one file. */
export function createFileKey(): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(FILE_KEY_BYTES));
}

/** Ciphertext ‖ 16-byte tag of piece `index` (1 … FILE_PIECE_BYTES of plaintext). RangeError for a bad key, index or length. */
export async function encryptPiece(key: Uint8Array, index: number, plain: Uint8Array): Promise<Uint8Array> {
  if (!isPieceIndex(index)) throw new RangeError('invalid piece index');
  if (plain.length < 1 || plain.length > FILE_PIECE_BYTES) throw new RangeError('invalid piece length');
  return new Uint8Array(await globalThis.crypto.subtle.encrypt({ name: 'AES-GCM', iv: pieceIv(index) }, await importKey(key), asInput(plain)));
}

/** The plaintext of piece `index`, or null if `cipher` is not that piece under this key or was altered. Never throws. */
export async function decryptPiece(key: Uint8Array, index: number, cipher: Uint8Array): Promise<Uint8Array | null> {
  if (!isPieceIndex(index) || cipher.length <= PIECE_TAG_BYTES || cipher.length > FILE_PIECE_BYTES + PIECE_TAG_BYTES) return null;
  try {
    return new Uint8Array(await globalThis.crypto.subtle.decrypt({ name: 'AES-GCM', iv: pieceIv(index) }, await importKey(key), asInput(cipher)));
  } catch {
    return null;
  }
}

export async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', asInput(bytes)));
}

/** What sealFile reads: a File/Blob behind an adapter, or bytes in tests. */
export interface FileSource {
  readonly size: number;
  /** Bytes [start, end) of the file. */
  slice(start: number, end: number): Promise<Uint8Array>;
}

/**
 * Encrypts a file piece by piece, handing each ciphertext to `onPiece` (which stores it) before
 * reading the next, so only one piece is in memory whatever the file's size. Returns the index
 * and its root for the manifest. Rejects with RangeError for a size no manifest allows, a bad key,
 * or a source that returns other lengths than asked (the file changed while being read).
 */
export async function sealFile(source: FileSource, key: Uint8Array, onPiece: (index: number, cipher: Uint8Array) => Promise<void>): Promise<{ index: Uint8Array; root: string }> {
  const size = source.size;
  const count = pieceCount(size);
  if (key.length !== FILE_KEY_BYTES) throw new RangeError('file key must be 32 bytes');
  const index = new Uint8Array(count * FILE_HASH_BYTES);
  for (let i = 0; i < count; i++) {
    const start = i * FILE_PIECE_BYTES;
    const length = plainPieceLength(size, i);
    const plain = await source.slice(start, start + length);
    if (plain.length !== length) throw new RangeError('file source returned a short or long piece');
    const cipher = await encryptPiece(key, i, plain);
    index.set(await sha256(cipher), i * FILE_HASH_BYTES);
    await onPiece(i, cipher);
  }
  return { index, root: await indexRoot(index) };
}
