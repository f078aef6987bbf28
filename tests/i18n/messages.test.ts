// Every locale has exactly English's keys, the same placeholders, and the plural forms its language
// needs; every key is used somewhere in the app. A missing or left-over string fails here, not on screen.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allEnglish } from '../../src/i18n/en/all';
import { LOCALES, type Locale } from '../../src/i18n/locales';
import { placeholdersOf, type Messages } from '../../src/i18n/messages';
import ru from '../../src/i18n/ru/index';
import pl from '../../src/i18n/pl/index';
import ja from '../../src/i18n/ja/index';
import fa from '../../src/i18n/fa/index';

const TRANSLATIONS: Record<Exclude<Locale, 'en'>, Messages> = { ru, pl, ja, fa };
const english: Messages = allEnglish;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return path.endsWith(join('src', 'i18n')) ? [] : sourceFiles(path);
    return /\.(ts|svelte)$/.test(name) ? [path] : [];
  });
}

describe('translations', () => {
  it('cover five locales', () => {
    expect([...LOCALES]).toEqual(['en', 'ru', 'pl', 'ja', 'fa']);
  });

  for (const [locale, messages] of Object.entries(TRANSLATIONS)) {
    it(`${locale} has every English key and no other`, () => {
      const missing = Object.keys(english).filter((key) => !(key in messages));
      const extra = Object.keys(messages).filter((key) => !(key in english));
      expect({ missing, extra }).toEqual({ missing: [], extra: [] });
    });

    it(`${locale} keeps every placeholder and the plural forms its language needs`, () => {
      const categories = new Intl.PluralRules(locale).resolvedOptions().pluralCategories;
      for (const [key, source] of Object.entries(english)) {
        const message = messages[key];
        if (message === undefined) continue;
        expect(placeholdersOf(message), `${locale} ${key}`).toEqual(placeholdersOf(source));
        expect(typeof message, `${locale} ${key} plural or not`).toBe(typeof source);
        if (typeof message === 'string') {
          expect(message.trim(), `${locale} ${key}`).not.toBe('');
          continue;
        }
        for (const category of categories) expect(message[category], `${locale} ${key} ${category}`).toBeTruthy();
      }
    });
  }

  it('uses every key somewhere in the app', () => {
    const source = sourceFiles('src').map((path) => readFileSync(path, 'utf8')).join('\n');
    const unused = Object.keys(english).filter((key) => !source.includes(`'${key}'`) && !source.includes(`"${key}"`));
    expect(unused).toEqual([]);
  });
});
