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

export function isJsonValue(bytes: Uint8Array): boolean {
  const n = bytes.length;
  let i = 0;
  const stack: number[] = [];

  const skipSpace = (): void => {
    while (i < n) {
      const c = bytes[i];
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      i++;
    }
  };
  /** At a quote: consumes the string. */
  const string = (): boolean => {
    i++;
    while (i < n) {
      const c = bytes[i] as number;
      if (c === QUOTE) {
        i++;
        return true;
      }
      if (c === BACKSLASH) {
        const escaped = bytes[i + 1];
        if (escaped === 0x75) {
          if (!isHex(bytes[i + 2]) || !isHex(bytes[i + 3]) || !isHex(bytes[i + 4]) || !isHex(bytes[i + 5])) return false;
          i += 6;
        } else if (escaped !== undefined && SIMPLE_ESCAPES.has(escaped)) i += 2;
        else return false;
        continue;
      }
      if (c < 0x20) return false;
      i++;
    }
    return false;
  };
  const digits = (): boolean => {
    if (!isDigit(bytes[i])) return false;
    while (isDigit(bytes[i])) i++;
    return true;
  };
  const number = (): boolean => {
    if (bytes[i] === MINUS) i++;
    if (bytes[i] === 0x30) i++;
    else if (!digits()) return false;
    if (bytes[i] === 0x2e) {
      i++;
      if (!digits()) return false;
    }
    if (bytes[i] === 0x65 || bytes[i] === 0x45) {
      i++;
      if (bytes[i] === 0x2b || bytes[i] === MINUS) i++;
      if (!digits()) return false;
    }
    return true;
  };
  const literal = (word: readonly number[]): boolean => {
    for (const [k, c] of word.entries()) if (bytes[i + k] !== c) return false;
    i += word.length;
    return true;
  };
  /** After `{` or `,` in an object: a key and its colon. */
  const key = (): boolean => {
    skipSpace();
    if (bytes[i] !== QUOTE || !string()) return false;
    skipSpace();
    if (bytes[i] !== COLON) return false;
    i++;
    return true;
  };

  for (;;) {
    // A value.
    skipSpace();
    const c = bytes[i];
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      i++;
      skipSpace();
      if (bytes[i] === (c === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET)) i++;
      else {
        if (stack.length >= MAX_JSON_DEPTH) return false;
        stack.push(c === OPEN_BRACE ? OBJECT : ARRAY);
        if (c === OPEN_BRACE && !key()) return false;
        continue;
      }
    } else if (c === QUOTE) {
      if (!string()) return false;
    } else if (c === MINUS || isDigit(c)) {
      if (!number()) return false;
    } else if (!(c === 0x74 ? literal(TRUE) : c === 0x66 ? literal(FALSE) : c === 0x6e ? literal(NULL) : false)) {
      return false;
    }
    // After a value: close what ends here, then a comma leads to the next value, or the text ends.
    for (;;) {
      skipSpace();
      const top = stack[stack.length - 1];
      if (top === undefined) return i === n;
      const d = bytes[i];
      if (d === COMMA) {
        i++;
        if (top === OBJECT && !key()) return false;
        break;
      }
      if (d !== (top === OBJECT ? CLOSE_BRACE : CLOSE_BRACKET)) return false;
      i++;
      stack.pop();
    }
  }
}
