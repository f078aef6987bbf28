import { describe, expect, it } from 'vitest';
import {
  cipherPieceLength,
  FILE_PIECE_BYTES,
  indexLength,
  indexRoot,
  isInlineImageType,
  isValidFileName,
  isValidMimeType,
  manifestSigningValues,
  MAX_FILE_BYTES,
  MAX_FILE_NAME_CHARS,
  MAX_FILE_PIECES,
  MAX_MANIFEST_JSON_CHARS,
  MAX_THUMB_BYTES,
  orderedManifest,
  parseFileManifest,
  pieceCount,
  pieceHashAt,
  plainPieceLength,
  type FileManifest,
} from '../../src/core/file-manifest.js';
import { fromBase64Url, toBase64Url, toHex } from '../../src/crypto/encoding.js';

const KEY = toBase64Url(new Uint8Array(32).fill(7));
const ROOT = toBase64Url(Uint8Array.from({ length: 32 }, (_, i) => i));
/** A JPEG's first bytes and then `length - 3` more: only the magic is checked, not the image. */
const jpeg = (length: number): Uint8Array => Uint8Array.from({ length }, (_, i) => [0xff, 0xd8, 0xff][i] ?? i & 255);
const THUMB = toBase64Url(jpeg(100));
const manifest: FileManifest = { size: 1_048_581, type: 'image/png', key: KEY, root: ROOT, thumb: THUMB };

describe('piece arithmetic', () => {
  it('cuts a file into 256 KiB pieces, the last one shorter', () => {
    expect(MAX_FILE_PIECES).toBe(8192);
    expect(pieceCount(1)).toBe(1);
    expect(pieceCount(FILE_PIECE_BYTES)).toBe(1);
    expect(pieceCount(FILE_PIECE_BYTES + 1)).toBe(2);
    expect(pieceCount(MAX_FILE_BYTES)).toBe(MAX_FILE_PIECES);
    expect(pieceCount(1_048_581)).toBe(5);
    expect([0, 1, 2, 3, 4].map((i) => plainPieceLength(1_048_581, i))).toEqual([FILE_PIECE_BYTES, FILE_PIECE_BYTES, FILE_PIECE_BYTES, FILE_PIECE_BYTES, 5]);
    expect(cipherPieceLength(1_048_581, 4)).toBe(21);
    expect(cipherPieceLength(1_048_581, 0)).toBe(FILE_PIECE_BYTES + 16);
    expect(indexLength(1_048_581)).toBe(5 * 32);
  });

  it('refuses sizes and indexes no manifest can have', () => {
    for (const size of [0, -1, 1.5, MAX_FILE_BYTES + 1, Number.NaN]) expect(() => pieceCount(size), String(size)).toThrow(RangeError);
    for (const index of [-1, 5, 0.5]) expect(() => plainPieceLength(1_048_581, index), String(index)).toThrow(RangeError);
  });

  it('hashes the index into its root and reads hashes out of it', async () => {
    const index = Uint8Array.from({ length: 64 }, (_, i) => i);
    // SHA-256 of bytes 0..63, computed independently (`python3 -c "import hashlib;print(hashlib.sha256(bytes(range(64))).hexdigest())"`).
    expect(toHex(fromBase64Url(await indexRoot(index))!)).toBe('fdeab9acf3710362bd2658cdc9a29e8f9c757fcf9811603a8c447cd1d9151108');
    expect(await indexRoot(index.subarray(0, 32))).not.toBe(await indexRoot(index));
    expect(Array.from(pieceHashAt(index, 1))).toEqual(Array.from({ length: 32 }, (_, i) => i + 32));
    expect(() => pieceHashAt(index, 2)).toThrow(RangeError);
    expect(() => pieceHashAt(index, -1)).toThrow(RangeError);
  });
});

