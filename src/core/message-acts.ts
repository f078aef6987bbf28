/**
 * Message acts: what members do to messages after sending them — edit and delete their own,
 * react with an emoji — and read receipts. Each act is a signed entry of the shared document's
 * `acts` map, stored as its JSON text like a message.
 *
 * Keys carry the act's author, so nobody can take another member's slot by writing its key:
 * `e:<target>:<author>` (the newest edit), `d:<target>:<author>` (a delete), `r:<target>:<author>:<emoji>`
 * (one reaction, on or off) and `s:<author>` (that reader's "seen up to" watermark, O(members)).
 * An edit or delete counts only when its author is the target message's author; that is decided
 * where the target is known (reduceActs), because an act may arrive before its message.
 */
import { concatBytes, fromBase64Url, toBase64Url, utf8 } from '../crypto/encoding.js';
import { PUBLIC_KEY_BYTES, SIGNATURE_BYTES, sign, verifySignature, type Identity } from '../crypto/identity.js';
import { parseStamp } from './hlc.js';
import { checkBase64, isValidText, MAX_TEXT_CHARS, MESSAGE_ID_BYTES } from './message-entry.js';
import { hasExactFields, isPlainObject } from './strict-json.js';
import type { DropReason, MessageEntry } from './types.js';

export type MessageAct =
  | { readonly v: 1; readonly k: 'e'; readonly target: string; readonly author: string; readonly hlc: string; readonly text: string; readonly sig: string }
  | { readonly v: 1; readonly k: 'd'; readonly target: string; readonly author: string; readonly hlc: string; readonly sig: string }
  | { readonly v: 1; readonly k: 'r'; readonly target: string; readonly author: string; readonly hlc: string; readonly emoji: string; readonly on: boolean; readonly sig: string }
  /** A read receipt: `upTo` is the stamp of the newest message the reader saw. */
  | { readonly v: 1; readonly k: 's'; readonly author: string; readonly hlc: string; readonly upTo: string; readonly sig: string };

export type ActDraft =
  | { readonly k: 'e'; readonly target: string; readonly text: string }
  | { readonly k: 'd'; readonly target: string }
  | { readonly k: 'r'; readonly target: string; readonly emoji: string; readonly on: boolean }
  | { readonly k: 's'; readonly upTo: string };

type Unsigned<T> = T extends unknown ? Omit<T, 'sig'> : never;

/** The everyday reactions offered first; any other single emoji is accepted too. */
export const QUICK_REACTIONS: readonly string[] = ['👍', '❤️', '😂', '😮', '😢', '🎉'];
const MAX_EMOJI_CHARS = 16;
// One pictograph (or a flag) with its modifiers, variation selectors and joined parts: nothing else.
const SINGLE_EMOJI = /^(?:\p{Regional_Indicator}{2}|\p{Extended_Pictographic}[\u{FE0F}\u{20E3}\p{Emoji_Modifier}]*(?:\u200D\p{Extended_Pictographic}[\u{FE0F}\p{Emoji_Modifier}]*)*)$/u;
const SIGNING_DOMAIN = utf8('parley/v1/act\u0000');
/** Longest stored act: an edit whose text doubles when JSON escapes it, plus the other fields. */
export const MAX_ACT_CHARS = 2 * MAX_TEXT_CHARS + 512;

const FIELDS: Readonly<Record<MessageAct['k'], readonly string[]>> = {
  e: ['v', 'k', 'target', 'author', 'hlc', 'text', 'sig'],
  d: ['v', 'k', 'target', 'author', 'hlc', 'sig'],
  r: ['v', 'k', 'target', 'author', 'hlc', 'emoji', 'on', 'sig'],
  s: ['v', 'k', 'author', 'hlc', 'upTo', 'sig'],
};

/** True for one emoji (a single pictograph sequence or flag), as a reaction. */
export function isValidReaction(emoji: string): boolean {
  return emoji.length >= 1 && emoji.length <= MAX_EMOJI_CHARS && SINGLE_EMOJI.test(emoji);
}

/** The map key an act must be stored under. */
export function actKey(act: Unsigned<MessageAct> | MessageAct): string {
  if (act.k === 's') return `s:${act.author}`;
  if (act.k === 'r') return `r:${act.target}:${act.author}:${act.emoji}`;
  return `${act.k}:${act.target}:${act.author}`;
}

