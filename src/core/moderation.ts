/**
 * Moderation by the room admin: signed actions in the shared document's `moderation` map (keyed by
 * action id, one JSON string per action, like message entries), their strict parsing and
 * verification, and the state every member derives from them.
 *
 * Moderation hides messages on every honest client; it cannot erase what peers already synced.
 * Author stamps are claimed, not proven: a banned author can backdate new messages to before the
 * ban, so whoever consumes the state should also refuse entries first seen after a ban ('refused').
 */
import { hasExactFields, isPlainObject } from './strict-json.js';
import { concatBytes, fromBase64Url, toBase64Url, utf8 } from '../crypto/encoding.js';
import { PUBLIC_KEY_BYTES, SIGNATURE_BYTES, sign, verifySignature, type Identity } from '../crypto/identity.js';
import { parseStamp } from './hlc.js';
import { MAX_TEXT_CHARS, MESSAGE_ID_BYTES, checkBase64, createMessageId } from './message-entry.js';
import { parseRoomName } from './room-name.js';
import type { DropReason, MessageEntry } from './types.js';

export interface RoomRules {
  /** Minimum seconds between one author's visible messages, 0–MAX_SLOW_MODE_SECONDS; 0 = off. */
  readonly slowModeSeconds: number;
  /** Longer messages are hidden, 1–MAX_TEXT_CHARS. */
  readonly maxMessageChars: number;
  /** Messages older than this are hidden, one of LIFETIME_CHOICES; 0 = keep forever. */
  readonly lifetimeSeconds: number;
  /**
   * Cameras start off for whoever joins a call this big or bigger (core/call-state.ts), one of
   * VIDEO_OFF_CHOICES; absent: the default. Optional, and signed only when present, so rules signed
   * before calls existed keep their signatures.
   */
  readonly videoOffFrom?: number;
  /** The largest file a member may share, one of FILE_SIZE_CHOICES; absent: the absolute limit (core/file-manifest.ts). Signed only when present. */
  readonly maxFileBytes?: number;
}

export const DEFAULT_RULES: RoomRules = { slowModeSeconds: 0, maxMessageChars: MAX_TEXT_CHARS, lifetimeSeconds: 0 };
export const MAX_REASON_CHARS = 200;
export const MAX_SLOW_MODE_SECONDS = 3600;
/** Off, an hour, a day, a week: a short list the UI can offer and every peer can check exactly. */
export const LIFETIME_CHOICES: readonly number[] = [0, 3600, 86_400, 604_800];
/** Call sizes from which cameras start off: 2 (voice only), 4, 6 (the default), 8, or 17 (never: calls hold 16). */
export const VIDEO_OFF_CHOICES: readonly number[] = [2, 4, 6, 8, 17];
/** Largest file choices: 10 MB, 100 MB, 500 MB, 1 GiB, 2 GiB (the absolute limit). */
export const FILE_SIZE_CHOICES: readonly number[] = [10_000_000, 100_000_000, 500_000_000, 1024 ** 3, 2 * 1024 ** 3];
/** Mute deadlines share the stamps' range (9 base36 digits of ms), so they compare with any wall time. */
const MAX_UNTIL_MS = 36 ** 9 - 1;
/**
 * Longest stored action accepted. Our encoder writes at most ~700 characters (a reason of 200
 * quotes doubles when escaped); the rest is slack for peers that escape more, while bounding
 * JSON.parse work (and nesting depth) on untrusted input.
 */
export const MAX_ACTION_CHARS = 2048;
/** A lock lists every admitted member's key (46 characters each in JSON): up to MAX_LOCK_MEMBERS. */
export const MAX_LOCK_MEMBERS = 1000;
export const MAX_LOCK_ACTION_CHARS = MAX_ACTION_CHARS + MAX_LOCK_MEMBERS * 46;
/** The word filter: up to this many words, each up to MAX_FILTER_WORD_CHARS. */
export const MAX_FILTER_WORDS = 100;
export const MAX_FILTER_WORD_CHARS = 40;
const MAX_FILTER_ACTION_CHARS = MAX_ACTION_CHARS + MAX_FILTER_WORDS * (MAX_FILTER_WORD_CHARS * 2 + 3);

