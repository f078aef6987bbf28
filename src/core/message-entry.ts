/**
 * Chat messages as entries of the shared document's `messages` map: creation, signing bytes,
 * strict parsing of untrusted entries, and signature verification.
 *
 * Lengths are in UTF-16 code units (`string.length`), which bounds the UTF-8 size at 3× the limit.
 */
import { concatBytes, fromBase64Url, toBase64Url, utf8 } from '../crypto/encoding.js';
import { PUBLIC_KEY_BYTES, SIGNATURE_BYTES, sign, verifySignature, type Identity } from '../crypto/identity.js';
import { isValidFileName, manifestSigningValues, MAX_FILE_NAME_CHARS, orderedManifest, parseFileManifest, type FileManifest } from './file-manifest.js';
import { parseStamp } from './hlc.js';
import { hasExactFields, isPlainObject } from './strict-json.js';
import type { DropReason, MessageEntry } from './types.js';

export const MAX_TEXT_CHARS = 8000;
export const MAX_NICK_CHARS = 40;
export const MESSAGE_ID_BYTES = 16;

const SIGNING_DOMAIN = utf8('parley/v1/message\u0000');
const FIELDS: readonly string[] = ['v', 'id', 'author', 'nick', 'hlc', 'text', 'sig'];
/** A reply (v2) carries one more field: the id of its target. */
const REPLY_FIELDS: readonly string[] = [...FIELDS, 're'];
/** A file (v3) carries its manifest instead; its text is the file's name. */
const FILE_FIELDS: readonly string[] = [...FIELDS, 'file'];

// Lone surrogates would encode to U+FFFD in the signed bytes, letting two texts share one signature.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// Nicks: no C0/C1 controls, line breaks, or bidi embeddings/overrides/isolates (spoofing); any script and emoji pass.
const NICK_FORBIDDEN = /[\u0000-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]/;
// Text: newlines and tabs are fine; other controls (including CR: senders send LF only) are not.
const TEXT_FORBIDDEN = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/;

export type ParsedEntry = { readonly ok: true; readonly entry: MessageEntry } | { readonly ok: false; readonly reason: DropReason };

export interface MessageDraft {
  readonly nick: string;
  readonly text: string;
  readonly hlc: string;
  /** The id of the message this one replies to; makes a v2 entry. */
  readonly re?: string;
  /** The file this message shares; makes a v3 entry whose text is the file's name. Not with `re`. */
  readonly file?: FileManifest;
}

/** True for a nickname as stored: already trimmed, 1–MAX_NICK_CHARS, well formed, no control characters. */
export function isValidNick(nick: string): boolean {
  return isValidLabel(nick, MAX_NICK_CHARS);
}

/** A short one-line label (nickname, status message): 1–maxChars, trimmed, no controls or bidi overrides. */
export function isValidLabel(label: string, maxChars: number): boolean {
  return label.length >= 1 && label.length <= maxChars && label === label.trim() && !NICK_FORBIDDEN.test(label) && !LONE_SURROGATE.test(label);
}

/** True for a message text: 1–MAX_TEXT_CHARS, well formed, no controls other than LF and TAB. */
export function isValidText(text: string): boolean {
  return text.length >= 1 && text.length <= MAX_TEXT_CHARS && !TEXT_FORBIDDEN.test(text) && !LONE_SURROGATE.test(text);
}

/** A fresh message id: base64url of 16 bytes from WebCrypto. */
export function createMessageId(): string {
  return toBase64Url(globalThis.crypto.getRandomValues(new Uint8Array(MESSAGE_ID_BYTES)));
}

/**
 * Domain-separated, length-prefixed encoding of every field but `sig`; no two entries share one.
 * A v2 entry adds its `re` last, a v3 entry its manifest's values (manifestSigningValues); `v`
 * comes first, so entries of two versions never share bytes.
 */