/** Domain-separated, length-prefixed bytes of every field but `sig`; the kind is signed, so no act passes for another. */
export function actSigningBytes(act: Unsigned<MessageAct>): Uint8Array {
  const target = act.k === 's' ? '' : act.target;
  const payload = act.k === 'e' ? act.text : act.k === 'r' ? `${act.on ? '1' : '0'}${act.emoji}` : act.k === 's' ? act.upTo : '';
  const parts: Uint8Array[] = [SIGNING_DOMAIN];
  for (const value of [String(act.v), act.k, target, act.author, act.hlc, payload]) {
    const bytes = utf8(value);
    const length = new Uint8Array(4);
    new DataView(length.buffer).setUint32(0, bytes.length);
    parts.push(length, bytes);
  }
  return concatBytes(...parts);
}

/** Signs an act. Rejects with RangeError for one peers would drop. */
export async function createMessageAct(identity: Identity, draft: ActDraft, hlc: string): Promise<MessageAct> {
  const author = toBase64Url(identity.publicKey);
  const unsigned: Unsigned<MessageAct> =
    draft.k === 's'
      ? { v: 1, k: 's', author, hlc, upTo: draft.upTo }
      : draft.k === 'e'
        ? { v: 1, k: 'e', target: draft.target, author, hlc, text: draft.text }
        : draft.k === 'r'
          ? { v: 1, k: 'r', target: draft.target, author, hlc, emoji: draft.emoji, on: draft.on }
          : { v: 1, k: 'd', target: draft.target, author, hlc };
  const sig = toBase64Url(await sign(identity, actSigningBytes(unsigned)));
  const act = { ...unsigned, sig } as MessageAct;
  const checked = checkAct(actKey(act), act);
  if (typeof checked === 'string') throw new RangeError(`invalid act: ${checked}`);
  return act;
}

function checkAct(key: string, value: unknown): DropReason | MessageAct {
  if (!isPlainObject(value)) return 'shape';
  const fields = value;
  const kind = fields['k'];
  if (kind !== 'e' && kind !== 'd' && kind !== 'r' && kind !== 's') return 'shape';
  if (!hasExactFields(fields, FIELDS[kind]) || fields['v'] !== 1) return 'shape';
  const { author, hlc, sig } = fields;
  if (typeof author !== 'string' || typeof hlc !== 'string' || typeof sig !== 'string') return 'shape';
  const encoding = checkBase64(author, PUBLIC_KEY_BYTES) ?? checkBase64(sig, SIGNATURE_BYTES);
  if (encoding !== null) return encoding;
  if (parseStamp(hlc) === null) return 'shape';
  let act: MessageAct;
  if (kind === 's') {
    const upTo = fields['upTo'];
    if (typeof upTo !== 'string' || parseStamp(upTo) === null) return 'shape';
    act = { v: 1, k: 's', author, hlc, upTo, sig };
  } else {
    const target = fields['target'];
    if (typeof target !== 'string') return 'shape';
    const targetCheck = checkBase64(target, MESSAGE_ID_BYTES);
    if (targetCheck !== null) return targetCheck;
    if (kind === 'e') {
      const text = fields['text'];
      if (typeof text !== 'string') return 'shape';
      if (text.length > MAX_TEXT_CHARS) return 'size';
      if (!isValidText(text)) return 'shape';
      act = { v: 1, k: 'e', target, author, hlc, text, sig };
    } else if (kind === 'r') {
      const { emoji, on } = fields;
      if (typeof emoji !== 'string' || typeof on !== 'boolean' || !isValidReaction(emoji)) return 'shape';
      act = { v: 1, k: 'r', target, author, hlc, emoji, on, sig };
    } else {
      act = { v: 1, k: 'd', target, author, hlc, sig };
    }
  }
  return actKey(act) === key ? act : 'key_mismatch';
}

export type DecodedAct = { readonly ok: true; readonly value: MessageAct } | { readonly ok: false; readonly reason: DropReason };

/** Parses an untrusted value of the `acts` map; does not check the signature. Never throws. */
export function decodeMessageAct(key: string, value: unknown): DecodedAct {
  if (typeof value !== 'string') return { ok: false, reason: 'shape' };
  if (value.length > MAX_ACT_CHARS) return { ok: false, reason: 'size' };
  try {
    const result = checkAct(key, JSON.parse(value));
    return typeof result === 'string' ? { ok: false, reason: result } : { ok: true, value: result };
  } catch {
    return { ok: false, reason: 'shape' };
  }
}

/** The stored form: JSON text with the fields in their fixed order. */
export function encodeMessageAct(act: MessageAct): string {
  const ordered: Record<string, unknown> = {};
  for (const name of FIELDS[act.k]) ordered[name] = (act as unknown as Record<string, unknown>)[name];
  return JSON.stringify(ordered);
}

