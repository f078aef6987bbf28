/**
 * The two checks every stored shared-document value starts with: a bounded JSON text holding a
 * plain object with exactly the expected fields, and base64url fields of an exact byte length.
 * Never throws.
 */
import { fromBase64Url } from '../crypto/encoding.js';
import type { DropReason } from './types.js';

/** The object in `value` if it is a JSON text of at most `maxChars` with exactly `fields`; else why not. */
export function parseStrictObject(value: unknown, maxChars: number, fields: readonly string[]): Record<string, unknown> | DropReason {
  if (typeof value !== 'string') return 'shape';
  if (value.length > maxChars) return 'size';
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return 'shape';
  }
  return isPlainObject(parsed) && hasExactFields(parsed, fields) ? parsed : 'shape';
}

/** A plain object (not an array, not a class instance): what JSON.parse makes of `{…}`. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Whether `object` has exactly these own fields, no more and no fewer: the one "exactly these fields" check. */
export function hasExactFields(object: Record<string, unknown>, fields: readonly string[]): boolean {
  const names = Object.keys(object);
  return names.length === fields.length && fields.every((name) => Object.hasOwn(object, name));
}

/** Exactly `length` bytes from canonical unpadded base64url, else null. */
export function fixedBytes(text: unknown, length: number): Uint8Array | null {
  if (typeof text !== 'string' || text.length !== Math.ceil((length * 4) / 3)) return null;
  const bytes = fromBase64Url(text);
  return bytes !== null && bytes.length === length ? bytes : null;
}
