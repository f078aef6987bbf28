/**
 * What a host page asks of an embedded room, carried in the frame's URL fragment (never sent to the
 * node) as one `embed=` parameter: base64url of a small JSON object. Everything in it comes from
 * another site's page, so it is parsed field by field; a bad field is dropped, a bad host origin
 * drops the whole value (without it the frame cannot tell whom to talk to). Plain TS, no DOM.
 */
import { fromBase64Url, fromUtf8, toBase64Url, utf8 } from '../crypto/encoding.js';
import { isPlainObject } from './strict-json.js';
import { parseLocale, type Locale } from '../i18n/locales.js';

export const EMBED_PARAM = 'embed';
export type EmbedPosition = 'bottom-end' | 'bottom-start';
export const EMBED_POSITIONS: readonly EmbedPosition[] = ['bottom-end', 'bottom-start'];

/** Longest greeting shown, in characters (a tweet and a half; the frame is small). */
export const MAX_GREETING_CHARS = 200;
/** Longest accent colour text: `oklch(62.5% 0.19 255.5 / 0.9)` is 30. */
export const MAX_ACCENT_CHARS = 48;
const MAX_ZONE_CHARS = 64;
const MAX_ORIGIN_CHARS = 300;
/** Base64url of the largest valid options (a 200-character CJK greeting is 600 bytes of UTF-8). */
const MAX_PARAM_CHARS = 1400;

/** When the site usually answers: minutes after midnight in `zone` (an IANA zone), or the visitor's own zone. */
export interface WorkingHours {
  fromMinutes: number;
  toMinutes: number;
  zone?: string;
}

export interface EmbedOptions {
  /** The embedding page's origin: the only one the frame talks to. */
  host: string;
  greeting?: string;
  hours?: WorkingHours;
  /** A CSS colour by its syntax; the UI also asks the browser (CSS.supports) before using it. */
  accent?: string;
  lang?: Locale;
  calls: boolean;
}

/** `text` as an http(s) origin in serialized form (`https://shop.example`), else null. */
export function parseOrigin(text: unknown): string | null {
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_ORIGIN_CHARS || /[\s*'";,]/.test(text)) return null;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  return url.origin === text.toLowerCase() ? url.origin : null;
}

/** Host-provided text shown as plain text: trimmed, no control characters but newlines, at most `max` characters. */
export function parsePlainText(text: unknown, max: number): string | null {
  if (typeof text !== 'string') return null;
  const cleaned = text.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, '').trim();
  if (cleaned.length === 0 || [...cleaned].length > max) return null;
  return cleaned;
}

const HEX_COLOR = /^#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i;
const FUNCTION_COLOR = /^(?:rgba?|hsla?|hwb|lab|lch|oklab|oklch)\([0-9a-z.,%/ +-]{1,40}\)$/i;
const NAMED_COLOR = /^[a-z]{3,20}$/i;

/** A CSS colour by its shape: hex, a colour function of numbers, or a name. Nothing else reaches a style. */
export function parseAccent(text: unknown): string | null {
  if (typeof text !== 'string' || text.length > MAX_ACCENT_CHARS) return null;
  const value = text.trim();
  return HEX_COLOR.test(value) || FUNCTION_COLOR.test(value) || NAMED_COLOR.test(value) ? value : null;
}

const CLOCK_RANGE = /^([01]?\d|2[0-3])(?::([0-5]\d))?\s*[-–]\s*([01]?\d|2[0-4])(?::([0-5]\d))?$/;

/** "9-18", "09:00-18:30" (24-hour clock) as minutes after midnight; null if malformed or empty. */
export function parseHoursRange(text: unknown): { fromMinutes: number; toMinutes: number } | null {
  if (typeof text !== 'string' || text.length > 20) return null;
  const match = CLOCK_RANGE.exec(text.trim());
  if (match === null) return null;
  const fromMinutes = Number(match[1]) * 60 + Number(match[2] ?? 0);
  const toMinutes = Number(match[3]) * 60 + Number(match[4] ?? 0);
  if (toMinutes > 24 * 60 || fromMinutes === toMinutes) return null;
  return { fromMinutes, toMinutes };
}

/** An IANA time zone the runtime knows ("Europe/Warsaw"), else null. */
export function parseTimeZone(text: unknown): string | null {
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_ZONE_CHARS || !/^[A-Za-z0-9_+\-/]+$/.test(text)) return null;
  try {
    return new Intl.DateTimeFormat('en', { timeZone: text }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

function parseHours(value: unknown): WorkingHours | null {
  if (!isPlainObject(value)) return null;
  const { fromMinutes, toMinutes, zone } = value;
  const isMinute = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 24 * 60;
  if (!isMinute(fromMinutes) || !isMinute(toMinutes) || fromMinutes === toMinutes || fromMinutes === 24 * 60) return null;
  if (zone === undefined) return { fromMinutes, toMinutes };
  const checkedZone = parseTimeZone(zone);
  return checkedZone === null ? null : { fromMinutes, toMinutes, zone: checkedZone };
}

/** The options as the `embed=` fragment value. */
export function formatEmbedParam(options: EmbedOptions): string {
  return toBase64Url(utf8(JSON.stringify(options)));
}

/** The embed options in a location hash (with or without `#`), or null when absent or unusable. */
export function parseEmbedParam(hash: string): EmbedOptions | null {
  if (typeof hash !== 'string') return null;
  const body = hash.startsWith('#') ? hash.slice(1) : hash;
  const values = body.split('&').filter((pair) => pair.startsWith(`${EMBED_PARAM}=`));
  if (values.length !== 1) return null;
  const text = (values[0] ?? '').slice(EMBED_PARAM.length + 1);
  if (text.length > MAX_PARAM_CHARS) return null;
  const bytes = fromBase64Url(text);
  const json = bytes === null ? null : fromUtf8(bytes);
  if (json === null) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return null;
  }
  return isPlainObject(raw) ? embedOptionsFrom(raw) : null;
}

/** Known fields checked one by one; unknown fields ignored (a newer loader may send more). */
function embedOptionsFrom(raw: Record<string, unknown>): EmbedOptions | null {
  const host = parseOrigin(raw['host']);
  if (host === null) return null;
  const options: EmbedOptions = { host, calls: raw['calls'] === true };
  const greeting = parsePlainText(raw['greeting'], MAX_GREETING_CHARS);
  if (greeting !== null) options.greeting = greeting;
  const hours = parseHours(raw['hours']);
  if (hours !== null) options.hours = hours;
  const accent = parseAccent(raw['accent']);
  if (accent !== null) options.accent = accent;
  const lang = parseLocale(raw['lang']);
  if (lang !== null) options.lang = lang;
  return options;
}
