/**
 * The away auto-reply, a setting of this device: whether it is on and what it says. Kept in
 * localStorage next to the display settings (it names no room and no person), parsed like any
 * stored input: anything unexpected falls back to off with the default text.
 */
import { isValidText } from '../core/message-entry.js';

const KEY = 'parley.autoReply';
/** Short: an auto-reply is a courtesy, not a letter. */
export const MAX_AUTO_REPLY_CHARS = 300;
export const DEFAULT_AUTO_REPLY = "I'm away right now. I'll read your message when I'm back.";

const isValidReply = (text: unknown): text is string => typeof text === 'string' && text === text.trim() && text.length <= MAX_AUTO_REPLY_CHARS && isValidText(text);

class AutoReplySetting {
  enabled = $state(false);
  text = $state(DEFAULT_AUTO_REPLY);

  constructor() {
    let stored: unknown = null;
    try {
      stored = JSON.parse(globalThis.localStorage?.getItem(KEY) ?? 'null');
    } catch {
      stored = null;
    }
    const fields = typeof stored === 'object' && stored !== null ? (stored as Record<string, unknown>) : {};
    this.enabled = fields['enabled'] === true;
    if (isValidReply(fields['text'])) this.text = fields['text'];
  }

  /** What to answer with, or null while off. */
  get reply(): string | null {
    return this.enabled ? this.text : null;
  }

  /** Changes the setting; false, changing nothing, for an empty or over-long text. */
  set(change: Partial<{ enabled: boolean; text: string }>): boolean {
    const text = change.text?.replace(/\r\n?/g, '\n').trim() ?? this.text;
    if (!isValidReply(text)) return false;
    this.text = text;
    if (change.enabled !== undefined) this.enabled = change.enabled;
    try {
      globalThis.localStorage?.setItem(KEY, JSON.stringify({ enabled: this.enabled, text: this.text }));
    } catch {
      // Storage refused (private mode): the choice holds for this page.
    }
    return true;
  }
}

export const autoReply = new AutoReplySetting();
