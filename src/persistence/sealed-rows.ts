/**
 * The plaintext inside every sealed room row: [format version, row kind] ‖ payload, sealed with
 * the room's storeKey. The kind byte keeps an identity row from being read as an update and
 * vice versa; a row of another room fails to open because every room has its own storeKey.
 */
import * as Y from 'yjs';
import type { DropReason } from '../core/types.js';
import { openAesGcm, sealAesGcm } from '../crypto/aes-gcm.js';
import type { StoreDropHandler } from './types.js';

const ROW_FORMAT_VERSION = 1;
export const ROW_UPDATE = 1;
export const ROW_IDENTITY = 2;
export type RowKind = typeof ROW_UPDATE | typeof ROW_IDENTITY;

/** Seals one row's payload with its kind. */
export function sealRow(storeKey: Uint8Array, kind: RowKind, payload: Uint8Array): Promise<Uint8Array> {
  const plaintext = new Uint8Array(2 + payload.length);
  plaintext[0] = ROW_FORMAT_VERSION;
  plaintext[1] = kind;
  plaintext.set(payload, 2);
  return sealAesGcm(storeKey, plaintext);
}

/** The payload of a stored value, or why it cannot be used. */
export async function openRow(storeKey: Uint8Array, kind: RowKind, stored: unknown): Promise<Uint8Array | DropReason> {
  if (!(stored instanceof Uint8Array)) return 'shape';
  const plaintext = await openAesGcm(storeKey, stored);
  if (plaintext === null) return 'decrypt';
  if (plaintext.length < 2 || plaintext[0] !== ROW_FORMAT_VERSION || plaintext[1] !== kind) return 'unknown_type';
  return plaintext.subarray(2);
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
