/**
 * Files in a room (docs/files-design.md): the manifest a v3 message or a private payload carries,
 * strict parsing of an untrusted one, and the piece arithmetic every side must agree on.
 *
 * A file is cut into FILE_PIECE_BYTES pieces; each travels as AES-256-GCM(file key, counter IV) and
 * is named by the SHA-256 of that ciphertext. The index is those hashes concatenated, and `root`
 * is the SHA-256 of the index, so one signed 43-character value pins every byte of the file.
 *
 * This module and message-entry.ts import each other (checkBase64 and isValidLabel here, the
 * manifest there). That is safe only while neither uses the other's bindings at load time: keep
 * every top-level value here a literal.
 */
import { fromBase64Url, toBase64Url } from '../crypto/encoding.js';
import { checkBase64, isValidLabel } from './message-entry.js';
import { hasExactFields, isPlainObject } from './strict-json.js';
import type { DropReason } from './types.js';

export const FILE_PIECE_BYTES = 256 * 1024;
/** Absolute; a room rule may lower it. */
export const MAX_FILE_BYTES = 2 * 1024 ** 3;
export const MAX_THUMB_BYTES = 16 * 1024;
export const MAX_FILE_NAME_CHARS = 255;
export const FILE_HASH_BYTES = 32;
export const FILE_KEY_BYTES = 32;
export const MAX_FILE_PIECES = MAX_FILE_BYTES / FILE_PIECE_BYTES;
/** AES-GCM authentication tag: what a stored piece has beyond its plaintext (the IV is implied by the index). */
export const PIECE_TAG_BYTES = 16;
export const MAX_MIME_CHARS = 100;

export interface FileManifest {
  /** Plaintext bytes, 1 … MAX_FILE_BYTES. */
  readonly size: number;
  /** Lowercase MIME type `type/subtype` (isValidMimeType); what the sender's browser said, never trusted for rendering. */
  readonly type: string;
  /** base64url of this file's own 32-byte AES-256-GCM key. */
  readonly key: string;
  /** base64url SHA-256 of the index (every piece's ciphertext hash, in order). */
  readonly root: string;
  /** base64url of a JPEG of at most MAX_THUMB_BYTES, made by the sender; images only. */
  readonly thumb?: string;
}

const FIELDS: readonly string[] = ['size', 'type', 'key', 'root'];
const THUMB_FIELDS: readonly string[] = [...FIELDS, 'thumb'];
const MAX_THUMB_CHARS = Math.ceil((MAX_THUMB_BYTES * 4) / 3);
/** Longest JSON text of a manifest: the fixed text around the values plus each value at its longest (none needs escaping). */
export const MAX_MANIFEST_JSON_CHARS = '{"size":,"type":"","key":"","root":"","thumb":""}'.length + String(MAX_FILE_BYTES).length + MAX_MIME_CHARS + 2 * 43 + MAX_THUMB_CHARS;

// RFC 6838 §4.2 restricted-name, lowercase only (one spelling per type), no parameters.
const MIME_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/;
// Separators a save dialog or a path join could take as directories; NUL ends C strings.
const FILE_NAME_FORBIDDEN = /[/\\\u0000]/;
/** Types a browser renders as pixels only: no SVG (scripts), no HTML. */
const INLINE_IMAGE_TYPES: ReadonlySet<string> = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif']);

function checkSize(size: number): void {
  if (!Number.isInteger(size) || size < 1 || size > MAX_FILE_BYTES) throw new RangeError('invalid file size');
}

/** Pieces a file of `size` bytes is cut into. RangeError for a size no manifest can have. */
export function pieceCount(size: number): number {
  checkSize(size);
  return Math.ceil(size / FILE_PIECE_BYTES);
}

/** Plaintext bytes of piece `index`: FILE_PIECE_BYTES, except the last. RangeError outside the file. */
export function plainPieceLength(size: number, index: number): number {
  if (!Number.isInteger(index) || index < 0 || index >= pieceCount(size)) throw new RangeError('piece index outside the file');
  return Math.min(FILE_PIECE_BYTES, size - index * FILE_PIECE_BYTES);
}

/** Stored and transferred bytes of piece `index`: its plaintext plus the GCM tag. */
export function cipherPieceLength(size: number, index: number): number {
  return plainPieceLength(size, index) + PIECE_TAG_BYTES;
}

