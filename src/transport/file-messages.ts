/**
 * The messages that move files between members (docs/files-design.md), read by the one wire
 * parser (wire-messages.ts) with every count and length bounded before use.
 *
 * Layout after the wire type (lib0 encoding; a file id is the file message's 16-byte id, raw):
 *   FILE_QUERY (9)          varUint n ≤ MAX_QUERY_IDS, n × id: "which pieces of these do you have?"
 *   FILE_HAVE (10)          id, varUint pieces in the file (0: unknown here), varUint8Array bitfield
 *   FILE_INDEX_REQUEST (11) id: "send me this file's piece hashes"
 *   FILE_INDEX (12)         id, varUint8Array index (32 bytes per piece)
 *   FILE_REQUEST (13)       id, varUint n ≤ MAX_REQUEST_PIECES, n × varUint piece
 *   FILE_PIECE (14)         id, varUint piece, varUint8Array ciphertext
 *   FILE_NONE (15)          id, varUint piece + 1 (0: the index): "I cannot serve this"
 */
import * as encoding from 'lib0/encoding';
import { DecodeError, readBoundedBytes, readBoundedUint, type ByteReader } from '../core/bounded-decoding.js';
import { FILE_HASH_BYTES, FILE_PIECE_BYTES, MAX_FILE_PIECES } from '../core/file-manifest.js';
import { toBase64Url, fromBase64Url } from '../crypto/encoding.js';

export const FILE_MESSAGE_TYPES = { query: 9, have: 10, indexRequest: 11, index: 12, request: 13, piece: 14, none: 15 } as const;
const FILE_ID_BYTES = 16;
/** Ids one query may name: the files on screen at once. */
export const MAX_QUERY_IDS = 32;
/** Pieces one request may name: a downloader asks for a few at a time per source. */
export const MAX_REQUEST_PIECES = 8;
/** A piece as it travels: the plaintext piece plus the AES-GCM tag. */
export const MAX_PIECE_CIPHER_BYTES = FILE_PIECE_BYTES + 16;
const MAX_INDEX_BYTES = MAX_FILE_PIECES * FILE_HASH_BYTES;
const MAX_BITFIELD_BYTES = MAX_FILE_PIECES / 8;

export type FileMessage =
  | { readonly kind: 'query'; readonly ids: readonly string[] }
  | { readonly kind: 'have'; readonly id: string; readonly total: number; readonly bitfield: Uint8Array }
  | { readonly kind: 'index-request'; readonly id: string }
  | { readonly kind: 'index'; readonly id: string; readonly index: Uint8Array }
  | { readonly kind: 'request'; readonly id: string; readonly pieces: readonly number[] }
  | { readonly kind: 'piece'; readonly id: string; readonly piece: number; readonly bytes: Uint8Array }
  | { readonly kind: 'none'; readonly id: string; readonly piece: number | 'index' };

/** The kinds that answer a request and carry bulk bytes: they travel on the files channel. */
export const isBulkFileMessage = (message: FileMessage): boolean => message.kind === 'piece' || message.kind === 'index';

function readId(reader: ByteReader): string {
  if (reader.arr.length - reader.pos < FILE_ID_BYTES) throw new DecodeError('truncated file id');
  const id = toBase64Url(reader.arr.subarray(reader.pos, reader.pos + FILE_ID_BYTES));
  reader.pos += FILE_ID_BYTES;
  return id;
}

const readPiece = (reader: ByteReader): number => readBoundedUint(reader, MAX_FILE_PIECES - 1);

