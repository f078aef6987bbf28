/**
 * Elements of the Persian page are found by structure, not by their English names: those are
 * being translated.
 *
 * Persian mirrors the desktop layout: the side column (people and settings) sits left of the
 * conversation, the composer reads right to left, and English keeps today's layout.
 */
import { describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { useRoomHarness } from '../helpers/e2e.js';
import persianHome from '../../src/i18n/fa/home.js';
import englishHome from '../../src/i18n/en/home.js';

describe('the desktop layout in each direction', () => {
  const harness = useRoomHarness();

  async function openRoom(language: 'en' | 'fa'): Promise<Page> {
    const context = await harness.browser().newContext({ viewport: { width: 1280, height: 800 } });
    harness.track(context);
    await context.addInitScript((language) => localStorage.setItem('parley.language', language), language);
    const page = await context.newPage();
    await page.goto(harness.node().url());
    await page.getByRole('button', { name: (language === 'fa' ? persianHome : englishHome)['home.create'] }).click();
    await composer(page).waitFor();
    await expect.poll(() => page.getByRole('complementary').getByRole('list').first().getByRole('listitem').count(), { timeout: 10_000 }).toBe(1);
    return page;
  }
  const composer = (page: Page): Locator => page.locator('form.composer textarea');
  const sendButton = (page: Page): Locator => page.locator('form.composer button[type=submit]');
  const conversationOf = (page: Page): Locator => page.locator('section.conversation');
  const box = async (locator: Locator): Promise<{ x: number; y: number; width: number; height: number }> => {
    const found = await locator.boundingBox();
    if (found === null) throw new Error('not laid out');
    return found;
  };

  it('in Persian the side column is left of the conversation and Send left of the Message box', async () => {
    const page = await openRoom('fa');
    await expect.poll(() => page.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual(['fa', 'rtl']);
    const conversation = conversationOf(page);
    expect(await conversation.evaluate((element) => getComputedStyle(element).direction)).toBe('rtl');
    // On a desktop the people and settings are a column beside the conversation, not a drawer.
    expect(await page.locator('header button[aria-controls]').count()).toBe(0);
    const side = await box(page.getByRole('complementary'));
    const talk = await box(conversation);
    expect(side.x).toBe(0);
    expect(side.x + side.width).toBeLessThanOrEqual(talk.x + 1);
    expect(await page.getByRole('complementary').getByRole('listitem').first().isVisible()).toBe(true);

    const send = await box(sendButton(page));
    const field = await box(composer(page));
    expect(send.x + send.width).toBeLessThanOrEqual(field.x);
    // The header reads from the right: the brand at the right end, the buttons at the left.
    const brand = await box(page.locator('header a[href="/"]'));
    const invite = await box(page.locator('header button').last());
    expect(brand.x).toBeGreaterThan(invite.x);
    // Text in the side column starts at the right.
    expect(await page.getByRole('complementary').evaluate((element) => getComputedStyle(element).direction)).toBe('rtl');
  });

  it('in English the side column is right of the conversation and Send right of the Message box', async () => {
    const page = await openRoom('en');
    expect(await page.evaluate(() => document.documentElement.dir)).toBe('ltr');
    const side = await box(page.getByRole('complementary'));
    const talk = await box(conversationOf(page));
    expect(talk.x).toBe(0);
    expect(side.x).toBeGreaterThanOrEqual(talk.x + talk.width - 1);
    const send = await box(sendButton(page));
    const field = await box(composer(page));
    expect(send.x).toBeGreaterThanOrEqual(field.x + field.width);
  });

  it('switching to Persian in Display mirrors the open room at once', async () => {
    const page = await openRoom('en');
    await page.getByText('Display', { exact: true }).click();
    await page.getByRole('combobox', { name: 'Language' }).selectOption('fa');
    await expect.poll(() => page.evaluate(() => document.documentElement.dir)).toBe('rtl');
    await expect.poll(async () => (await box(page.getByRole('complementary'))).x).toBe(0);
  });
});