export type ModerationDraft =
  | { readonly kind: 'delete' | 'pin' | 'unpin'; readonly target: string }
  | { readonly kind: 'kick' | 'ban'; readonly target: string; readonly reason: string }
  | { readonly kind: 'unban'; readonly target: string }
  | { readonly kind: 'mute'; readonly target: string; readonly untilMs: number }
  | { readonly kind: 'rules'; readonly rules: RoomRules }
  /** The room's word filter: these words are masked in every message (not deleted). */
  | { readonly kind: 'filter'; readonly words: readonly string[] }
  /** Lock room: only these identities are admitted from now on. */
  | { readonly kind: 'lock'; readonly members: readonly string[] }
  | { readonly kind: 'unlock' }
  /** The room's name (core/room-name.ts); '' removes it. */
  | { readonly kind: 'name'; readonly name: string };

export type ModerationKind = ModerationDraft['kind'];

interface ActionHeader {
  readonly v: 1;
  /** 22-char base64url of 16 random bytes; equals the action's key in the map. */
  readonly id: string;
  readonly hlc: string;
  /** The signer's ed25519 public key (43-char base64url); must equal the room's admin key. */
  readonly by: string;
}

export type ModerationAction = ModerationDraft & ActionHeader & { readonly sig: string };
type UnsignedAction = ModerationDraft & ActionHeader;

export type ParsedAction = { readonly ok: true; readonly action: ModerationAction } | { readonly ok: false; readonly reason: DropReason };

const SIGNING_DOMAIN = utf8('parley/v1/moderation\u0000');
const HEADER_FIELDS: readonly string[] = ['v', 'id', 'kind', 'hlc', 'by', 'sig'];
/** Fields each kind adds to the header: the exact field set of a stored action. */
const PAYLOAD_FIELDS: Readonly<Record<ModerationKind, readonly string[]>> = {
  delete: ['target'], pin: ['target'], unpin: ['target'], unban: ['target'],
  kick: ['target', 'reason'], ban: ['target', 'reason'], mute: ['target', 'untilMs'], rules: ['rules'],
  filter: ['words'], lock: ['members'], unlock: [], name: ['name'],
};
const RULES_FIELDS: readonly string[] = ['slowModeSeconds', 'maxMessageChars', 'lifetimeSeconds'];

// Same policy as nicks: a reason is shown inline, so no controls, line breaks or bidi overrides (spoofing).
const REASON_FORBIDDEN = /[\u0000-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]/;
// Lone surrogates would encode to U+FFFD in the signed bytes, letting two reasons share one signature.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const isKind = (kind: unknown): kind is ModerationKind => typeof kind === 'string' && Object.hasOwn(PAYLOAD_FIELDS, kind);


const isIntegerIn = (value: unknown, min: number, max: number): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;

function checkRules(value: unknown): DropReason | RoomRules {
  if (!isPlainObject(value)) return 'shape';
  const withVideo = Object.hasOwn(value, 'videoOffFrom');
  const withFiles = Object.hasOwn(value, 'maxFileBytes');
  if (!hasExactFields(value, [...RULES_FIELDS, ...(withVideo ? ['videoOffFrom'] : []), ...(withFiles ? ['maxFileBytes'] : [])])) return 'shape';
  const { slowModeSeconds, maxMessageChars, lifetimeSeconds, videoOffFrom, maxFileBytes } = value;
  if (!isIntegerIn(slowModeSeconds, 0, MAX_SLOW_MODE_SECONDS) || !isIntegerIn(maxMessageChars, 1, MAX_TEXT_CHARS)) return 'shape';
  if (typeof lifetimeSeconds !== 'number' || !LIFETIME_CHOICES.includes(lifetimeSeconds)) return 'shape';
  if (withVideo && (typeof videoOffFrom !== 'number' || !VIDEO_OFF_CHOICES.includes(videoOffFrom))) return 'shape';
  if (withFiles && (typeof maxFileBytes !== 'number' || !FILE_SIZE_CHOICES.includes(maxFileBytes))) return 'shape';
  return { slowModeSeconds, maxMessageChars, lifetimeSeconds, ...(withVideo ? { videoOffFrom: videoOffFrom as number } : {}), ...(withFiles ? { maxFileBytes: maxFileBytes as number } : {}) };
}

