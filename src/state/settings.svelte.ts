/**
 * This device's display settings: theme, text size, whether read receipts are sent and shown, and
 * whether it connects through the relay only. Kept in localStorage (they say nothing
 * about any room or person, so they need no sealing) and applied to the root element at once.
 * A stored value is parsed like any input: anything unknown falls back to the default.
 */
export type Theme = 'system' | 'light' | 'dark';
export type TextSize = 'small' | 'normal' | 'large' | 'x-large';

const KEY = 'parley.settings';
const THEMES: readonly Theme[] = ['system', 'light', 'dark'];
const SIZES: Readonly<Record<TextSize, string>> = { small: '87.5%', normal: '100%', large: '112.5%', 'x-large': '125%' };

interface Stored {
  theme: Theme;
  textSize: TextSize;
  /** Send and show read receipts (default on; off means neither, as in the messengers people know). */
  receipts: boolean;
  /** Connect through the node's TURN relay only, so other members never learn this device's addresses (default off: slower). */
  relayOnly: boolean;
  /** Show the room's name in the tab title (default off: titles are kept in the browser's history). */
  roomNameInTitle: boolean;
}

/** The fields of a JSON object kept in localStorage under `key`; none if missing, unreadable or not an object. */
export function readStoredFields(key: string): Record<string, unknown> {
  let stored: unknown = null;
  try {
    stored = JSON.parse(globalThis.localStorage?.getItem(key) ?? 'null');
  } catch {
    stored = null;
  }
  return typeof stored === 'object' && stored !== null && !Array.isArray(stored) ? (stored as Record<string, unknown>) : {};
}

function readStored(): Stored {
  const fields = readStoredFields(KEY);
  const theme = THEMES.find((name) => name === fields['theme']) ?? 'system';
  const textSize = (Object.keys(SIZES) as TextSize[]).find((name) => name === fields['textSize']) ?? 'normal';
  return { theme, textSize, receipts: fields['receipts'] !== false, relayOnly: fields['relayOnly'] === true, roomNameInTitle: fields['roomNameInTitle'] === true };
}

class Settings {
  theme: Theme = $state('system');
  textSize: TextSize = $state('normal');
  receipts = $state(true);
  relayOnly = $state(false);
  roomNameInTitle = $state(false);

  constructor() {
    const stored = readStored();
    this.theme = stored.theme;
    this.textSize = stored.textSize;
    this.receipts = stored.receipts;
    this.relayOnly = stored.relayOnly;
    this.roomNameInTitle = stored.roomNameInTitle;
    this.#apply();
  }

  set(change: Partial<Stored>): void {
    if (change.theme !== undefined) this.theme = change.theme;
    if (change.textSize !== undefined) this.textSize = change.textSize;
    if (change.receipts !== undefined) this.receipts = change.receipts;
    if (change.relayOnly !== undefined) this.relayOnly = change.relayOnly;
    if (change.roomNameInTitle !== undefined) this.roomNameInTitle = change.roomNameInTitle;
    try {
      globalThis.localStorage?.setItem(KEY, JSON.stringify({ theme: this.theme, textSize: this.textSize, receipts: this.receipts, relayOnly: this.relayOnly, roomNameInTitle: this.roomNameInTitle }));
    } catch {
      // Storage refused (private mode): the choice holds for this page.
    }
    this.#apply();
  }

  #apply(): void {
    const root = globalThis.document?.documentElement;
    if (root === undefined) return;
    if (this.theme === 'system') delete root.dataset['theme'];
    else root.dataset['theme'] = this.theme;
    root.style.fontSize = SIZES[this.textSize];
  }
}

export const settings = new Settings();
export const TEXT_SIZES = Object.keys(SIZES) as TextSize[];
