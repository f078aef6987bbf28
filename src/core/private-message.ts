/**
 * Private messages inside a room: entries of the shared document's `private` map, keyed by id,
 * one JSON text per entry like `messages`. Everyone holds and relays every entry (so a recipient
 * who was offline gets it from whoever is online later), but the nickname and text travel only
 * inside a nacl.box from the sender's box key to the recipient's (member-card.ts publishes both),
 * so only those two can read them: X25519 gives both ends the same shared key, which is how the
 * sender reads back what it sent.
 *
 * Who wrote to whom (`from`, `to`) and when (`hlc`) stay visible to every member: relaying and
 * ordering need them, and they are signed so nobody can re-address or re-date someone's box.
 */
import { concatBytes, fromBase64Url, fromUtf8, toBase64Url, utf8 } from '../crypto/encoding.js';
import { PUBLIC_KEY_BYTES, SIGNATURE_BYTES, sign, verifySignature, type Identity } from '../crypto/identity.js';
import { boxKeyPairOf, openFromMember, sealToMember } from '../crypto/member-box.js';
import { isValidFileName, MAX_FILE_NAME_CHARS, MAX_MANIFEST_JSON_CHARS, orderedManifest, parseFileManifest, type FileManifest } from './file-manifest.js';
import { parseStamp } from './hlc.js';
import { checkBase64, createMessageId, isValidNick, isValidText, MAX_NICK_CHARS, MAX_TEXT_CHARS, MESSAGE_ID_BYTES } from './message-entry.js';
import { fixedBytes, hasExactFields, isPlainObject, parseStrictObject } from './strict-json.js';
import type { DropReason } from './types.js';

/** One private message as stored: readable metadata, a sealed payload, the sender's signature. */
export interface PrivateEntry {
  readonly v: 1;
  /** 22-char base64url of 16 random bytes; equals the map key. */
  readonly id: string;
  /** Sender's ed25519 public key (base64url); the signature must verify under it. */
  readonly from: string;
  /** Recipient's ed25519 public key (base64url); never the sender's. */
  readonly to: string;
  readonly hlc: string;
  /** base64url of nonce ‖ nacl.box(JSON payload), from the sender's box key to the recipient's. */
  readonly box: string;
  /** ed25519 signature (base64url) over privateSigningBytes(entry). */
  readonly sig: string;
}

/** What the box holds. */
export interface PrivatePayload {
  readonly nick: string;
  readonly text: string;
  /** Sent by the away auto-reply, not typed: never answered by another auto-reply. */
  readonly auto: boolean;
  /** A private file: `text` is then the file's name. Only the two ends hold the manifest, so only they hold its key. */
  readonly file?: FileManifest;
}

const DOMAIN = utf8('parley/v1/private\u0000');
const FIELDS: readonly string[] = ['v', 'id', 'from', 'to', 'hlc', 'box', 'sig'];
const PAYLOAD_FIELDS: readonly string[] = ['nick', 'text', 'auto'];
const FILE_PAYLOAD_FIELDS: readonly string[] = [...PAYLOAD_FIELDS, 'file'];
/** nacl.box nonce and authenticator. */
const BOX_OVERHEAD_BYTES = 24 + 16;
/**
 * Largest payload: the text's UTF-8 (3 bytes per UTF-16 unit at most; escapes only for LF, TAB,
 * quote and backslash, 2 bytes each) and the nickname's, plus the JSON around them. A file's
 * payload has a short name but adds its manifest (ASCII, so its characters are its bytes); the
 * text payload is the larger today, so the limit, and with it every stored entry's, is unchanged.
 */
export const MAX_PAYLOAD_BYTES = Math.max(3 * (MAX_TEXT_CHARS + MAX_NICK_CHARS) + 64, 3 * (MAX_FILE_NAME_CHARS + MAX_NICK_CHARS) + MAX_MANIFEST_JSON_CHARS + 64);
const MIN_BOX_BYTES = BOX_OVERHEAD_BYTES + 1;
const MAX_BOX_BYTES = BOX_OVERHEAD_BYTES + MAX_PAYLOAD_BYTES;
const MAX_BOX_CHARS = Math.ceil((MAX_BOX_BYTES * 4) / 3);
/** The stored JSON: the box plus about 250 characters of other fields. */
export const MAX_PRIVATE_ENTRY_CHARS = MAX_BOX_CHARS + 512;

/** Domain-separated, length-prefixed encoding of every field but `sig`. */
export function privateSigningBytes(fields: Omit<PrivateEntry, 'sig'>): Uint8Array {
  const parts: Uint8Array[] = [DOMAIN];
  for (const value of [String(fields.v), fields.id, fields.from, fields.to, fields.hlc, fields.box]) {
    const bytes = utf8(value);
    const length = new Uint8Array(4);
    new DataView(length.buffer).setUint32(0, bytes.length);
    parts.push(length, bytes);
  }
  return concatBytes(...parts);
}

export interface PrivateDraft {
  /** Recipient's ed25519 key and X25519 box key (from their verified member card), base64url. */
  readonly to: string;
  readonly toBox: string;
  readonly hlc: string;
  readonly payload: PrivatePayload;
}

