/**
 * This device's display settings: theme and text size. Kept in localStorage (they say nothing
 * about any room or person, so they need no sealing) and applied to the root element at once.
 * A stored value is parsed like any input: anything unknown falls back to the default.
 */
export type Theme = 'system' | 'light' | 'dark';
export type TextSize = 'small' | 'normal' | 'large' | 'x-large';

const KEY = 'parley.settings';
const THEMES: readonly Theme[] = ['system', 'light', 'dark'];
const SIZES: Readonly<Record<TextSize, string>> = { small: '87.5%', normal: '100%', large: '112.5%', 'x-large': '125%' };

function readStored(): { theme: Theme; textSize: TextSize } {
  let stored: unknown = null;
  try {
    stored = JSON.parse(globalThis.localStorage?.getItem(KEY) ?? 'null');
  } catch {
    stored = null;
  }
  const fields = typeof stored === 'object' && stored !== null ? (stored as Record<string, unknown>) : {};
  const theme = THEMES.find((name) => name === fields['theme']) ?? 'system';
  const textSize = (Object.keys(SIZES) as TextSize[]).find((name) => name === fields['textSize']) ?? 'normal';
  return { theme, textSize };
}

class Settings {
  theme: Theme = $state('system');
  textSize: TextSize = $state('normal');

  constructor() {
    const stored = readStored();
    this.theme = stored.theme;
    this.textSize = stored.textSize;
    this.#apply();
  }

  set(change: Partial<{ theme: Theme; textSize: TextSize }>): void {
    if (change.theme !== undefined) this.theme = change.theme;
    if (change.textSize !== undefined) this.textSize = change.textSize;
    try {
      globalThis.localStorage?.setItem(KEY, JSON.stringify({ theme: this.theme, textSize: this.textSize }));
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
