/**
 * Canned replies: "/hello" then Tab expands a saved template in the composer. They live on this
 * device only (sealed with the device key, persistence/profile-store.ts), never in a room.
 */
import { isValidText } from './message-entry.js';

export interface Shortcut {
  /** What follows the slash: letters and digits of any script, "-" and "_", 1–MAX_SHORTCUT_NAME_CHARS. */
  readonly name: string;
  readonly text: string;
}

export const MAX_SHORTCUT_NAME_CHARS = 24;
export const MAX_SHORTCUT_TEXT_CHARS = 2000;
export const MAX_SHORTCUTS = 50;
const NAME = /^[\p{L}\p{M}\p{N}_-]+$/u;

export function isValidShortcutName(name: string): boolean {
  return name.length >= 1 && name.length <= MAX_SHORTCUT_NAME_CHARS && NAME.test(name);
}

export function isValidShortcut(value: Shortcut): boolean {
  return isValidShortcutName(value.name) && value.text.length <= MAX_SHORTCUT_TEXT_CHARS && isValidText(value.text);
}

/** The shortcut list with `added` in place of any of the same name (names compare case-insensitively). */
export function withShortcut(list: readonly Shortcut[], added: Shortcut): Shortcut[] {
  const others = list.filter((item) => item.name.toLocaleLowerCase() !== added.name.toLocaleLowerCase());
  return [...others, added].sort((a, b) => a.name.localeCompare(b.name)).slice(0, MAX_SHORTCUTS);
}

export interface Expansion {
  readonly text: string;
  /** Where the caret goes: right after the inserted template. */
  readonly caret: number;
}

/**
 * Expands the "/name" that ends at `caret` (at the start of the text or after whitespace), or
 * returns null when there is none or no shortcut has that name, so Tab keeps its usual meaning.
 */
export function expandShortcut(text: string, caret: number, list: readonly Shortcut[]): Expansion | null {
  const before = text.slice(0, caret);
  const match = /(^|\s)\/([\p{L}\p{M}\p{N}_-]{1,24})$/u.exec(before);
  if (match === null) return null;
  const name = (match[2] ?? '').toLocaleLowerCase();
  const found = list.find((item) => item.name.toLocaleLowerCase() === name);
  if (found === undefined) return null;
  const start = caret - name.length - 1;
  return { text: `${text.slice(0, start)}${found.text}${text.slice(caret)}`, caret: start + found.text.length };
}
