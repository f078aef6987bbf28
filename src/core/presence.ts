/**
 * Presence: strict parsing of the fields a member says about themselves (signed in presence-record.ts), friendly
 * random nicknames, and a stable colour per identity key.
 */
import { parseCallPresence } from './call-state.js';
import { isValidLabel, isValidNick } from './message-entry.js';
import { hasExactFields, isPlainObject } from './strict-json.js';
import type { PresenceState } from './types.js';

const FIELDS: readonly string[] = ['nick', 'color', 'status', 'text', 'typing'];
export const MAX_STATUS_TEXT_CHARS = 80;
const COLOR_PATTERN = /^#[0-9a-f]{6}$/;

/** What a member says about themselves in presence; the key travels beside it, signed (presence-record.ts). */
export type PresenceFields = Omit<PresenceState, 'key'>;

/** Parses untrusted presence fields; null unless it has exactly the PresenceFields, each valid. Never throws. */
export function parsePresenceFields(value: unknown): PresenceFields | null {
  try {
    // `call` is there only while the member is in the call.
    if (!isPlainObject(value) || !hasExactFields(value, Object.hasOwn(value, 'call') ? [...FIELDS, 'call'] : FIELDS)) return null;
    const { nick, color, status, text, typing } = value;
    const call = Object.hasOwn(value, 'call') ? parseCallPresence(value['call']) : undefined;
    if (call === null) return null;
    if (typeof nick !== 'string' || !isValidNick(nick)) return null;
    if (typeof color !== 'string' || !COLOR_PATTERN.test(color)) return null;
    if (status !== 'online' && status !== 'away' && status !== 'busy') return null;
    // A status message follows the nickname's rules (no controls, no bidi overrides), but may be empty.
    if (typeof text !== 'string' || (text !== '' && !isValidLabel(text, MAX_STATUS_TEXT_CHARS))) return null;
    if (typeof typing !== 'boolean') return null;
    return call === undefined ? { nick, color, status, text, typing } : { nick, color, status, text, typing, call };
  } catch {
    return null;
  }
}

const ADJECTIVES = [
  'Amber', 'Bold', 'Brave', 'Bright', 'Calm', 'Clever', 'Cosy', 'Curious', 'Daring', 'Eager',
  'Gentle', 'Happy', 'Jolly', 'Kind', 'Lively', 'Lucky', 'Merry', 'Mellow', 'Nimble', 'Patient',
  'Plucky', 'Quiet', 'Quick', 'Sunny', 'Swift', 'Tidy', 'Witty', 'Zesty',
] as const;
const ANIMALS = [
  'Badger', 'Beaver', 'Bison', 'Crane', 'Dolphin', 'Falcon', 'Ferret', 'Finch', 'Fox', 'Gecko',
  'Heron', 'Ibis', 'Koala', 'Lemur', 'Lynx', 'Marten', 'Moose', 'Newt', 'Otter', 'Owl',
  'Panda', 'Puffin', 'Quokka', 'Raven', 'Robin', 'Seal', 'Stoat', 'Tapir', 'Walrus', 'Wombat',
] as const;

/** A friendly English nickname such as "Brave Otter"; `random` returns [0, 1) like Math.random. */
export function randomNickname(random: () => number = Math.random): string {
  const pick = <T>(items: readonly T[]): T => items[Math.min(items.length - 1, Math.floor(random() * items.length))] as T;
  return `${pick(ADJECTIVES)} ${pick(ANIMALS)}`;
}

/** A nickname made from a public key: the same in a room on every visit, unrelated across rooms. */
export function nicknameForKey(publicKey: Uint8Array): string {
  let at = 0;
  return randomNickname(() => (publicKey[at++ % publicKey.length] ?? 0) / 256);
}

/** sRGB channel (0–1) to linear light, per WCAG 2 relative luminance. */
const linear = (channel: number): number => (channel <= 0.04045 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4);

function hslToRgb(hue: number, saturation: number, lightness: number): [number, number, number] {
  const chroma = (1 - Math.abs(2 * lightness - 1)) * saturation;
  const channel = (n: number): number => {
    const k = (n + hue / 30) % 12;
    return lightness - (chroma / 2) * Math.max(-1, Math.min(k - 3, 9 - k, 1));
  };
  return [channel(0), channel(8), channel(4)];
}

const luminance = ([r, g, b]: readonly number[]): number => 0.2126 * linear(r ?? 0) + 0.7152 * linear(g ?? 0) + 0.0722 * linear(b ?? 0);

/**
 * Relative luminance 0.18 gives about 4.4:1 contrast against white and 4.6:1 against black;
 * no colour reaches 4.5:1 against both, so this is the balanced middle.
 */
const TARGET_LUMINANCE = 0.18;

/** A deterministic `#rrggbb` for a key: hue and saturation from a hash, lightness tuned to read on light and dark backgrounds. */
export function colorForKey(key: string): string {
  // FNV-1a over UTF-16 code units: cheap and well spread for base64url keys.
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193) >>> 0;
  const hue = hash % 360;
  const saturation = 0.55 + ((hash >>> 9) % 30) / 100;
  // Luminance rises with lightness at fixed hue and saturation, so bisect for the target.
  let low = 0;
  let high = 1;
  for (let step = 0; step < 24; step++) {
    const middle = (low + high) / 2;
    if (luminance(hslToRgb(hue, saturation, middle)) < TARGET_LUMINANCE) low = middle;
    else high = middle;
  }
  const rgb = hslToRgb(hue, saturation, (low + high) / 2);
  return `#${rgb.map((c) => Math.round(Math.min(1, Math.max(0, c)) * 255).toString(16).padStart(2, '0')).join('')}`;
}
