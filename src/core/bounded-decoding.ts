/**
 * Reading numbers and byte strings from untrusted lib0-encoded input, with bounds. lib0's own
 * readVarUint turns an over-long varint (147 bytes of 0x80 then 0x01) into Infinity, and
 * writeVarUint(Infinity) never returns (lib0 0.2): one such presence update froze every tab it
 * reached. Everything decoded from the network goes through these instead, and is bounded before
 * anything uses or re-encodes it.
 */

/** A position in a byte string being read; the same shape as lib0's Decoder, so either can be passed. */
export interface ByteReader {
  readonly arr: Uint8Array;
  pos: number;
}

/** A varint longer than this many bytes is refused outright: 8 bytes carry 56 bits, more than any safe integer. */
const MAX_VARINT_BYTES = 8;

/** Thrown by the readers below; callers catch it and drop the input (never past their handler). */
export class DecodeError extends Error {
  readonly code = 'PARLEY_ERR_DECODE';
  /** 'size' when a length or number is over its bound, 'decode' for anything else malformed. */
  readonly reason: 'size' | 'decode';
  constructor(message: string, reason: 'size' | 'decode' = 'decode') {
    super(message);
    this.reason = reason;
  }
}

export function createReader(bytes: Uint8Array): ByteReader {
  return { arr: bytes, pos: 0 };
}

/** Reads an unsigned LEB128 varint (lib0's format) no greater than `max` (at most 2^53 - 1). */
export function readBoundedUint(reader: ByteReader, max: number): number {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < MAX_VARINT_BYTES; i++) {
    const byte = reader.arr[reader.pos];
    if (byte === undefined) throw new DecodeError('truncated varint');
    reader.pos++;
    value += (byte & 0x7f) * scale;
    if (value > max) throw new DecodeError('number out of range');
    if (byte < 0x80) return value;
    scale *= 128;
  }
  throw new DecodeError('varint too long');
}

/** Reads a length-prefixed byte string of at most `maxBytes`, refusing a length beyond the input. */
export function readBoundedBytes(reader: ByteReader, maxBytes: number): Uint8Array {
  let length: number;
  try {
    length = readBoundedUint(reader, maxBytes);
  } catch (error) {
    // A well-formed length over the bound is a size to count, not garbage.
    throw error instanceof DecodeError && error.message === 'number out of range' ? new DecodeError('length over its bound', 'size') : error;
  }
  if (length > reader.arr.length - reader.pos) throw new DecodeError('length beyond input');
  const bytes = reader.arr.subarray(reader.pos, reader.pos + length);
  reader.pos += length;
  return bytes;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads a length-prefixed UTF-8 string of at most `maxBytes` bytes; invalid UTF-8 is refused. */
export function readBoundedString(reader: ByteReader, maxBytes: number): string {
  const bytes = readBoundedBytes(reader, maxBytes);
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new DecodeError('invalid utf-8');
  }
}

/** True when every byte has been read. */
export function atEnd(reader: ByteReader): boolean {
  return reader.pos >= reader.arr.length;
}
