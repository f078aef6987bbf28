/**
 * The UI language: the chosen locale, its messages, and `t()` to read them. English is built in
 * (it is also the fallback for a key a translation lacks); any other locale's strings are a chunk of
 * their own, loaded when chosen, so a visitor downloads one language, not five.
 * `t()` reads reactive state, so every string on screen follows a change of language at once.
 */
import { en } from './en/index';
import type { MessageKey } from './en/index';
import { directionOf, parseLocale, pickLocale, type Locale } from './locales';
import { PLACEHOLDER, type Message, type Messages } from './messages';

export type { MessageKey } from './en/index';
export type { Locale } from './locales';
export { LOCALES, LOCALE_NAMES } from './locales';

const STORAGE_KEY = 'parley.language';
const LOADERS: Readonly<Record<Exclude<Locale, 'en'>, () => Promise<{ default: Messages }>>> = {
  ru: () => import('./ru/index'),
  pl: () => import('./pl/index'),
  ja: () => import('./ja/index'),
  fa: () => import('./fa/index'),
};

export type Params = Readonly<Record<string, string | number>>;

class Language {
  locale: Locale = $state('en');
  messages: Messages = $state.raw(en);
  get dir(): 'ltr' | 'rtl' {
    return directionOf(this.locale);
  }
}

export const language = new Language();

/** English: the built-in areas, and the later parts' areas as they load (addEnglish). */
const english: Record<string, Message> = { ...en };

/**
 * Adds the English strings of a part of the app that loads later (its own chunk), before that part
 * renders. Other languages load whole, so this only fills English and the fallback.
 */
export function addEnglish(area: Messages): void {
  Object.assign(english, area);
}

const pluralRules = new Map<Locale, Intl.PluralRules>();
const numberFormats = new Map<Locale, Intl.NumberFormat>();

function pluralRule(locale: Locale): Intl.PluralRules {
  let rule = pluralRules.get(locale);
  if (rule === undefined) pluralRules.set(locale, (rule = new Intl.PluralRules(locale)));
  return rule;
}

/** `value` in the current locale's digits and grouping (Persian digits in Persian, and so on). */
export function formatNumber(value: number): string {
  const locale = language.locale;
  let format = numberFormats.get(locale);
  if (format === undefined) numberFormats.set(locale, (format = new Intl.NumberFormat(locale)));
  return format.format(value);
}

function pick(message: Message, count: number | undefined, locale: Locale): string {
  if (typeof message === 'string') return message;
  const category = count === undefined ? 'other' : pluralRule(locale).select(count);
  return message[category] ?? message.other;
}

/**
 * The message `key` in the current language, with `{name}` placeholders filled from `params`
 * (numbers in the locale's own digits). A message with plural forms takes its form from `params.count`.
 */
export function t(key: MessageKey, params?: Params): string {
  const locale = language.locale;
  const message = language.messages[key] ?? english[key] ?? key;
  const count = params?.['count'];
  const text = pick(message, typeof count === 'number' ? count : undefined, locale);
  if (params === undefined) return text;
  return text.replace(PLACEHOLDER, (whole, name: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    return typeof value === 'number' ? formatNumber(value) : value;
  });
}

function apply(locale: Locale): void {
  const root = globalThis.document?.documentElement;
  if (root === undefined) return;
  root.lang = locale;
  root.dir = directionOf(locale);
}

/** Switches the UI to `locale`, loading its strings first; remembered on this device when `remember`. */
export async function setLocale(locale: Locale, remember = true): Promise<void> {
  const messages = locale === 'en' ? en : (await LOADERS[locale]()).default;
  language.messages = messages;
  language.locale = locale;
  apply(locale);
  if (!remember) return;
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, locale);
  } catch {
    // Storage refused (private mode): the choice holds for this page.
  }
}

/** The stored choice, else the browser's preferred languages. */
export function initialLocale(): Locale {
  let stored: string | null = null;
  try {
    stored = globalThis.localStorage?.getItem(STORAGE_KEY) ?? null;
  } catch {
    stored = null;
  }
  return parseLocale(stored) ?? pickLocale(globalThis.navigator?.languages ?? []);
}

/** Before the first render: the visitor's language, so the page never flashes English first. */
export function startLanguage(locale: Locale = initialLocale()): Promise<void> {
  if (locale === 'en') {
    apply('en');
    return Promise.resolve();
  }
  return setLocale(locale, false).catch(() => apply('en'));
}