/** Seals and signs a private message. Rejects with RangeError for a draft peers would drop. */
export async function createPrivateEntry(identity: Identity, draft: PrivateDraft, randomId: () => string = createMessageId): Promise<PrivateEntry> {
  const nick = draft.payload.nick.trim();
  const from = toBase64Url(identity.publicKey);
  const recipientBox = fixedBytes(draft.toBox, 32);
  const { text, auto } = draft.payload;
  // The parsed copy: exactly the manifest's fields, as the recipient will read them.
  const file = draft.payload.file === undefined ? undefined : parseFileManifest(draft.payload.file);
  if (!isValidNick(nick) || !(file === undefined ? isValidText(text) : isValidFileName(text)) || typeof file === 'string') throw new RangeError('invalid private message');
  if (parseStamp(draft.hlc) === null || fixedBytes(draft.to, PUBLIC_KEY_BYTES) === null || recipientBox === null || draft.to === from) throw new RangeError('invalid recipient or stamp');
  // Without a file, exactly the JSON sent before files existed.
  const plain = utf8(JSON.stringify(file === undefined ? { nick, text, auto } : { nick, text, auto, file: orderedManifest(file) }));
  const box = toBase64Url(sealToMember(plain, recipientBox, boxKeyPairOf(identity)));
  const unsigned = { v: 1, id: randomId(), from, to: draft.to, hlc: draft.hlc, box } as const;
  return { ...unsigned, sig: toBase64Url(await sign(identity, privateSigningBytes(unsigned))) };
}

export const encodePrivateEntry = (entry: PrivateEntry): string => {
  const { v, id, from, to, hlc, box, sig } = entry;
  return JSON.stringify({ v, id, from, to, hlc, box, sig });
};

export type DecodedPrivate = { readonly ok: true; readonly entry: PrivateEntry } | { readonly ok: false; readonly reason: DropReason };

function checkEntry(key: string, value: unknown): DropReason | PrivateEntry {
  const fields = parseStrictObject(value, MAX_PRIVATE_ENTRY_CHARS, FIELDS);
  if (typeof fields === 'string') return fields;
  const { v, id, from, to, hlc, box, sig } = fields;
  if (v !== 1 || typeof id !== 'string' || typeof from !== 'string' || typeof to !== 'string') return 'shape';
  if (typeof hlc !== 'string' || typeof box !== 'string' || typeof sig !== 'string') return 'shape';
  // Sizes before any scan of the contents.
  if (box.length < Math.ceil((MIN_BOX_BYTES * 4) / 3) || box.length > MAX_BOX_CHARS) return 'size';
  const encoding = checkBase64(id, MESSAGE_ID_BYTES) ?? checkBase64(from, PUBLIC_KEY_BYTES) ?? checkBase64(to, PUBLIC_KEY_BYTES) ?? checkBase64(sig, SIGNATURE_BYTES);
  if (encoding !== null) return encoding;
  // A box of any length in range: fromBase64Url accepts only the canonical text, so one box has one text.
  if (fromBase64Url(box) === null) return 'shape';
  if (parseStamp(hlc) === null || from === to) return 'shape';
  if (key !== id) return 'key_mismatch';
  return { v: 1, id, from, to, hlc, box, sig };
}

/** Parses an untrusted `private` map value; does not check the signature or open the box. Never throws. */
export function decodePrivateEntry(key: string, value: unknown): DecodedPrivate {
  try {
    const result = checkEntry(key, value);
    return typeof result === 'string' ? { ok: false, reason: result } : { ok: true, entry: result };
  } catch {
    return { ok: false, reason: 'shape' };
  }
}

/** True only if `sig` is the sender's signature over the entry's other fields. Never throws. */
export async function verifyPrivateEntry(entry: PrivateEntry): Promise<boolean> {
  const from = fixedBytes(entry.from, PUBLIC_KEY_BYTES);
  const sig = fixedBytes(entry.sig, SIGNATURE_BYTES);
  if (from === null || sig === null) return false;
  return verifySignature(from, privateSigningBytes(entry), sig);
}

/** The payload if `bytes` is exactly one well-formed payload JSON; else null. Never throws. */
export function parsePrivatePayload(bytes: Uint8Array): PrivatePayload | null {
  if (bytes.length > MAX_PAYLOAD_BYTES) return null;
  const text = fromUtf8(bytes);
  if (text === null) return null;
  let fields: unknown;
  try {
    fields = JSON.parse(text);
  } catch {
    return null;
  }
  // Parsed once, then checked against whichever of the two shapes it claims.
  if (!isPlainObject(fields)) return null;
  const withFile = Object.hasOwn(fields, 'file');
  if (!hasExactFields(fields, withFile ? FILE_PAYLOAD_FIELDS : PAYLOAD_FIELDS)) return null;
  const { nick, text: body, auto } = fields;
  if (typeof nick !== 'string' || typeof body !== 'string' || typeof auto !== 'boolean' || !isValidNick(nick)) return null;
  if (!withFile) return isValidText(body) ? { nick, text: body, auto } : null;
  const file = parseFileManifest(fields['file']);
  return isValidFileName(body) && typeof file !== 'string' ? { nick, text: body, auto, file } : null;
}

/**
 * Opens an entry this person sent or received: `peerBox` is the other end's box key from their
 * verified member card. Null if the box was not made between these two keys, was altered, or
 * holds anything but a valid payload. Never throws.
 */
export function openPrivateEntry(entry: PrivateEntry, identity: Identity, peerBox: string): PrivatePayload | null {
  const sealed = fromBase64Url(entry.box);
  const peer = fixedBytes(peerBox, 32);
  if (sealed === null || peer === null) return null;
  const plain = openFromMember(sealed, peer, boxKeyPairOf(identity));
  return plain === null ? null : parsePrivatePayload(plain);
}