/** Bytes of the index of a file of `size` bytes (one hash per piece). */
export function indexLength(size: number): number {
  return pieceCount(size) * FILE_HASH_BYTES;
}

/** A file name as a one-line label: 1–255 characters, trimmed, no controls or bidi overrides, no path separators, not '.' or '..'. */
export function isValidFileName(name: string): boolean {
  return isValidLabel(name, MAX_FILE_NAME_CHARS) && !FILE_NAME_FORBIDDEN.test(name) && name !== '.' && name !== '..';
}

/** A lowercase `type/subtype` of RFC 6838 token characters, at most MAX_MIME_CHARS. */
export function isValidMimeType(type: string): boolean {
  return type.length <= MAX_MIME_CHARS && MIME_TYPE.test(type);
}

/** Whether the UI may show the file as an <img> inline. Anything else is offered as a download only. */
export function isInlineImageType(type: string): boolean {
  return INLINE_IMAGE_TYPES.has(type);
}

function checkManifest(value: unknown): FileManifest | DropReason {
  if (!isPlainObject(value)) return 'shape';
  const hasThumb = Object.hasOwn(value, 'thumb');
  if (!hasExactFields(value, hasThumb ? THUMB_FIELDS : FIELDS)) return 'shape';
  const { size, type, key, root, thumb } = value;
  if (typeof size !== 'number' || typeof type !== 'string' || typeof key !== 'string' || typeof root !== 'string') return 'shape';
  if (hasThumb && typeof thumb !== 'string') return 'shape';
  if (!Number.isInteger(size)) return 'shape';
  // Sizes before any scan of the contents.
  if (size < 1 || size > MAX_FILE_BYTES || type.length > MAX_MIME_CHARS) return 'size';
  if (typeof thumb === 'string' && thumb.length > MAX_THUMB_CHARS) return 'size';
  const encoding = checkBase64(key, FILE_KEY_BYTES) ?? checkBase64(root, FILE_HASH_BYTES);
  if (encoding !== null) return encoding;
  if (!isValidMimeType(type)) return 'shape';
  if (typeof thumb !== 'string') return { size, type, key, root };
  // fromBase64Url accepts only canonical text, so one thumbnail has one text (and one signature).
  const bytes = fromBase64Url(thumb);
  if (bytes === null) return 'shape';
  if (bytes.length > MAX_THUMB_BYTES) return 'size';
  if (bytes.length < 3 || bytes[0] !== 0xff || bytes[1] !== 0xd8 || bytes[2] !== 0xff) return 'shape';
  return { size, type, key, root, thumb };
}

/** A fresh, exact manifest from an untrusted value, or why it was dropped. Never throws. */
export function parseFileManifest(value: unknown): FileManifest | DropReason {
  try {
    return checkManifest(value);
  } catch {
    // A hostile getter or proxy; plain decoded values never get here.
    return 'shape';
  }
}

/**
 * The manifest's values in signing order. An absent thumbnail signs as '', which no valid
 * thumbnail is (it must hold a JPEG), so the two never share bytes.
 */
export function manifestSigningValues(m: FileManifest): string[] {
  return [String(m.size), m.type, m.key, m.root, m.thumb ?? ''];
}

/** The manifest with its fields in the one stored order (size, type, key, root, thumb?), ready for JSON.stringify. */
export function orderedManifest(m: FileManifest): FileManifest {
  const { size, type, key, root, thumb } = m;
  return thumb === undefined ? { size, type, key, root } : { size, type, key, root, thumb };
}

/** The `root` of an index: base64url of its SHA-256. */
export async function indexRoot(index: Uint8Array): Promise<string> {
  // WebCrypto copies its input itself; a view of an ArrayBuffer needs no copy here.
  const input = index.buffer instanceof ArrayBuffer ? (index as Uint8Array<ArrayBuffer>) : new Uint8Array(index);
  return toBase64Url(new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', input)));
}

/** The hash of piece `i` in `index`: a view into it, not a copy. RangeError outside the index. */
export function pieceHashAt(index: Uint8Array, i: number): Uint8Array {
  if (!Number.isInteger(i) || i < 0 || (i + 1) * FILE_HASH_BYTES > index.length) throw new RangeError('piece index outside the index');
  return index.subarray(i * FILE_HASH_BYTES, (i + 1) * FILE_HASH_BYTES);
}
