/**
 * Room names: what the admin calls the room. A name reaches every member through the shared
 * document and is shown in the header, in Recent rooms and (if the person chooses) in the tab
 * title, so it is untrusted text held to one policy: NFC, trimmed, at most MAX_ROOM_NAME_CHARS
 * code points, no control characters, line breaks or bidi overrides/embeddings/isolates (which
 * could reorder the text around it). The empty name means the room has none.
 */

/** Code points (not UTF-16 units), so an emoji counts as one. */
export const MAX_ROOM_NAME_CHARS = 64;

// C0/C1 controls, line and paragraph separators, bidi embeddings/overrides (U+202A–E) and
// isolates (U+2066–9). Joiners (ZWJ, ZWNJ, needed by Persian and emoji) and LRM/RLM stay.
const FORBIDDEN = /[\u0000-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]/;
const FORBIDDEN_ALL = new RegExp(FORBIDDEN.source, 'g');
// Lone surrogates would encode to U+FFFD in the signed bytes, letting two names share one signature.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * What the admin typed, made into a name the room accepts: NFC, forbidden characters and lone
 * surrogates removed, runs of white space made one space, trimmed, cut to MAX_ROOM_NAME_CHARS.
 */
export function tidyRoomName(typed: string): string {
  const cleaned = typed.normalize('NFC').replace(FORBIDDEN_ALL, ' ').replace(LONE_SURROGATE, '').replace(/\s+/g, ' ').trim();
  const points = [...cleaned];
  return points.length <= MAX_ROOM_NAME_CHARS ? cleaned : points.slice(0, MAX_ROOM_NAME_CHARS).join('').trim();
}

/**
 * An untrusted name (from the document or storage): the name if it already follows the policy
 * (tidying would not change it), else null. Never throws.
 */
export function parseRoomName(value: unknown): string | null {
  // Bound the work before normalising: 4 UTF-16 units per code point is more than any name needs.
  if (typeof value !== 'string' || value.length > MAX_ROOM_NAME_CHARS * 4) return null;
  if (FORBIDDEN.test(value)) return null;
  return tidyRoomName(value) === value ? value : null;
}