/** Checks the kind-specific fields of `value` (ignoring any others) and returns a fresh draft holding only them. */
function checkDraft(kind: ModerationKind, value: Record<string, unknown>): DropReason | ModerationDraft {
  if (kind === 'unlock') return { kind };
  if (kind === 'name') {
    const name = parseRoomName(value['name']);
    return name === null ? 'shape' : { kind, name };
  }
  if (kind === 'filter') {
    const words = value['words'];
    if (!Array.isArray(words) || words.length > MAX_FILTER_WORDS) return 'shape';
    for (const word of words as unknown[]) {
      if (typeof word !== 'string' || word.length < 1 || word.length > MAX_FILTER_WORD_CHARS) return 'shape';
      if (word.trim() !== word || REASON_FORBIDDEN.test(word) || LONE_SURROGATE.test(word)) return 'shape';
    }
    return { kind, words: [...(words as string[])] };
  }
  if (kind === 'lock') {
    const members = value['members'];
    if (!Array.isArray(members) || members.length > MAX_LOCK_MEMBERS) return 'shape';
    for (const member of members as unknown[]) {
      if (typeof member !== 'string') return 'shape';
      const encoding = checkBase64(member, PUBLIC_KEY_BYTES);
      if (encoding !== null) return encoding;
    }
    return { kind, members: [...(members as string[])] };
  }
  if (kind === 'rules') {
    const rules = checkRules(value['rules']);
    return typeof rules === 'string' ? rules : { kind, rules };
  }
  const target = value['target'];
  if (typeof target !== 'string') return 'shape';
  switch (kind) {
    case 'delete':
    case 'pin':
    case 'unpin':
      return checkBase64(target, MESSAGE_ID_BYTES) ?? { kind, target };
    case 'unban':
      return checkBase64(target, PUBLIC_KEY_BYTES) ?? { kind, target };
    case 'mute': {
      const untilMs = value['untilMs'];
      if (!isIntegerIn(untilMs, 0, MAX_UNTIL_MS)) return 'shape';
      return checkBase64(target, PUBLIC_KEY_BYTES) ?? { kind, target, untilMs };
    }
    case 'kick':
    case 'ban': {
      const reason = value['reason'];
      if (typeof reason !== 'string') return 'shape';
      if (reason.length > MAX_REASON_CHARS) return 'size';
      const encoding = checkBase64(target, PUBLIC_KEY_BYTES);
      if (encoding !== null) return encoding;
      return REASON_FORBIDDEN.test(reason) || LONE_SURROGATE.test(reason) ? 'shape' : { kind, target, reason };
    }
  }
}

/** The kind-specific values in a fixed order per kind; numbers as decimal integers. */
function payloadValues(draft: ModerationDraft): string[] {
  switch (draft.kind) {
    case 'rules':
      // Optional rules go last, only when present: videoOffFrom as its bare number (as signed before
      // files existed), maxFileBytes named, so neither can be read as the other.
      return [
        String(draft.rules.slowModeSeconds),
        String(draft.rules.maxMessageChars),
        String(draft.rules.lifetimeSeconds),
        ...(draft.rules.videoOffFrom === undefined ? [] : [String(draft.rules.videoOffFrom)]),
        ...(draft.rules.maxFileBytes === undefined ? [] : [`maxFileBytes=${draft.rules.maxFileBytes}`]),
      ];
    case 'kick':
    case 'ban':
      return [draft.target, draft.reason];
    case 'mute':
      return [draft.target, String(draft.untilMs)];
    case 'filter':
      return [String(draft.words.length), ...draft.words];
    case 'lock':
      return [String(draft.members.length), ...draft.members];
    case 'unlock':
      return [];
    case 'name':
      return [draft.name];
    default:
      return [draft.target];
  }
}

/**
 * Domain-separated, length-prefixed encoding of every field but `sig`. The kind comes before the
 * payload and fixes how many values follow, so no two actions (of any kinds) share one encoding.
 */
export function moderationSigningBytes(action: UnsignedAction): Uint8Array {
  const parts: Uint8Array[] = [SIGNING_DOMAIN];
  for (const value of [String(action.v), action.kind, action.id, action.hlc, action.by, ...payloadValues(action)]) {
    const bytes = utf8(value);
    const length = new Uint8Array(4);
    new DataView(length.buffer).setUint32(0, bytes.length);
    parts.push(length, bytes);
  }
  return concatBytes(...parts);
}

/** Signs a new action. Rejects with RangeError for a draft or stamp that peers would drop. */
export async function createModerationAction(
  admin: Identity,
  draft: ModerationDraft,
  hlc: string,
  randomId: () => string = createMessageId,
): Promise<ModerationAction> {
  let checked: DropReason | ModerationDraft;
  try {
    checked = isKind(draft.kind) ? checkDraft(draft.kind, draft as unknown as Record<string, unknown>) : 'shape';
  } catch {
    checked = 'shape';
  }
  if (typeof checked === 'string') throw new RangeError(`invalid moderation draft (${checked})`);
  if (parseStamp(hlc) === null) throw new RangeError('invalid hlc stamp');
  const unsigned: UnsignedAction = { ...checked, v: 1, id: randomId(), hlc, by: toBase64Url(admin.publicKey) };
  return { ...unsigned, sig: toBase64Url(await sign(admin, moderationSigningBytes(unsigned))) };
}

