/**
 * Helpers for translated text that wraps markup or lists people: the word order is the
 * translation's, so a name set in <strong> or <bdi> is cut out of the whole sentence, not glued in.
 */
import { language, t, type MessageKey, type Params } from '../i18n/i18n.svelte';

const SLOT = '\u0000';

/** The message `key` split around the placeholder `slot`: [text before it, text after it]. */
export function textAround(key: MessageKey, slot: string, params: Params = {}): readonly [string, string] {
  const [before = '', after = ''] = t(key, { ...params, [slot]: SLOT }).split(SLOT);
  return [before, after];
}

const lists = new Map<string, Intl.ListFormat>();

/**
 * Names as the language lists them: "Ana, Bo and Cy" (`and`), or "Ana, Bo, Cy" (`plain`).
 * English keeps the comma-less "and" Parley always wrote (en-GB), other languages their own.
 */
export function formatNames(names: readonly string[], style: 'and' | 'plain' = 'and'): string {
  const locale = language.locale;
  const id = `${locale}|${style}`;
  let format = lists.get(id);
  if (format === undefined) {
    const options: Intl.ListFormatOptions = style === 'plain' && locale === 'en' ? { type: 'unit', style: 'short' } : { type: 'conjunction' };
    lists.set(id, (format = new Intl.ListFormat(locale === 'en' ? 'en-GB' : locale, options)));
  }
  return format.format(names);
}
