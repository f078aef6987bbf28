/**
 * File messages through the one wire parser: what the encoder writes comes back as written, and
 * anything hostile (oversized counts, pieces beyond any file, bitfields longer than their file,
 * indexes not made of whole hashes, truncation, trailing bytes) is a counted reason, never a throw.
 */
import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import { MAX_FILE_PIECES } from '../../src/core/file-manifest.js';
import { toBase64Url } from '../../src/crypto/encoding.js';
import { encodeFileMessage, FILE_MESSAGE_TYPES, MAX_PIECE_CIPHER_BYTES, MAX_QUERY_IDS, MAX_REQUEST_PIECES, type FileMessage } from '../../src/transport/file-messages.js';
import { parseWireMessage } from '../../src/transport/wire-messages.js';
import { createRandom } from '../helpers/random.js';

const id = toBase64Url(Uint8Array.from({ length: 16 }, (_, i) => i * 7));
const rawId = Uint8Array.from({ length: 16 }, (_, i) => i * 7);

const roundTrip = (message: FileMessage): unknown => {
  const parsed = parseWireMessage(encodeFileMessage(message));
  return parsed.kind === 'file' ? parsed.message : parsed;
};

const build = (type: number, write: (encoder: encoding.Encoder) => void): Uint8Array => {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, type);
  write(encoder);
  return encoding.toUint8Array(encoder);
};

const verdict = (bytes: Uint8Array): string => {
  const parsed = parseWireMessage(bytes);
  return parsed.kind === 'invalid' ? parsed.reason : parsed.kind;
};

describe('file messages', () => {
  it('come back as they were written', () => {
    const messages: FileMessage[] = [
      { kind: 'query', ids: [id, id] },
      { kind: 'have', id, total: 9, bitfield: Uint8Array.of(0xff, 0x80) },
      { kind: 'have', id, total: 0, bitfield: new Uint8Array(0) },
      { kind: 'index-request', id },
      { kind: 'index', id, index: new Uint8Array(64).fill(3) },
      { kind: 'request', id, pieces: [0, 5, MAX_FILE_PIECES - 1] },
      { kind: 'piece', id, piece: 4, bytes: new Uint8Array(1000).fill(9) },
      { kind: 'none', id, piece: 'index' },
      { kind: 'none', id, piece: 0 },
    ];
    for (const message of messages) expect(roundTrip(message)).toEqual(message);
  });

  it('refuse counts and sizes beyond their bounds', () => {
    const query = (count: number) => build(FILE_MESSAGE_TYPES.query, (e) => {
      encoding.writeVarUint(e, count);
      for (let i = 0; i < count; i++) encoding.writeUint8Array(e, rawId);
    });
    expect(verdict(query(MAX_QUERY_IDS))).toBe('file');
    expect(verdict(query(MAX_QUERY_IDS + 1))).toBe('decode');
    expect(verdict(query(0))).toBe('decode');
    const request = (pieces: number[]) => build(FILE_MESSAGE_TYPES.request, (e) => {
      encoding.writeUint8Array(e, rawId);
      encoding.writeVarUint(e, pieces.length);
      for (const piece of pieces) encoding.writeVarUint(e, piece);
    });
    expect(verdict(request(new Array(MAX_REQUEST_PIECES).fill(1)))).toBe('file');
    expect(verdict(request(new Array(MAX_REQUEST_PIECES + 1).fill(1)))).toBe('decode');
    expect(verdict(request([MAX_FILE_PIECES]))).toBe('decode');
    const piece = (length: number) => build(FILE_MESSAGE_TYPES.piece, (e) => {
      encoding.writeUint8Array(e, rawId);
      encoding.writeVarUint(e, 0);
      encoding.writeVarUint8Array(e, new Uint8Array(length));
    });
    expect(verdict(piece(MAX_PIECE_CIPHER_BYTES))).toBe('file');
    expect(verdict(piece(MAX_PIECE_CIPHER_BYTES + 1))).toBe('size');
    const have = (total: number, bitfield: number) => build(FILE_MESSAGE_TYPES.have, (e) => {
      encoding.writeUint8Array(e, rawId);
      encoding.writeVarUint(e, total);
      encoding.writeVarUint8Array(e, new Uint8Array(bitfield));
    });
    expect(verdict(have(9, 2))).toBe('file');
    expect(verdict(have(9, 3))).toBe('size');
    expect(verdict(have(MAX_FILE_PIECES + 1, 0))).toBe('decode');
    const index = (length: number) => build(FILE_MESSAGE_TYPES.index, (e) => {
      encoding.writeUint8Array(e, rawId);
      encoding.writeVarUint8Array(e, new Uint8Array(length));
    });
    expect(verdict(index(32))).toBe('file');
    expect(verdict(index(33))).toBe('decode');
    expect(verdict(index(0))).toBe('decode');
    expect(verdict(index(MAX_FILE_PIECES * 32 + 32))).toBe('size');
  });

  it('refuse truncated ids and trailing bytes', () => {
    expect(verdict(build(FILE_MESSAGE_TYPES.indexRequest, (e) => encoding.writeUint8Array(e, rawId.subarray(0, 15))))).toBe('decode');
    expect(verdict(build(FILE_MESSAGE_TYPES.indexRequest, (e) => encoding.writeUint8Array(e, Uint8Array.of(...rawId, 0))))).toBe('decode');
  });

  it('never throw on random bodies of every file type', () => {
    const random = createRandom(1414);
    for (let round = 0; round < 3000; round++) {
      const type = FILE_MESSAGE_TYPES.query + (round % 7);
      const body = Uint8Array.from({ length: random.int(81) }, () => random.int(256));
      expect(() => parseWireMessage(Uint8Array.of(type, ...body))).not.toThrow();
    }
  });
});
