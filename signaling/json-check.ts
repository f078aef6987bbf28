/**
 * Whether bytes are exactly one JSON value (RFC 8259), checked in place: no string is decoded and
 * no object built. A publish from another node is spliced into the relayed frame as the bytes that
 * came from Redis; JSON.parse would prove the same at the cost of a string and an object tree per
 * message, which doubled a cluster node's garbage collection in the fan-out bench. UTF-8 is checked
 * separately (buffer.isUtf8). Tested against JSON.parse by differential fuzz.
 */

/** Deeper nesting is refused: no signaling message nests more than a few levels. */
export const MAX_JSON_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;
const ARRAY = 0;
const OBJECT = 1;
const TRUE = [0x74, 0x72, 0x75, 0x65];
const FALSE = [0x66, 0x61, 0x6c, 0x73, 0x65];
const NULL = [0x6e, 0x75, 0x6c, 0x6c];
/** Characters allowed after a backslash, besides u: " \ / b f n r t. */
const SIMPLE_ESCAPES = new Set([0x22, 0x5c, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74]);

const isDigit = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x39;
const isHex = (c: number | undefined): boolean => c !== undefined && ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66));

/* Each scanner takes the position of what it reads and returns the position after it, or -1. They
   are module functions, not closures made per call: this runs for every message from another node. */

function skipSpace(bytes: Uint8Array, i: number): number {
  while (i < bytes.length) {
    const c = bytes[i];
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return i;
    i++;
  }
  return i;
}

/** At a quote: the string, escapes checked; bytes at or above 0x80 are UTF-8, checked elsewhere. */
function scanString(bytes: Uint8Array, i: number): number {
  i++;
  while (i < bytes.length) {
    const c = bytes[i] as number;
    if (c === QUOTE) return i + 1;
    if (c === BACKSLASH) {
      const escaped = bytes[i + 1];
      if (escaped === 0x75) {
        if (!isHex(bytes[i + 2]) || !isHex(bytes[i + 3]) || !isHex(bytes[i + 4]) || !isHex(bytes[i + 5])) return -1;
        i += 6;
      } else if (escaped !== undefined && SIMPLE_ESCAPES.has(escaped)) i += 2;
      else return -1;
      continue;
    }
    if (c < 0x20) return -1;
    i++;
  }
  return -1;
}

function scanDigits(bytes: Uint8Array, i: number): number {
  if (!isDigit(bytes[i])) return -1;
  while (isDigit(bytes[i])) i++;
  return i;
}

function scanNumber(bytes: Uint8Array, i: number): number {
  if (bytes[i] === MINUS) i++;
  if (bytes[i] === 0x30) i++;
  else if ((i = scanDigits(bytes, i)) === -1) return -1;
  if (bytes[i] === 0x2e && (i = scanDigits(bytes, i + 1)) === -1) return -1;
  if (bytes[i] === 0x65 || bytes[i] === 0x45) {
    i++;
    if (bytes[i] === 0x2b || bytes[i] === MINUS) i++;
    if ((i = scanDigits(bytes, i)) === -1) return -1;
  }
  return i;
}

function scanLiteral(bytes: Uint8Array, i: number, word: readonly number[]): number {
  for (let k = 0; k < word.length; k++) if (bytes[i + k] !== word[k]) return -1;
  return i + word.length;
}

/** After `{` or `,` in an object: a key and its colon. */
function scanKey(bytes: Uint8Array, i: number): number {
  i = skipSpace(bytes, i);
  if (bytes[i] !== QUOTE || (i = scanString(bytes, i)) === -1) return -1;
  i = skipSpace(bytes, i);
  return bytes[i] === COLON ? i + 1 : -1;
}

/** A scalar value at `i` (string, number, true, false, null). */
function scanScalar(bytes: Uint8Array, i: number): number {
  const c = bytes[i];
  if (c === QUOTE) return scanString(bytes, i);
  if (c === MINUS || isDigit(c)) return scanNumber(bytes, i);
  if (c === 0x74) return scanLiteral(bytes, i, TRUE);
  if (c === 0x66) return scanLiteral(bytes, i, FALSE);
  if (c === 0x6e) return scanLiteral(bytes, i, NULL);
  return -1;
}

export function isJsonValue(bytes: Uint8Array): boolean {
  const n = bytes.length;
  const stack: number[] = [];
  let i = 0;
  for (;;) {
    // A value.
    i = skipSpace(bytes, i);
    const c = bytes[i];
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      i = skipSpace(bytes, i + 1);
      if (bytes[i] === (c === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET)) i++;
      else {
        if (stack.length >= MAX_JSON_DEPTH) return false;
        stack.push(c === OPEN_BRACE ? OBJECT : ARRAY);
        if (c === OPEN_BRACE && (i = scanKey(bytes, i)) === -1) return false;
        continue;
      }
    } else if ((i = scanScalar(bytes, i)) === -1) return false;
    // After a value: close what ends here, then a comma leads to the next value, or the text ends.
    for (;;) {
      i = skipSpace(bytes, i);
      const top = stack[stack.length - 1];
      if (top === undefined) return i === n;
      const d = bytes[i];
      if (d === COMMA) {
        if (top === OBJECT && (i = scanKey(bytes, i + 1)) === -1) return false;
        if (top === ARRAY) i++;
        break;
      }
      if (d !== (top === OBJECT ? CLOSE_BRACE : CLOSE_BRACKET)) return false;
      i++;
      stack.pop();
    }
  }
}
