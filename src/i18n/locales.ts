/**
 * The languages Parley speaks, their writing direction, and how a visitor's first language is chosen
 * (from `navigator.languages`, before anything is stored). Plain TypeScript: no DOM, no Svelte.
 */
export type Locale = 'en' | 'ru' | 'pl' | 'ja' | 'fa';

export const LOCALES: readonly Locale[] = ['en', 'ru', 'pl', 'ja', 'fa'];

/** Each language named in itself, as language pickers show them (so a lost visitor finds their own). */
export const LOCALE_NAMES: Readonly<Record<Locale, string>> = {
  en: 'English',
  ru: 'Русский',
  pl: 'Polski',
  ja: '日本語',
  fa: 'فارسی',
};

const RIGHT_TO_LEFT: ReadonlySet<Locale> = new Set<Locale>(['fa']);

/** The writing direction of a locale's script. */
export function directionOf(locale: Locale): 'ltr' | 'rtl' {
  return RIGHT_TO_LEFT.has(locale) ? 'rtl' : 'ltr';
}

/** `value` as a Locale, or null for anything else (stored values and URL options are untrusted). */
export function parseLocale(value: unknown): Locale | null {
  return LOCALES.find((locale) => locale === value) ?? null;
}

/** The first of the browser's preferred languages that Parley speaks ("ru-RU" → ru), else English. */
export function pickLocale(preferred: readonly string[]): Locale {
  for (const tag of preferred) {
    const locale = parseLocale(tag.toLowerCase().split('-')[0]);
    if (locale !== null) return locale;
  }
  return 'en';
}
