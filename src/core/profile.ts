/**
 * This device's profile: the nickname and colour used in every room, and the canned replies.
 * Stored sealed (persistence/profile-store.ts) and parsed like any other stored blob: a field
 * that does not pass is dropped (and counted by the caller), the rest still loads.
 */
import { isValidNick, isValidText } from './message-entry.js';
import { isValidShortcut, MAX_SHORTCUTS, type Shortcut } from './shortcuts.js';

export interface Profile {
  /** null: a nickname made from each room's identity (stable in that room, different across rooms). */
  readonly nick: string | null;
  /** `#rrggbb` from PROFILE_COLORS, or null: a colour made from each room's identity. */
  readonly color: string | null;
  readonly shortcuts: readonly Shortcut[];
  /** The away auto-reply (state/private-messages.svelte.ts): the person's own words, so sealed too. */
  readonly autoReply: AutoReply;
}

export interface AutoReply {
  readonly enabled: boolean;
  readonly text: string;
}

/** Short: an auto-reply is a courtesy, not a letter. */
export const MAX_AUTO_REPLY_CHARS = 300;
export const DEFAULT_AUTO_REPLY: AutoReply = { enabled: false, text: "I'm away right now. I'll read your message when I'm back." };

export function isValidAutoReplyText(text: string): boolean {
  return text === text.trim() && text.length <= MAX_AUTO_REPLY_CHARS && isValidText(text);
}

export const EMPTY_PROFILE: Profile = { nick: null, color: null, shortcuts: [], autoReply: DEFAULT_AUTO_REPLY };

/** Colours readable on both the light and the dark theme (relative luminance near 0.18, like colorForKey). */
export const PROFILE_COLORS: Readonly<Record<string, string>> = {
  '#d03b3b': 'Red',
  '#b8610b': 'Orange',
  '#8a7a00': 'Olive',
  '#2f8a3a': 'Green',
  '#12848a': 'Teal',
  '#3d6fd6': 'Blue',
  '#8a55d6': 'Purple',
  '#c2408f': 'Pink',
};

const MAX_PROFILE_CHARS = 200_000;

export function encodeProfile(profile: Profile): string {
  const { enabled, text } = profile.autoReply;
  return JSON.stringify({ v: 1, nick: profile.nick, color: profile.color, shortcuts: profile.shortcuts.map(({ name, text: body }) => ({ name, text: body })), autoReply: { enabled, text } });
}

/** The profile in `text`, and how many of its parts were dropped. Never throws. */
export function decodeProfile(text: string): { profile: Profile; dropped: number } {
  if (text.length > MAX_PROFILE_CHARS) return { profile: EMPTY_PROFILE, dropped: 1 };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { profile: EMPTY_PROFILE, dropped: 1 };
  }
  if (typeof value !== 'object' || value === null || (value as { v?: unknown }).v !== 1) return { profile: EMPTY_PROFILE, dropped: 1 };
  const fields = value as Record<string, unknown>;
  let dropped = 0;
  const nick = typeof fields['nick'] === 'string' && isValidNick(fields['nick']) ? fields['nick'] : null;
  if (fields['nick'] !== null && nick === null) dropped++;
  const color = typeof fields['color'] === 'string' && fields['color'] in PROFILE_COLORS ? fields['color'] : null;
  if (fields['color'] !== null && color === null) dropped++;
  const shortcuts: Shortcut[] = [];
  const list = Array.isArray(fields['shortcuts']) ? (fields['shortcuts'] as unknown[]) : [];
  for (const item of list.slice(0, MAX_SHORTCUTS)) {
    const { name, text: body } = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    if (typeof name === 'string' && typeof body === 'string' && isValidShortcut({ name, text: body })) shortcuts.push({ name, text: body });
    else dropped++;
  }
  const stored = (typeof fields['autoReply'] === 'object' && fields['autoReply'] !== null ? fields['autoReply'] : {}) as Record<string, unknown>;
  const autoReply = typeof stored['enabled'] === 'boolean' && typeof stored['text'] === 'string' && isValidAutoReplyText(stored['text']) ? { enabled: stored['enabled'], text: stored['text'] } : DEFAULT_AUTO_REPLY;
  if (fields['autoReply'] !== undefined && autoReply === DEFAULT_AUTO_REPLY) dropped++;
  return { profile: { nick, color, shortcuts, autoReply }, dropped: dropped + Math.max(0, list.length - MAX_SHORTCUTS) };
}
