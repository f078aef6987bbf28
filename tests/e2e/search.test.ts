/**
 * Search in Chromium: two people chat in five languages; a search finds each message by a word
 * (diacritics, Cyrillic, Japanese without spaces, Persian typed with the other yeh), lists its
 * author and context, jumps to it in the conversation (moving the list's window when the message
 * is not rendered), and forgets a message its author deleted.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { JOIN_TIMEOUT_MS, messagesLog, nickOf, say, useRoomHarness } from '../helpers/e2e.js';

describe('searching the history in Chromium', () => {
  const harness = useRoomHarness();
  const log = messagesLog;
  const article = (page: Page, text: string) => log(page).getByRole('article').filter({ has: page.locator('.text', { hasText: text }) });
  const results = (page: Page) => page.getByRole('list', { name: 'Search results' }).getByRole('button');
  const searchFor = async (page: Page, text: string): Promise<void> => {
    await page.getByRole('searchbox', { name: 'Search messages' }).fill(text);
  };

  it('finds messages in every script, shows who and where, jumps to them, and forgets deleted ones', async () => {
    const ana = await harness.openPage(harness.node().url());
    await ana.getByRole('button', { name: 'Create room' }).click();
    await expect.poll(() => ana.url()).toMatch(/#k=/);
    const bo = await harness.openPage(ana.url());
    await bo.setViewportSize({ width: 900, height: 520 });
    await expect.poll(() => bo.getByRole('list', { name: 'People' }).getByRole('listitem').count(), { timeout: JOIN_TIMEOUT_MS }).toBe(2);
    const anaNick = await nickOf(ana);
    const boNick = await nickOf(bo);

    await say(ana, 'Meet me at the station at noon');
    await say(ana, 'Встретимся на вокзале в полдень');
    await say(ana, 'Spotkajmy się na dworcu, żółć!');
    await say(ana, '明日は東京駅で会いましょう');
    // Written with the Arabic yeh (U+064A), searched below with the Persian one.
    await say(bo, 'فردا در ايستگاه می‌بينمت');
    await say(ana, 'The secret plan, do not share');
    for (let i = 0; i < 4; i++) await say(ana, `filler from ana ${i}`);
    for (let i = 0; i < 9; i++) await say(bo, `filler from bo ${i}`);
    await article(bo, 'filler from ana 3').waitFor({ timeout: 15_000 });
    await article(bo, 'filler from bo 8').waitFor({ timeout: 15_000 });

    await bo.getByRole('button', { name: 'Search', exact: true }).click();
    const box = bo.getByRole('searchbox', { name: 'Search messages' });
    await expect.poll(() => box.evaluate((element) => element === document.activeElement)).toBe(true);

    // Polish without its diacritics, as typed on an English keyboard.
    await searchFor(bo, 'zolc');
    await expect.poll(() => results(bo).count(), { timeout: 10_000 }).toBe(1);
    expect(await results(bo).first().textContent()).toContain(anaNick);
    expect(await results(bo).first().textContent()).toContain('Spotkajmy się na dworcu');
    expect(await results(bo).first().locator('mark').textContent()).toBe('żółć');
    expect(await results(bo).first().locator('time').textContent()).not.toBe('');

    await searchFor(bo, 'ВОКЗАЛЕ');
    await expect.poll(() => results(bo).first().locator('mark').textContent(), { timeout: 10_000 }).toBe('вокзале');

    await searchFor(bo, 'ایستگاه');
    await expect.poll(() => results(bo).count(), { timeout: 10_000 }).toBe(1);
    expect(await results(bo).first().textContent()).toContain(boNick);

    // A word being typed matches as a prefix; the newest match comes first.
    await searchFor(bo, 'stat');
    await expect.poll(() => results(bo).count(), { timeout: 10_000 }).toBe(1);
    expect(await results(bo).first().locator('mark').textContent()).toBe('station');

    // Japanese has no spaces: a word inside the sentence is found. The message is far above the
    // rendered window of the conversation; the result brings it in, focused and highlighted.
    await searchFor(bo, '東京');
    await expect.poll(() => results(bo).count(), { timeout: 10_000 }).toBe(1);
    expect(await results(bo).first().locator('mark').textContent()).toBe('東京');
    expect(await article(bo, '明日は東京駅').count()).toBe(0);
    await results(bo).first().click();
    const found = article(bo, '明日は東京駅');
    await found.waitFor({ timeout: 10_000 });
    await expect.poll(() => found.evaluate((element) => element === document.activeElement && element.hasAttribute('data-found'))).toBe(true);
    expect(await found.isVisible()).toBe(true);
    const inView = await found.evaluate((element) => {
      const row = element.getBoundingClientRect();
      const list = element.closest('[role=log]')?.parentElement?.getBoundingClientRect();
      return list !== undefined && row.top >= list.top - 1 && row.bottom <= list.bottom + 1;
    });
    expect(inView).toBe(true);

    // Enter on a result jumps too.
    await searchFor(bo, 'Meet');
    await expect.poll(() => results(bo).count(), { timeout: 10_000 }).toBe(1);
    await results(bo).first().focus();
    await bo.keyboard.press('Enter');
    await expect.poll(() => article(bo, 'Meet me at the station').evaluate((element) => element === document.activeElement), { timeout: 10_000 }).toBe(true);

    // A message deleted by its author leaves the results.
    await searchFor(bo, 'secret');
    await expect.poll(() => results(bo).count(), { timeout: 10_000 }).toBe(1);
    await article(ana, 'The secret plan').hover();
    await article(ana, 'The secret plan').getByRole('button', { name: 'Delete my message' }).click();
    await expect.poll(() => results(bo).count(), { timeout: 10_000 }).toBe(0);
    await bo.getByText('No messages found.').waitFor({ timeout: 5_000 });

    // Escape closes the panel.
    await box.press('Escape');
    await expect.poll(() => box.isVisible()).toBe(false);
  }, 180_000);
});