/** Reads the body of a file message of wire type `type` (one of FILE_MESSAGE_TYPES); throws DecodeError on anything malformed. */
export function readFileMessage(reader: ByteReader, type: number): FileMessage {
  switch (type) {
    case FILE_MESSAGE_TYPES.query: {
      const count = readBoundedUint(reader, MAX_QUERY_IDS);
      if (count === 0) throw new DecodeError('empty query');
      const ids: string[] = [];
      for (let i = 0; i < count; i++) ids.push(readId(reader));
      return { kind: 'query', ids };
    }
    case FILE_MESSAGE_TYPES.have: {
      const id = readId(reader);
      const total = readBoundedUint(reader, MAX_FILE_PIECES);
      const bitfield = readBoundedBytes(reader, MAX_BITFIELD_BYTES);
      if (bitfield.length > Math.ceil(total / 8)) throw new DecodeError('bitfield longer than the file', 'size');
      return { kind: 'have', id, total, bitfield };
    }
    case FILE_MESSAGE_TYPES.indexRequest:
      return { kind: 'index-request', id: readId(reader) };
    case FILE_MESSAGE_TYPES.index: {
      const id = readId(reader);
      const index = readBoundedBytes(reader, MAX_INDEX_BYTES);
      if (index.length === 0 || index.length % FILE_HASH_BYTES !== 0) throw new DecodeError('index not whole hashes');
      return { kind: 'index', id, index };
    }
    case FILE_MESSAGE_TYPES.request: {
      const id = readId(reader);
      const count = readBoundedUint(reader, MAX_REQUEST_PIECES);
      if (count === 0) throw new DecodeError('empty request');
      const pieces: number[] = [];
      for (let i = 0; i < count; i++) pieces.push(readPiece(reader));
      return { kind: 'request', id, pieces };
    }
    case FILE_MESSAGE_TYPES.piece: {
      const id = readId(reader);
      const piece = readPiece(reader);
      const bytes = readBoundedBytes(reader, MAX_PIECE_CIPHER_BYTES);
      return { kind: 'piece', id, piece, bytes };
    }
    case FILE_MESSAGE_TYPES.none: {
      const id = readId(reader);
      const code = readBoundedUint(reader, MAX_FILE_PIECES);
      return { kind: 'none', id, piece: code === 0 ? 'index' : code - 1 };
    }
    default:
      throw new DecodeError('not a file message');
  }
}

function writeId(encoder: encoding.Encoder, id: string): void {
  const bytes = fromBase64Url(id);
  if (bytes === null || bytes.length !== FILE_ID_BYTES) throw new RangeError('invalid file id');
  encoding.writeUint8Array(encoder, bytes);
}

/** Encodes a file message for the wire (wire type first). Throws RangeError on an id that is not 16 bytes. */
export function encodeFileMessage(message: FileMessage): Uint8Array {
  const encoder = encoding.createEncoder();
  switch (message.kind) {
    case 'query':
      encoding.writeVarUint(encoder, FILE_MESSAGE_TYPES.query);
      encoding.writeVarUint(encoder, message.ids.length);
      for (const id of message.ids) writeId(encoder, id);
      break;
    case 'have':
      encoding.writeVarUint(encoder, FILE_MESSAGE_TYPES.have);
      writeId(encoder, message.id);
      encoding.writeVarUint(encoder, message.total);
      encoding.writeVarUint8Array(encoder, message.bitfield);
      break;
    case 'index-request':
      encoding.writeVarUint(encoder, FILE_MESSAGE_TYPES.indexRequest);
      writeId(encoder, message.id);
      break;
    case 'index':
      encoding.writeVarUint(encoder, FILE_MESSAGE_TYPES.index);
      writeId(encoder, message.id);
      encoding.writeVarUint8Array(encoder, message.index);
      break;
    case 'request':
      encoding.writeVarUint(encoder, FILE_MESSAGE_TYPES.request);
      writeId(encoder, message.id);
      encoding.writeVarUint(encoder, message.pieces.length);
      for (const piece of message.pieces) encoding.writeVarUint(encoder, piece);
      break;
    case 'piece':
      encoding.writeVarUint(encoder, FILE_MESSAGE_TYPES.piece);
      writeId(encoder, message.id);
      encoding.writeVarUint(encoder, message.piece);
      encoding.writeVarUint8Array(encoder, message.bytes);
      break;
    case 'none':
      encoding.writeVarUint(encoder, FILE_MESSAGE_TYPES.none);
      writeId(encoder, message.id);
      encoding.writeVarUint(encoder, message.piece === 'index' ? 0 : message.piece + 1);
      break;
  }
  return encoding.toUint8Array(encoder);
}
