import { describe, expect, it } from 'vitest';
import { FILE_PIECE_BYTES, indexRoot, MAX_FILE_PIECES, pieceHashAt } from '../../src/core/file-manifest.js';
import { equalBytes, fromHex, toHex } from '../../src/crypto/encoding.js';
import { createFileKey, decryptPiece, encryptPiece, sealFile, sha256 } from '../../src/crypto/file-pieces.js';

const bytes = (length: number, seed = 1): Uint8Array => Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 255);

/** An in-memory source that records what was asked of it. */
function memorySource(data: Uint8Array) {
  const reads: Array<[number, number]> = [];
  return { reads, source: { size: data.length, slice: async (start: number, end: number) => (reads.push([start, end]), data.slice(start, end)) } };
}

describe('file keys and pieces', () => {
  it('makes fresh 32-byte keys', () => {
    const a = createFileKey();
    expect(a.length).toBe(32);
    expect(toHex(a)).not.toBe(toHex(createFileKey()));
  });

  it('round-trips a piece: ciphertext ‖ 16-byte tag, no IV in front', async () => {
    const key = createFileKey();
    const plain = bytes(1000);
    const cipher = await encryptPiece(key, 3, plain);
    expect(cipher.length).toBe(1016);
    expect(toHex(cipher.subarray(0, 16))).not.toBe(toHex(plain.subarray(0, 16)));
    expect(await decryptPiece(key, 3, cipher)).toEqual(plain);
    // Deterministic for one key and index (the IV is the counter): the same piece seals the same.
    expect(await encryptPiece(key, 3, plain)).toEqual(cipher);
    expect(await encryptPiece(key, 4, plain)).not.toEqual(cipher);
  });

  it('uses 4 zero bytes ‖ the 8-byte big-endian index as IV (checked against WebCrypto directly)', async () => {
    const key = fromHex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
    const index = 0x1f0a;
    const plain = bytes(40);
    const iv = fromHex('000000000000000000001f0a');
    const cryptoKey = await crypto.subtle.importKey('raw', key, 'AES-GCM', false, ['encrypt']);
    const expected = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, cryptoKey, plain as Uint8Array<ArrayBuffer>));
    expect(toHex(await encryptPiece(key, index, plain))).toBe(toHex(expected));
  });

  it('encrypts only the bytes of a view, not the rest of its buffer', async () => {
    const key = createFileKey();
    const whole = bytes(300);
    const view = whole.subarray(100, 200);
    expect(await decryptPiece(key, 0, await encryptPiece(key, 0, view))).toEqual(whole.slice(100, 200));
  });

  it('returns null for an altered piece, another index, another key or a bad length, and never throws', async () => {
    const key = createFileKey();
    const plain = bytes(FILE_PIECE_BYTES);
    const cipher = await encryptPiece(key, 7, plain);
    for (const at of [0, 1000, cipher.length - 1]) {
      const tampered = cipher.slice();
      tampered[at]! ^= 1;
      expect(await decryptPiece(key, 7, tampered), `byte ${at}`).toBeNull();
    }
    expect(await decryptPiece(key, 6, cipher)).toBeNull();
    expect(await decryptPiece(key, 8, cipher)).toBeNull();
    expect(await decryptPiece(createFileKey(), 7, cipher)).toBeNull();
    expect(await decryptPiece(key, 7, cipher.subarray(0, cipher.length - 1))).toBeNull();
    expect(await decryptPiece(key, 7, new Uint8Array(16))).toBeNull();
    expect(await decryptPiece(key, 7, new Uint8Array(FILE_PIECE_BYTES + 17))).toBeNull();
    expect(await decryptPiece(new Uint8Array(16), 7, cipher)).toBeNull();
    for (const index of [-1, 1.5, MAX_FILE_PIECES, Number.NaN]) expect(await decryptPiece(key, index, cipher), String(index)).toBeNull();
    // Control: the untouched piece still opens, so each null above is the alteration.
    expect(equalBytes((await decryptPiece(key, 7, cipher))!, plain)).toBe(true);
  });

  it('refuses to encrypt what no file has: bad index, empty or oversized piece, short key', async () => {
    const key = createFileKey();
    await expect(encryptPiece(key, -1, bytes(10))).rejects.toThrow(RangeError);
    await expect(encryptPiece(key, MAX_FILE_PIECES, bytes(10))).rejects.toThrow(RangeError);
    await expect(encryptPiece(key, 0, new Uint8Array(0))).rejects.toThrow(RangeError);
    await expect(encryptPiece(key, 0, bytes(FILE_PIECE_BYTES + 1))).rejects.toThrow(RangeError);
    await expect(encryptPiece(new Uint8Array(16), 0, bytes(10))).rejects.toThrow(RangeError);
    expect((await encryptPiece(key, MAX_FILE_PIECES - 1, bytes(FILE_PIECE_BYTES))).length).toBe(FILE_PIECE_BYTES + 16);
  });

  it('hashes with SHA-256', async () => {
    expect(toHex(await sha256(new TextEncoder().encode('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('sealFile', () => {
  it('seals 1 MiB + 5 bytes as 5 pieces, reading one piece at a time, with a verifiable index', async () => {
    const data = bytes(1024 * 1024 + 5, 9);
    const key = createFileKey();
    const { source, reads } = memorySource(data);
    const stored: Uint8Array[] = [];
    const { index, root } = await sealFile(source, key, async (i, cipher) => {
      expect(i).toBe(stored.length);
      stored.push(cipher);
    });
    expect(stored.map((piece) => piece.length)).toEqual([FILE_PIECE_BYTES + 16, FILE_PIECE_BYTES + 16, FILE_PIECE_BYTES + 16, FILE_PIECE_BYTES + 16, 21]);
    expect(reads).toEqual([0, 1, 2, 3, 4].map((i) => [i * FILE_PIECE_BYTES, Math.min((i + 1) * FILE_PIECE_BYTES, data.length)]));
    expect(index.length).toBe(5 * 32);
    expect(root).toBe(await indexRoot(index));
    const plain: Uint8Array[] = [];
    for (const [i, cipher] of stored.entries()) {
      // Every member can check a piece against the index without the key.
      expect(toHex(await sha256(cipher))).toBe(toHex(pieceHashAt(index, i)));
      const opened = await decryptPiece(key, i, cipher);
      expect(opened).not.toBeNull();
      plain.push(opened!);
    }
    const joined = new Uint8Array(data.length);
    let at = 0;
    for (const piece of plain) (joined.set(piece, at), (at += piece.length));
    expect(at).toBe(data.length);
    expect(toHex(await sha256(joined))).toBe(toHex(await sha256(data)));
  });

  it('waits for each stored piece before reading the next', async () => {
    const events: string[] = [];
    const source = { size: 2 * FILE_PIECE_BYTES, slice: async (start: number, end: number) => (events.push(`read ${start / FILE_PIECE_BYTES}`), bytes(end - start)) };
    await sealFile(source, createFileKey(), async (i) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      events.push(`stored ${i}`);
    });
    expect(events).toEqual(['read 0', 'stored 0', 'read 1', 'stored 1']);
  });

  it('rejects an empty or oversized source, a short key, a source that changed, and a failed store', async () => {
    const key = createFileKey();
    const none = async (): Promise<void> => undefined;
    await expect(sealFile({ size: 0, slice: async () => new Uint8Array(0) }, key, none)).rejects.toThrow(RangeError);
    await expect(sealFile({ size: 3 * 1024 ** 3, slice: async () => new Uint8Array(0) }, key, none)).rejects.toThrow(RangeError);
    await expect(sealFile(memorySource(bytes(10)).source, new Uint8Array(31), none)).rejects.toThrow(RangeError);
    await expect(sealFile({ size: 10, slice: async () => bytes(9) }, key, none)).rejects.toThrow(RangeError);
    await expect(sealFile(memorySource(bytes(10)).source, key, async () => Promise.reject(new Error('disk full')))).rejects.toThrow('disk full');
  });
});