export function messageSigningBytes(fields: Omit<MessageEntry, 'sig'>): Uint8Array {
  const parts: Uint8Array[] = [SIGNING_DOMAIN];
  const values = [String(fields.v), fields.id, fields.author, fields.nick, fields.hlc, fields.text];
  if (fields.v === 2) values.push(fields.re ?? '');
  if (fields.v === 3) {
    if (fields.file === undefined) throw new RangeError('a v3 entry needs a file');
    values.push(...manifestSigningValues(fields.file));
  }
  for (const value of values) {
    const bytes = utf8(value);
    const length = new Uint8Array(4);
    new DataView(length.buffer).setUint32(0, bytes.length);
    parts.push(length, bytes);
  }
  return concatBytes(...parts);
}

/**
 * Signs a new message (nick trimmed). Rejects with RangeError for a draft that peers would drop:
 * check with isValidNick/isValidText (isValidFileName and parseFileManifest for a file) first.
 */
export async function createMessageEntry(identity: Identity, draft: MessageDraft, randomId: () => string = createMessageId): Promise<MessageEntry> {
  const nick = draft.nick.trim();
  if (!isValidNick(nick)) throw new RangeError('invalid nickname');
  if (draft.file === undefined ? !isValidText(draft.text) : !isValidFileName(draft.text)) throw new RangeError('invalid message text or file name');
  if (parseStamp(draft.hlc) === null) throw new RangeError('invalid hlc stamp');
  if (draft.re !== undefined && checkBase64(draft.re, MESSAGE_ID_BYTES) !== null) throw new RangeError('invalid reply target');
  if (draft.re !== undefined && draft.file !== undefined) throw new RangeError('a file message cannot be a reply');
  // The parsed copy: exactly the manifest's fields, as peers will read them.
  const file = draft.file === undefined ? undefined : parseFileManifest(draft.file);
  if (typeof file === 'string') throw new RangeError('invalid file manifest');
  const common = { id: randomId(), author: toBase64Url(identity.publicKey), nick, hlc: draft.hlc, text: draft.text };
  const unsigned: Omit<MessageEntry, 'sig'> = file !== undefined ? { v: 3, ...common, file } : draft.re === undefined ? { v: 1, ...common } : { v: 2, ...common, re: draft.re };
  return { ...unsigned, sig: toBase64Url(await sign(identity, messageSigningBytes(unsigned))) };
}

const BASE64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const BASE64URL_TEXT = /^[A-Za-z0-9_-]*$/;

/**
 * Checks a base64url field without decoding it (a 100k-message history runs this 300k times on
 * load): 'size' for a wrong length, 'shape' for a foreign alphabet or a non-canonical last
 * character (one whose bits beyond the data are not zero, so two texts cannot mean one value).
 */
export function checkBase64(text: string, bytes: number): DropReason | null {
  if (text.length !== Math.ceil((bytes * 4) / 3)) return 'size';
  if (!BASE64URL_TEXT.test(text)) return 'shape';
  const spareBits = text.length * 6 - bytes * 8;
  const last = BASE64URL_ALPHABET.indexOf(text.charAt(text.length - 1));
  return (last & ((1 << spareBits) - 1)) === 0 ? null : 'shape';
}

function checkEntry(key: unknown, value: unknown): DropReason | MessageEntry {
  if (!isPlainObject(value)) return 'shape';
  const { v, id, author, nick, hlc, text, sig, re, file } = value;
  const fields = v === 1 ? FIELDS : v === 2 ? REPLY_FIELDS : v === 3 ? FILE_FIELDS : null;
  if (fields === null || !hasExactFields(value, fields)) return 'shape';
  if (v === 2 && (typeof re !== 'string' || checkBase64(re, MESSAGE_ID_BYTES) !== null)) return 'shape';
  if (typeof id !== 'string' || typeof author !== 'string' || typeof nick !== 'string') return 'shape';
  if (typeof hlc !== 'string' || typeof text !== 'string' || typeof sig !== 'string') return 'shape';
  // Sizes before any scan of the contents.
  const maxText = v === 3 ? MAX_FILE_NAME_CHARS : MAX_TEXT_CHARS;
  if (nick.length < 1 || nick.length > MAX_NICK_CHARS || text.length < 1 || text.length > maxText) return 'size';
  const encoding = checkBase64(id, MESSAGE_ID_BYTES) ?? checkBase64(author, PUBLIC_KEY_BYTES) ?? checkBase64(sig, SIGNATURE_BYTES);
  if (encoding !== null) return encoding;
  if (parseStamp(hlc) === null || !isValidNick(nick) || !(v === 3 ? isValidFileName(text) : isValidText(text))) return 'shape';
  const manifest = v === 3 ? parseFileManifest(file) : undefined;
  if (typeof manifest === 'string') return manifest;
  if (key !== id) return 'key_mismatch';
  if (manifest !== undefined) return { v: 3, id, author, nick, hlc, text, file: manifest, sig };
  return v === 2 ? { v, id, author, nick, hlc, text, re: re as string, sig } : { v: 1, id, author, nick, hlc, text, sig };
}