/** True only if `sig` is the author's signature over the act. Never throws. */
export async function verifyMessageAct(act: MessageAct): Promise<boolean> {
  const author = fromBase64Url(act.author);
  const sig = fromBase64Url(act.sig);
  if (author === null || sig === null) return false;
  return verifySignature(author, actSigningBytes(act), sig);
}

/** Whether `incoming` may replace `known` under one key: only a newer act does (last writer by HLC wins). */
export function supersedes(known: MessageAct, incoming: MessageAct): boolean {
  return incoming.hlc > known.hlc || (incoming.hlc === known.hlc && incoming.sig === known.sig);
}

/** Every verified act of a room, indexed by target in one pass. */
export interface ActsIndex {
  readonly edits: ReadonlyMap<string, readonly MessageAct[]>;
  readonly deletes: ReadonlyMap<string, readonly MessageAct[]>;
  /** target → emoji → authors with the reaction on, in the order they reacted. */
  readonly reactions: ReadonlyMap<string, ReadonlyMap<string, readonly string[]>>;
  /** reader → stamp of the newest message they saw. */
  readonly seen: ReadonlyMap<string, string>;
}

/** Indexes verified acts by target in linear time. */
export function indexActs(acts: Iterable<MessageAct>): ActsIndex {
  const edits = new Map<string, MessageAct[]>();
  const deletes = new Map<string, MessageAct[]>();
  const reacted: Array<Extract<MessageAct, { k: 'r' }>> = [];
  const seen = new Map<string, string>();
  const push = (map: Map<string, MessageAct[]>, act: MessageAct & { target: string }): void => {
    const list = map.get(act.target);
    if (list === undefined) map.set(act.target, [act]);
    else list.push(act);
  };
  for (const act of acts) {
    if (act.k === 'e') push(edits, act);
    else if (act.k === 'd') push(deletes, act);
    else if (act.k === 'r') {
      if (act.on) reacted.push(act);
    } else seen.set(act.author, act.upTo);
  }
  reacted.sort((a, b) => (a.hlc < b.hlc ? -1 : a.hlc > b.hlc ? 1 : 0));
  const reactions = new Map<string, Map<string, string[]>>();
  for (const act of reacted) {
    let byEmoji = reactions.get(act.target);
    if (byEmoji === undefined) reactions.set(act.target, (byEmoji = new Map()));
    const authors = byEmoji.get(act.emoji);
    if (authors === undefined) byEmoji.set(act.emoji, [act.author]);
    else authors.push(act.author);
  }
  return { edits, deletes, reactions, seen };
}

/** The act that counts among `acts` for `entry`: the newest by its author; others' are forgeries. */
export function authorsLatest(entry: MessageEntry, acts: readonly MessageAct[] | undefined): MessageAct | undefined {
  let latest: MessageAct | undefined;
  for (const act of acts ?? []) if (act.author === entry.author && (latest === undefined || act.hlc > latest.hlc)) latest = act;
  return latest;
}

/**
 * The text shown for `entry`: its author's newest edit, else its own. An edit `allowed` refuses
 * (one the room's rules would not let through as a message) leaves the message as it was.
 */
export function shownText(entry: MessageEntry, index: ActsIndex, allowed: (edit: { readonly text: string; readonly hlc: string }) => boolean = () => true): { readonly text: string; readonly edited: boolean } {
  const edit = authorsLatest(entry, index.edits.get(entry.id));
  return edit?.k === 'e' && allowed(edit) ? { text: edit.text, edited: true } : { text: entry.text, edited: false };
}

/** True if the message's own author deleted it. */
export function deletedByAuthor(entry: MessageEntry, index: ActsIndex): boolean {
  return authorsLatest(entry, index.deletes.get(entry.id)) !== undefined;
}

/** Edits and deletes of `entry` signed by someone else (counted as forgeries where the target is known). */
export function forgedActs(entry: MessageEntry, index: ActsIndex): MessageAct[] {
  return [...(index.edits.get(entry.id) ?? []), ...(index.deletes.get(entry.id) ?? [])].filter((act) => act.author !== entry.author);
}

/** Readers other than `author` whose watermark reached `entry`. */
export function seenBy(entry: MessageEntry, index: ActsIndex): string[] {
  const readers: string[] = [];
  for (const [reader, upTo] of index.seen) if (reader !== entry.author && upTo >= entry.hlc) readers.push(reader);
  return readers;
}