/** The kind-specific fields as stored, picked one by one so a caller's extra properties never reach the document. */
function payloadFields(draft: ModerationDraft): Record<string, unknown> {
  switch (draft.kind) {
    case 'rules': {
      const { slowModeSeconds, maxMessageChars, lifetimeSeconds, videoOffFrom, maxFileBytes } = draft.rules;
      return { rules: { slowModeSeconds, maxMessageChars, lifetimeSeconds, ...(videoOffFrom === undefined ? {} : { videoOffFrom }), ...(maxFileBytes === undefined ? {} : { maxFileBytes }) } };
    }
    case 'kick':
    case 'ban':
      return { target: draft.target, reason: draft.reason };
    case 'mute':
      return { target: draft.target, untilMs: draft.untilMs };
    case 'filter':
      return { words: [...draft.words] };
    case 'lock':
      return { members: [...draft.members] };
    case 'unlock':
      return {};
    case 'name':
      return { name: draft.name };
    default:
      return { target: draft.target };
  }
}

/** The stored form: the action's JSON text with exactly its kind's fields, in a fixed order. */
export function encodeModerationAction(action: ModerationAction): string {
  const { v, id, kind, hlc, by, sig } = action;
  return JSON.stringify({ v, id, kind, hlc, by, ...payloadFields(action), sig });
}

function checkAction(key: string, value: unknown): DropReason | ModerationAction {
  if (!isPlainObject(value)) return 'shape';
  const kind = value['kind'];
  if (!isKind(kind) || !hasExactFields(value, [...HEADER_FIELDS, ...PAYLOAD_FIELDS[kind]])) return 'shape';
  const { v, id, hlc, by, sig } = value;
  if (v !== 1 || typeof id !== 'string' || typeof hlc !== 'string' || typeof by !== 'string' || typeof sig !== 'string') return 'shape';
  const encoding = checkBase64(id, MESSAGE_ID_BYTES) ?? checkBase64(by, PUBLIC_KEY_BYTES) ?? checkBase64(sig, SIGNATURE_BYTES);
  if (encoding !== null) return encoding;
  if (parseStamp(hlc) === null) return 'shape';
  const draft = checkDraft(kind, value);
  if (typeof draft === 'string') return draft;
  if (key !== id) return 'key_mismatch';
  return { ...draft, v, id, hlc, by, sig };
}

/** Parses an untrusted value of the `moderation` map; does not check the signature. Never throws. */
export function decodeModerationAction(key: string, value: unknown): ParsedAction {
  if (typeof value !== 'string') return { ok: false, reason: 'shape' };
  if (value.length > MAX_LOCK_ACTION_CHARS) return { ok: false, reason: 'size' };
  try {
    const result = checkAction(key, JSON.parse(value));
    if (typeof result === 'string') return { ok: false, reason: result };
    // Only a lock (a list of keys) or a word filter may be longer than any other action.
    const limit = result.kind === 'lock' ? MAX_LOCK_ACTION_CHARS : result.kind === 'filter' ? MAX_FILTER_ACTION_CHARS : MAX_ACTION_CHARS;
    return value.length > limit ? { ok: false, reason: 'size' } : { ok: true, action: result };
  } catch {
    return { ok: false, reason: 'shape' };
  }
}

/** True only if the action is by `adminKey` and `sig` is that key's signature over it. Never throws. */
export async function verifyModerationAction(action: ModerationAction, adminKey: string): Promise<boolean> {
  try {
    if (action.by !== adminKey) return false;
    const key = fromBase64Url(action.by);
    const sig = fromBase64Url(action.sig);
    if (key === null || sig === null) return false;
    return await verifySignature(key, moderationSigningBytes(action), sig);
  } catch {
    return false;
  }
}