/** Whether an entry shares a file (v3): its text is the file's name, `file` its manifest. */
export function isFileEntry(entry: MessageEntry): entry is MessageEntry & { v: 3; file: FileManifest } {
  return entry.v === 3 && entry.file !== undefined;
}

/** Parses an untrusted `messages` map entry into a typed entry or a drop reason; does not check the signature. Never throws. */
export function parseMessageEntry(key: string, value: unknown): ParsedEntry {
  try {
    const result = checkEntry(key, value);
    return typeof result === 'string' ? { ok: false, reason: result } : { ok: true, entry: result };
  } catch {
    // A hostile getter or proxy; plain decoded values never get here.
    return { ok: false, reason: 'shape' };
  }
}

/** True only if `sig` is the author's signature over the entry's other fields. Never throws. */
export async function verifyMessageEntry(entry: MessageEntry): Promise<boolean> {
  const author = fromBase64Url(entry.author);
  const sig = fromBase64Url(entry.sig);
  if (author === null || sig === null || (entry.v === 3 && entry.file === undefined)) return false;
  return verifySignature(author, messageSigningBytes(entry), sig);
}

/**
 * Longest stored form accepted: the text may double when JSON escapes quotes and backslashes, and
 * the other fields add about 200 characters; a file's manifest adds up to ~22k (its thumbnail is
 * 21,846 characters of base64url at most), but its name is short. A literal, not derived from
 * file-manifest.ts: the two modules import each other, so neither reads the other at load time.
 */
export const MAX_ENTRY_CHARS = 2 * MAX_TEXT_CHARS + 1024 + 24 * 1024;

/**
 * The form an entry takes in the shared document: its JSON text, one string per message. Yjs
 * decodes one string per entry instead of seven keys and six values, which halves the time to
 * load a large history (100k messages: 0.30 s instead of 0.58 s to apply, 0.07 s instead of 0.32 s
 * to parse, measured in Node).
 */
export function encodeMessageEntry(entry: MessageEntry): string {
  const { v, id, author, nick, hlc, text, re, file, sig } = entry;
  if (v === 3) {
    if (file === undefined) throw new RangeError('a v3 entry needs a file');
    return JSON.stringify({ v, id, author, nick, hlc, text, file: orderedManifest(file), sig });
  }
  return v === 2 ? JSON.stringify({ v, id, author, nick, hlc, text, re, sig }) : JSON.stringify({ v, id, author, nick, hlc, text, sig });
}

/**
 * Entries parsed lately, by their stored text: every entry of a history is parsed when the update
 * carrying it is admitted, and again when the message index reads the map right after; the second
 * time is a lookup. Bounded; emptied when full.
 */
const recentlyParsed = new Map<string, MessageEntry>();
const MAX_RECENTLY_PARSED = 4096;

/** Parses an untrusted value of the `messages` map (see encodeMessageEntry); does not check the signature. Never throws. */
export function decodeMessageEntry(key: string, value: unknown): ParsedEntry {
  if (typeof value !== 'string') return { ok: false, reason: 'shape' };
  if (value.length > MAX_ENTRY_CHARS) return { ok: false, reason: 'size' };
  const known = recentlyParsed.get(value);
  if (known !== undefined) return known.id === key ? { ok: true, entry: known } : { ok: false, reason: 'key_mismatch' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return { ok: false, reason: 'shape' };
  }
  const result = parseMessageEntry(key, parsed);
  if (result.ok) {
    if (recentlyParsed.size >= MAX_RECENTLY_PARSED) recentlyParsed.clear();
    recentlyParsed.set(value, result.entry);
  }
  return result;
}
