/**
 * The plaintext inside every sealed room row: [format version, row kind] ‖ payload, sealed with
 * the room's storeKey. The kind byte keeps an identity row from being read as an update and
 * vice versa; a row of another room fails to open because every room has its own storeKey.
 *
 * A row is sealed in segments of at most 1 MiB of plaintext, each its own AES-GCM message, laid
 * end to end. Chromium runs WebCrypto's AES-GCM on the calling thread (32 MiB took 0.37–0.56 s
 * here, all of it blocking the page); segment by segment, the page gets a turn between them.
 * Each segment starts with [row id (8 random bytes), index, count], so segments cannot be
 * dropped, reordered or mixed between rows without the row failing to open.
 */
import * as Y from 'yjs';
import type { DropReason } from '../core/types.js';
import { AES_GCM_OVERHEAD, openAesGcm, sealAesGcm } from '../crypto/aes-gcm.js';
import { concatBytes, equalBytes } from '../crypto/encoding.js';
import type { StoreDropHandler } from './types.js';

const ROW_FORMAT_VERSION = 1;
export const ROW_UPDATE = 1;
export const ROW_IDENTITY = 2;
export const ROW_TAIL = 3;
export const ROW_ADMIN = 4;
export const ROW_BLOCKED = 5;
export type RowKind = typeof ROW_UPDATE | typeof ROW_IDENTITY | typeof ROW_TAIL | typeof ROW_ADMIN | typeof ROW_BLOCKED;

const SEGMENT_BYTES = 1 << 20;
const ROW_ID_BYTES = 8;
const SEGMENT_HEADER_BYTES = ROW_ID_BYTES + 8;
const SEALED_SEGMENT_BYTES = SEGMENT_HEADER_BYTES + SEGMENT_BYTES + AES_GCM_OVERHEAD;

function segmentHeader(rowId: Uint8Array, index: number, count: number): Uint8Array {
  const header = new Uint8Array(SEGMENT_HEADER_BYTES);
  header.set(rowId);
  const view = new DataView(header.buffer);
  view.setUint32(ROW_ID_BYTES, index);
  view.setUint32(ROW_ID_BYTES + 4, count);
  return header;
}

/** Seals one row's payload with its kind. */
export async function sealRow(storeKey: Uint8Array, kind: RowKind, payload: Uint8Array): Promise<Uint8Array> {
  const bodyLength = 2 + payload.length;
  const count = Math.ceil(bodyLength / SEGMENT_BYTES);
  const rowId = globalThis.crypto.getRandomValues(new Uint8Array(ROW_ID_BYTES));
  const sealed: Uint8Array[] = [];
  for (let index = 0; index < count; index++) {
    // Each segment's plaintext is written once, straight from the payload (a history arriving in
    // pieces seals a row per piece: three copies of each cost more than the encryption).
    const start = index * SEGMENT_BYTES;
    const end = Math.min(bodyLength, start + SEGMENT_BYTES);
    const plain = new Uint8Array(SEGMENT_HEADER_BYTES + end - start);
    plain.set(segmentHeader(rowId, index, count));
    let at = SEGMENT_HEADER_BYTES;
    if (start === 0) {
      plain[at++] = ROW_FORMAT_VERSION;
      plain[at++] = kind;
    }
    plain.set(payload.subarray(Math.max(0, start - 2), end - 2), at);
    sealed.push(await sealAesGcm(storeKey, plain));
  }
  return sealed.length === 1 ? (sealed[0] as Uint8Array) : concatBytes(...sealed);
}

/** The payload of a stored value, or why it cannot be used. */
export async function openRow(storeKey: Uint8Array, kind: RowKind, stored: unknown): Promise<Uint8Array | DropReason> {
  if (!(stored instanceof Uint8Array) || stored.length === 0) return 'shape';
  const count = Math.ceil(stored.length / SEALED_SEGMENT_BYTES);
  const pieces: Uint8Array[] = [];
  let rowId: Uint8Array | null = null;
  for (let index = 0; index < count; index++) {
    const plaintext = await openAesGcm(storeKey, stored.subarray(index * SEALED_SEGMENT_BYTES, (index + 1) * SEALED_SEGMENT_BYTES));
    if (plaintext === null) return 'decrypt';
    // Authentic, but not this row's next segment: reordered, cut short, spliced, or another format.
    if (plaintext.length < SEGMENT_HEADER_BYTES) return 'unknown_type';
    rowId ??= plaintext.slice(0, ROW_ID_BYTES);
    const expected = segmentHeader(rowId, index, count);
    if (!equalBytes(expected, plaintext.subarray(0, SEGMENT_HEADER_BYTES))) return 'unknown_type';
    pieces.push(plaintext.subarray(SEGMENT_HEADER_BYTES));
  }
  const body = pieces.length === 1 ? (pieces[0] as Uint8Array) : concatBytes(...pieces);
  if (body.length < 2 || body[0] !== ROW_FORMAT_VERSION || body[1] !== kind) return 'unknown_type';
  return body.subarray(2);
}

/**
 * Merges updates into one, dropping (and reporting) any that Yjs cannot parse. With two or more,
 * Y.mergeUpdates parses every one, which is the check; a lone update is checked with
 * Y.parseUpdateMeta, which reads all its structs at about a third of the cost of applying it.
 */
export function mergeValidUpdates(updates: readonly Uint8Array[], onDrop: StoreDropHandler): Uint8Array | null {
  try {
    return mergeOrNull(updates);
  } catch {
    // Rare path: find the bad rows one by one, then merge the rest.
    const valid = updates.filter((update) => {
      try {
        Y.decodeUpdate(update);
        return true;
      } catch {
        onDrop('decode');
        return false;
      }
    });
    try {
      return mergeOrNull(valid);
    } catch {
      for (let i = 0; i < valid.length; i++) onDrop('decode');
      return null;
    }
  }
}

/** Merges updates into one (null for none); throws if Yjs cannot parse one of them. */
export function mergeOrNull(updates: readonly Uint8Array[]): Uint8Array | null {
  const [first] = updates;
  if (first === undefined) return null;
  if (updates.length > 1) return Y.mergeUpdates([...updates]);
  Y.parseUpdateMeta(first);
  return first;
}
