/**
 * The launcher's few strings on the host page, in the five languages, without the app's i18n
 * runtime (embed.js must stay small and framework-free). The texts are the `embed` area files'.
 */
import en from '../i18n/en/embed';
import ru from '../i18n/ru/embed';
import pl from '../i18n/pl/embed';
import ja from '../i18n/ja/embed';
import fa from '../i18n/fa/embed';
import { directionOf, parseLocale, pickLocale, type Locale } from '../i18n/locales';
import type { Message, Messages } from '../i18n/messages';

const BY_LOCALE: Readonly<Record<Locale, Messages>> = { en, ru, pl, ja, fa };
type Key = keyof typeof en;

/** The language asked for (`data-lang`), else the host page's `<html lang>`, else the browser's. */
export function launcherLocale(asked: string | null, pageLang: string, preferred: readonly string[]): Locale {
  return parseLocale(asked) ?? parseLocale(pageLang.toLowerCase().split('-')[0]) ?? pickLocale(preferred);
}

export { directionOf };

/** `key` in `locale`, `{count}` filled in the locale's digits and plural form. */
export function launcherText(locale: Locale, key: Key, count?: number): string {
  const message: Message = BY_LOCALE[locale][key] ?? en[key];
  const text = typeof message === 'string' ? message : (message[count === undefined ? 'other' : new Intl.PluralRules(locale).select(count)] ?? message.other);
  return count === undefined ? text : text.replace('{count}', new Intl.NumberFormat(locale).format(count));
}