describe('file names and types', () => {
  it('accepts names in any script up to 255 characters', () => {
    for (const name of ['report.pdf', 'Отчёт 2024.docx', '写真 (1).jpg', '👩‍🚀.png', 'no extension', '.bashrc', '...', 'x'.repeat(MAX_FILE_NAME_CHARS)]) expect(isValidFileName(name), name).toBe(true);
  });

  it('refuses separators, controls, bidi overrides, lone surrogates, dot names and overlong names', () => {
    const bad = ['', 'a/b', '../etc/passwd', 'a\\b', 'a\u0000b', 'a\nb', 'a\u0007b', 'a\u009Fb', 'invoice\u202Efdp.exe', 'a\u2066b', 'a\uD800b', 'a\uDC00', '.', '..', ' lead', 'trail ', 'x'.repeat(MAX_FILE_NAME_CHARS + 1)];
    for (const name of bad) expect(isValidFileName(name), JSON.stringify(name)).toBe(false);
  });

  it('accepts lowercase RFC 6838 types and refuses anything else', () => {
    for (const type of ['application/octet-stream', 'image/svg+xml', 'text/html', 'application/vnd.ms-excel', 'video/mp4', 'application/x-7z-compressed']) expect(isValidMimeType(type), type).toBe(true);
    const bad = ['', 'image', 'image/', '/png', 'Image/PNG', 'text/plain; charset=utf-8', 'image/png ', 'a/b/c', '-x/y', 'image/pn g', `a/${'b'.repeat(99)}`];
    for (const type of bad) expect(isValidMimeType(type), type).toBe(false);
    expect(isValidMimeType(`a/${'b'.repeat(98)}`)).toBe(true);
  });

  it('renders inline only raster images: SVG and HTML are valid types but never inline', () => {
    for (const type of ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif']) expect(isInlineImageType(type), type).toBe(true);
    for (const type of ['image/svg+xml', 'text/html', 'application/xhtml+xml', 'image/PNG', 'image/png;x', 'image/bmp', 'application/octet-stream']) expect(isInlineImageType(type), type).toBe(false);
    expect(isValidMimeType('image/svg+xml') && isValidMimeType('text/html')).toBe(true);
  });
});

describe('parseFileManifest', () => {
  it('returns an exact copy of a valid manifest, with and without a thumbnail', () => {
    expect(parseFileManifest(JSON.parse(JSON.stringify(manifest)))).toEqual(manifest);
    const { thumb: _thumb, ...bare } = manifest;
    const parsed = parseFileManifest(bare);
    expect(parsed).toEqual(bare);
    expect(Object.keys(parsed as object)).toEqual(['size', 'type', 'key', 'root']);
    expect(parseFileManifest({ ...bare, size: MAX_FILE_BYTES })).toEqual({ ...bare, size: MAX_FILE_BYTES });
    expect(parseFileManifest({ ...bare, size: 1 })).toEqual({ ...bare, size: 1 });
  });

  it('accepts the largest thumbnail, and its manifest fits MAX_MANIFEST_JSON_CHARS', () => {
    const largest = { size: MAX_FILE_BYTES, type: `a/${'b'.repeat(98)}`, key: KEY, root: ROOT, thumb: toBase64Url(jpeg(MAX_THUMB_BYTES)) };
    expect(largest.thumb.length).toBe(21_846);
    expect(parseFileManifest(largest)).toEqual(largest);
    expect(JSON.stringify(orderedManifest(largest)).length).toBe(MAX_MANIFEST_JSON_CHARS);
  });

  it('drops hostile manifests with a reason', () => {
    const cases: Array<[string, unknown, string]> = [
      ['null', null, 'shape'],
      ['array', [manifest], 'shape'],
      ['JSON text', JSON.stringify(manifest), 'shape'],
      ['extra field', { ...manifest, name: 'x' }, 'shape'],
      ['missing root', { size: 1, type: 'image/png', key: KEY }, 'shape'],
      ['class instance', Object.assign(new (class Fake {})(), manifest), 'shape'],
      ['size as string', { ...manifest, size: '10' }, 'shape'],
      ['size as bigint', { ...manifest, size: 10n }, 'shape'],
      ['fractional size', { ...manifest, size: 1.5 }, 'shape'],
      ['NaN size', { ...manifest, size: Number.NaN }, 'shape'],
      ['infinite size', { ...manifest, size: Number.POSITIVE_INFINITY }, 'shape'],
      ['zero size', { ...manifest, size: 0 }, 'size'],
      ['negative size', { ...manifest, size: -5 }, 'size'],
      ['too large', { ...manifest, size: MAX_FILE_BYTES + 1 }, 'size'],
      ['type not a string', { ...manifest, type: ['image/png'] }, 'shape'],
      ['uppercase type', { ...manifest, type: 'image/PNG' }, 'shape'],
      ['type with parameters', { ...manifest, type: 'text/html; charset=utf-8' }, 'shape'],
      ['overlong type', { ...manifest, type: `a/${'b'.repeat(99)}` }, 'size'],
      ['short key', { ...manifest, key: KEY.slice(1) }, 'size'],
      ['key with padding', { ...manifest, key: `${KEY.slice(0, -1)}=` }, 'shape'],
      // The 43rd character of 32 bytes carries 4 data bits; 'B' sets a spare bit: non-canonical.
      ['non-canonical root', { ...manifest, root: `${ROOT.slice(0, -1)}B` }, 'shape'],
      ['standard base64 root', { ...manifest, root: `${ROOT.slice(0, -2)}+/` }, 'shape'],
      ['null thumb', { ...manifest, thumb: null }, 'shape'],
      ['undefined thumb', { ...manifest, thumb: undefined }, 'shape'],
      ['empty thumb', { ...manifest, thumb: '' }, 'shape'],
      ['thumb not JPEG (PNG magic)', { ...manifest, thumb: toBase64Url(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 1, 2])) }, 'shape'],
      ['thumb with a wrong third magic byte', { ...manifest, thumb: toBase64Url(Uint8Array.from([0xff, 0xd8, 0x00, 0xe0])) }, 'shape'],
      ['thumb of two magic bytes', { ...manifest, thumb: toBase64Url(Uint8Array.from([0xff, 0xd8])) }, 'shape'],
      ['non-canonical thumb', { ...manifest, thumb: `${toBase64Url(jpeg(4)).slice(0, -1)}B` }, 'shape'],
      ['thumb one byte too big', { ...manifest, thumb: toBase64Url(jpeg(MAX_THUMB_BYTES + 1)) }, 'size'],
      ['huge thumb', { ...manifest, thumb: 'A'.repeat(1_000_000) }, 'size'],
    ];
    for (const [name, value, reason] of cases) expect(parseFileManifest(value), name).toBe(reason);
  });

  it('never throws on hostile objects', () => {
    const proxy = new Proxy({}, { ownKeys: () => { throw new Error('boom'); } });
    expect(parseFileManifest(proxy)).toBe('shape');
    const getter = { ...manifest };
    Object.defineProperty(getter, 'size', { enumerable: true, get: () => { throw new Error('boom'); } });
    expect(parseFileManifest(getter)).toBe('shape');
  });
});

describe('signing values and stored order', () => {
  it('lists the values in fixed order, an absent thumbnail as an empty string', () => {
    expect(manifestSigningValues(manifest)).toEqual(['1048581', 'image/png', KEY, ROOT, THUMB]);
    const { thumb: _thumb, ...bare } = manifest;
    expect(manifestSigningValues(bare)).toEqual(['1048581', 'image/png', KEY, ROOT, '']);
  });

  it('orders the fields the same whatever order they came in', () => {
    const shuffled = { thumb: THUMB, root: ROOT, key: KEY, type: 'image/png', size: 1_048_581 };
    expect(JSON.stringify(orderedManifest(shuffled))).toBe(JSON.stringify(manifest));
    expect(Object.keys(orderedManifest(shuffled))).toEqual(['size', 'type', 'key', 'root', 'thumb']);
  });
});
