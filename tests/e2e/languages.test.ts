// The room in each of the five languages: chosen with the Language select in Display, and once
// from the browser's preferred languages. The page's language and direction follow, the composer
// and its Send button carry the translated names, no English UI word is left on screen, and
// Persian writes its own digits, right to left.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { JOIN_TIMEOUT_MS, say, useRoomHarness } from '../helpers/e2e.js';

type Locale = 'en' | 'ru' | 'pl' | 'ja' | 'fa';

/** The names a person (or a screen reader) meets first, per language. */
const NAMES: Record<Locale, { message: string; send: string; log: string; people: string; display: string }> = {
  en: { message: 'Message', send: 'Send', log: 'Messages', people: 'People', display: 'Display' },
  ru: { message: 'Сообщение', send: 'Отправить', log: 'Сообщения', people: 'Участники', display: 'Вид' },
  pl: { message: 'Wiadomość', send: 'Wyślij', log: 'Wiadomości', people: 'Uczestnicy', display: 'Wygląd' },
  ja: { message: 'メッセージ', send: '送信', log: 'メッセージ', people: '参加者', display: '表示' },
  fa: { message: 'پیام', send: 'ارسال', log: 'پیام‌ها', people: 'افراد', display: 'نمایش' },
};

/** English UI words that must not be left on screen in another language (whole words, case as written). */
const ENGLISH = ['Send', 'Reply', 'React', 'Edit', 'Delete', 'Private', 'Block', 'Kick', 'Ban', 'Mute', 'online', 'away', 'typing', 'direct', 'relayed', 'Message', 'Messages', 'People', 'Emoji', 'Mentions', 'Save', 'Cancel', 'Theme', 'Light', 'Dark', 'Text size', 'Normal', 'Language', 'read receipts', 'Loading', 'you'];

const MESSAGE = 'Привет, Bob! こんにちは';

async function chooseLanguage(page: Page, locale: Locale): Promise<void> {
  // Named in the current language, so found by its options (each language named in itself).
  await page.locator('select:has(option[value="fa"])').selectOption(locale);
  await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe(locale);
}

/** What a person sees of the page's UI: its text minus nicknames and the message. */
async function uiText(page: Page, nicks: readonly string[]): Promise<string> {
  let text = await page.evaluate(() => document.body.innerText);
  for (const nick of nicks) text = text.split(nick).join(' ');
  text = text.split(MESSAGE).join(' ');
  return text;
}

/** Words another language writes the same way ("online" is Polish UI wording too). */
const ALSO_NATIVE: Partial<Record<Locale, readonly string[]>> = { pl: ['online'] };

function englishLeft(text: string, locale: Locale): string[] {
  return ENGLISH.filter((word) => !(ALSO_NATIVE[locale] ?? []).includes(word)).filter((word) => new RegExp(`(^|[^\\p{L}])${word}($|[^\\p{L}])`, 'u').test(text));
}

async function nicksOf(page: Page): Promise<string[]> {
  return page.locator('ul.people .nick').evaluateAll((nodes) => nodes.map((node) => (node.textContent ?? '').replace(/\s*\(.*\)$/, '').trim()));
}

async function expectRoomIn(page: Page, locale: Locale): Promise<void> {
  const names = NAMES[locale];
  expect(await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual([locale, locale === 'fa' ? 'rtl' : 'ltr']);
  const composer = page.getByRole('textbox', { name: names.message, exact: true });
  await composer.waitFor();
  await composer.fill('x');
  expect(await page.getByRole('button', { name: names.send, exact: true }).isEnabled()).toBe(true);
  await composer.fill('');
  await page.getByRole('log', { name: names.log, exact: true }).getByText(MESSAGE).waitFor();
  expect(await page.getByRole('list', { name: names.people, exact: true }).getByRole('listitem').count()).toBe(2);
  const left = englishLeft(await uiText(page, await nicksOf(page)), locale);
  // In English the same check finds the words (so it can tell); in the others, none is left.
  if (locale === 'en') expect(left).toEqual(expect.arrayContaining(['Send', 'Reply', 'online']));
  else expect(left, locale).toEqual([]);
}

describe('the room in five languages', () => {
  const harness = useRoomHarness();

  it('follows the Language select in Display, and navigator.languages for a first visit', async () => {
    const alice = await harness.openPage(harness.node().url());
    await alice.getByRole('button', { name: 'Create room' }).click();
    await expect.poll(() => alice.url()).toMatch(/#k=/);
    const bob = await harness.openPage(alice.url());
    await expect.poll(() => bob.getByRole('list', { name: 'People' }).getByRole('listitem').count(), { timeout: JOIN_TIMEOUT_MS }).toBe(2);
    await say(alice, MESSAGE);
    await bob.getByRole('log', { name: 'Messages' }).getByText(MESSAGE).waitFor({ timeout: 15_000 });

    await expectRoomIn(bob, 'en');
    // The English page has none of the other languages' names.
    expect(await bob.getByRole('button', { name: 'Отправить' }).count()).toBe(0);

    await bob.getByText('Display', { exact: true }).click();
    for (const locale of ['ru', 'pl', 'ja', 'fa'] as const) {
      await chooseLanguage(bob, locale);
      await expectRoomIn(bob, locale);
    }
    // Persian: mirrored, and times and counts in Persian digits.
    expect(await bob.evaluate(() => getComputedStyle(document.body).direction)).toBe('rtl');
    const time = (await bob.getByRole('log').getByRole('article').first().locator('time').textContent()) ?? '';
    expect(time).toMatch(/^[۰-۹]{2}:[۰-۹]{2}$/);
    // The composer sits at the start (right) edge of the log's row in RTL: Send is left of the textbox.
    const box = await bob.getByRole('textbox', { name: NAMES.fa.message, exact: true }).boundingBox();
    const send = await bob.getByRole('button', { name: NAMES.fa.send, exact: true }).boundingBox();
    expect(send !== null && box !== null && send.x + send.width <= box.x).toBe(true);

    // The choice is remembered: a reload comes back in Persian.
    await bob.reload();
    await bob.getByRole('textbox', { name: NAMES.fa.message, exact: true }).waitFor({ timeout: 15_000 });
    expect(await bob.evaluate(() => document.documentElement.lang)).toBe('fa');

    // Back to English: every name is the English one again.
    await bob.getByText(NAMES.fa.display, { exact: true }).click();
    await chooseLanguage(bob, 'en');
    await bob.getByRole('log', { name: 'Messages' }).getByText(MESSAGE).waitFor({ timeout: 15_000 });
    await expectRoomIn(bob, 'en');

    // A first visit from a Russian browser opens in Russian, with nothing chosen.
    const context = await harness.browser().newContext({ locale: 'ru-RU' });
    harness.track(context);
    const carol = await context.newPage();
    await carol.goto(alice.url());
    await expect.poll(() => carol.locator('ul.people li').count(), { timeout: JOIN_TIMEOUT_MS }).toBe(3);
    await carol.getByRole('log', { name: NAMES.ru.log, exact: true }).getByText(MESSAGE).waitFor({ timeout: 15_000 });
    expect(await carol.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual(['ru', 'ltr']);
    await carol.getByRole('textbox', { name: NAMES.ru.message, exact: true }).waitFor();
    expect(await carol.getByRole('button', { name: NAMES.ru.send, exact: true }).count()).toBe(1);
  }, 120_000);
});