export interface ModerationState {
  /** Message ids; deletion cannot be undone. */
  readonly deleted: ReadonlySet<string>;
  /** Message ids, most recently pinned first; unpinned and deleted messages leave the list. */
  readonly pinned: readonly string[];
  /** Author key → latest ban not undone by a later unban. */
  readonly bans: ReadonlyMap<string, { readonly hlc: string; readonly reason: string }>;
  /** Author key → latest kick. */
  readonly kicks: ReadonlyMap<string, { readonly hlc: string; readonly reason: string }>;
  /** Author key → latest mute: its stamp (messages before it stay) and its deadline (epoch ms; 0 lifts it). */
  readonly mutes: ReadonlyMap<string, { readonly hlc: string; readonly untilMs: number }>;
  /** From the latest 'rules' action, else DEFAULT_RULES. */
  readonly rules: RoomRules;
  /** From the latest 'filter' action: words masked in every message. */
  readonly filterWords: readonly string[];
  /** While locked: the only identities admitted; null when the room is open. */
  readonly locked: ReadonlySet<string> | null;
  /** From the latest 'name' action: the room's name, '' for none. */
  readonly roomName: string;
}

/** Stamp, then id, then the stored text: a total order, so every member reduces the same sequence. */
function compareActions(a: ModerationAction, b: ModerationAction): number {
  if (a.hlc !== b.hlc) return a.hlc < b.hlc ? -1 : 1;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  const ea = encodeModerationAction(a);
  const eb = encodeModerationAction(b);
  return ea === eb ? 0 : ea < eb ? -1 : 1;
}

/** The state after applying verified actions in (hlc, id) order, whatever order they arrived in. Pure. */
export function reduceModeration(actions: Iterable<ModerationAction>): ModerationState {
  const deleted = new Set<string>();
  // Insertion order is pin order; a re-pin deletes and re-inserts, moving the id to the end.
  const pins = new Set<string>();
  const bans = new Map<string, { hlc: string; reason: string }>();
  const kicks = new Map<string, { hlc: string; reason: string }>();
  const mutes = new Map<string, { hlc: string; untilMs: number }>();
  let rules = DEFAULT_RULES;
  let filterWords: readonly string[] = [];
  let locked: ReadonlySet<string> | null = null;
  let roomName = '';
  for (const action of [...actions].sort(compareActions)) {
    switch (action.kind) {
      case 'delete':
        deleted.add(action.target);
        break;
      case 'pin':
        pins.delete(action.target);
        pins.add(action.target);
        break;
      case 'unpin':
        pins.delete(action.target);
        break;
      case 'ban':
        bans.set(action.target, { hlc: action.hlc, reason: action.reason });
        break;
      case 'unban':
        bans.delete(action.target);
        break;
      case 'kick':
        kicks.set(action.target, { hlc: action.hlc, reason: action.reason });
        break;
      case 'mute':
        mutes.set(action.target, { hlc: action.hlc, untilMs: action.untilMs });
        break;
      case 'rules':
        rules = action.rules;
        break;
      case 'filter':
        filterWords = action.words;
        break;
      case 'lock':
        locked = new Set(action.members);
        break;
      case 'unlock':
        locked = null;
        break;
      case 'name':
        roomName = action.name;
        break;
    }
  }
  const pinned = [...pins].filter((id) => !deleted.has(id)).reverse();
  return { deleted, pinned, bans, kicks, mutes, rules, filterWords, locked, roomName };
}

export type HiddenReason = 'deleted' | 'banned' | 'locked' | 'muted' | 'too_long' | 'expired';

/** Why moderation hides this message at `nowMs` (epoch ms), or null if it is shown; the first matching reason wins. */
export function hiddenReason(entry: MessageEntry, state: ModerationState, nowMs: number): HiddenReason | null {
  if (state.deleted.has(entry.id)) return 'deleted';
  // Fixed-width stamps: string order is time order. Messages stamped before the ban stay.
  const ban = state.bans.get(entry.author);
  if (ban !== undefined && entry.hlc >= ban.hlc) return 'banned';
  if (state.locked !== null && !state.locked.has(entry.author)) return 'locked';
  // The stamp is only read when a mute or a lifetime needs it: this runs for every message of a history.
  const mute = state.mutes.get(entry.author);
  const lifetimeMs = state.rules.lifetimeSeconds * 1000;
  const wallMs = mute !== undefined || lifetimeMs > 0 ? parseStamp(entry.hlc)?.wallMs : undefined;
  if (mute !== undefined && wallMs !== undefined && entry.hlc >= mute.hlc && wallMs < mute.untilMs) return 'muted';
  if (entry.text.length > state.rules.maxMessageChars) return 'too_long';
  if (entry.file !== undefined && entry.file.size > (state.rules.maxFileBytes ?? Infinity)) return 'too_long';
  if (lifetimeMs > 0 && wallMs !== undefined && wallMs + lifetimeMs < nowMs) return 'expired';
  return null;
}
