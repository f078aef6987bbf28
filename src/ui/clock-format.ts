/**
 * The hour:minute format of the UI's language, built once per language and only when first needed
 * or when the page is idle. Creating an Intl.DateTimeFormat loads the locale's ICU data: 60–170 ms in a
 * fresh Chromium renderer (measured here), which used to be spent inside the room's first render,
 * the same task that keeps the WebRTC handshake from being handled (tests/bench, "join").
 */
import { parseStamp } from '../core/hlc.js';
import { language, type Locale } from '../i18n/i18n.svelte';

let formatter: { readonly locale: Locale; readonly format: Intl.DateTimeFormat } | null = null;

/** The browser's own regional variant of `locale` ("en-GB" keeps its 24-hour clock), else `locale`. */
function regional(locale: Locale): string {
  const preferred = globalThis.navigator?.languages ?? [];
  return preferred.find((tag) => tag.toLowerCase().split('-')[0] === locale) ?? locale;
}

/** The format for the current language (reactive: a clock shown re-renders when the language changes). */
function clock(): Intl.DateTimeFormat {
  const locale = language.locale;
  if (formatter?.locale !== locale) formatter = { locale, format: new Intl.DateTimeFormat(regional(locale), { hour: '2-digit', minute: '2-digit' }) };
  return formatter.format;
}

/** `ms` (epoch) as hour:minute in the UI's language (Persian digits in Persian). */
export function formatClock(ms: number): string {
  return clock().format(ms);
}

/** The hour:minute at which a message was stamped (its HLC wall time); empty for a malformed stamp. */
export function formatStampClock(hlc: string): string {
  const stamp = parseStamp(hlc);
  return stamp === null ? '' : formatClock(stamp.wallMs);
}

/** Builds the format when the main thread has nothing else to do (or within 2 s). */
export function prepareClockFormat(): void {
  if (formatter?.locale === language.locale) return;
  if (typeof requestIdleCallback === 'function') requestIdleCallback(() => void clock(), { timeout: 2000 });
  else setTimeout(() => void clock(), 200);
}
