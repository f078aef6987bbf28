import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { JOIN_TIMEOUT_MS, messagesLog, say, useRoomHarness } from '../helpers/e2e.js';

const XSS = [
  '<script>window.__pwned = 1</script>',
  '<img src=x onerror="window.__pwned = 2">',
  '[click me](javascript:window.__pwned=3)',
  '**<svg onload="window.__pwned = 4">**',
  '`</code><script>window.__pwned = 5</script>`',
  'https://example.org/"onmouseover="window.__pwned=6',
];

describe('the conversation in Chromium', () => {
  const harness = useRoomHarness();
  const openPage = (url: string): Promise<Page> => harness.openPage(url);
  const log = messagesLog;

  it('renders markdown-lite, shows an XSS corpus as text on the other side, and exports transcripts', async () => {
    const alice = await openPage(harness.node().url());
    await alice.getByRole('button', { name: 'Create room' }).click();
    await expect.poll(() => alice.url()).toMatch(/#k=/);
    const bob = await openPage(alice.url());
    await expect.poll(() => bob.getByRole('list', { name: 'People' }).getByRole('listitem').count(), { timeout: JOIN_TIMEOUT_MS }).toBe(2);

    await say(alice, 'Plan: **bold** and *soft*, run `npm start`, see https://example.org/docs.');
    for (const text of XSS) await say(alice, text);
    await log(bob).getByText('window.__pwned=6').waitFor({ timeout: 15_000 });

    const rendered = log(bob).getByRole('article').filter({ hasText: 'Plan:' });
    expect(await rendered.locator('strong').textContent()).toBe('bold');
    expect(await rendered.locator('em').textContent()).toBe('soft');
    expect(await rendered.locator('code').textContent()).toBe('npm start');
    const link = rendered.getByRole('link', { name: 'https://example.org/docs' });
    expect(await link.getAttribute('href')).toBe('https://example.org/docs');
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');

    // The corpus arrives as text: no element it names exists, no handler ran, no javascript: link.
    for (const page of [alice, bob]) {
      expect(await log(page).locator('script, img, svg, iframe').count()).toBe(0);
      expect(await log(page).locator('a[href^="javascript:"]').count()).toBe(0);
      await log(page).getByText('<img src=x onerror="window.__pwned = 2">').waitFor({ timeout: 5_000 });
      await log(page).getByRole('article').last().hover();
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned ?? 0)).toBe(0);
    }

    await bob.getByText('Export transcript').click();
    const files: Record<string, string> = {};
    for (const format of ['text', 'JSON', 'HTML']) {
      const [download] = await Promise.all([bob.waitForEvent('download'), bob.getByRole('button', { name: `Download transcript (${format})` }).click()]);
      files[format] = readFileSync(await download.path(), 'utf8');
    }
    expect(files['text']).toContain('Plan: **bold** and *soft*');
    expect((JSON.parse(files['JSON'] ?? '{}') as { messages: unknown[] }).messages).toHaveLength(1 + XSS.length);
    expect(files['HTML']).toContain('&lt;script&gt;window.__pwned = 1&lt;/script&gt;');
    expect(files['HTML']).not.toContain('<script>');
  });
  it('counts unread messages in the tab title while hidden and marks where they start', async () => {
    const alice = await openPage(harness.node().url());
    await alice.getByRole('button', { name: 'Create room' }).click();
    await expect.poll(() => alice.url()).toMatch(/#k=/);
    const bob = await openPage(alice.url());
    await expect.poll(() => bob.getByRole('list', { name: 'People' }).getByRole('listitem').count(), { timeout: JOIN_TIMEOUT_MS }).toBe(2);
    await say(alice, 'seen while Bob looks');
    await log(bob).getByText('seen while Bob looks').waitFor({ timeout: 10_000 });
    const setVisibility = (page: Page, state: 'hidden' | 'visible') => page.evaluate((value) => {
      Object.defineProperty(document, 'visibilityState', { value, configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    }, state);
    await setVisibility(bob, 'hidden');
    await say(alice, 'first while away');
    await say(alice, 'second while away');
    await log(bob).getByText('second while away').waitFor({ timeout: 10_000 });
    await expect.poll(() => bob.title()).toBe('(2) Parley');
    const divider = log(bob).getByRole('separator', { name: 'New messages' });
    expect(await divider.count()).toBe(1);
    // The divider sits right before the first unread message.
    expect(await bob.evaluate(() => document.querySelector('[role=log] .divider + article .text')?.textContent)).toBe('first while away');
    await setVisibility(bob, 'visible');
    await expect.poll(() => bob.title()).toBe('Parley');
    expect(await divider.count()).toBe(1);
    await say(bob, 'back now');
    await expect.poll(() => divider.count()).toBe(0);
  });
  it('a dark theme and larger text, chosen in Display, apply at once and survive a reload', async () => {
    const page = await openPage(harness.node().url());
    await page.getByRole('button', { name: 'Create room' }).click();
    await page.getByRole('textbox', { name: 'Message' }).waitFor();
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const rootSize = () => page.evaluate(() => getComputedStyle(document.documentElement).fontSize);
    const light = await background();
    await page.getByText('Display', { exact: true }).click();
    await page.getByRole('combobox', { name: 'Theme' }).selectOption('dark');
    await page.getByRole('combobox', { name: 'Text size' }).selectOption('large');
    expect(await background()).not.toBe(light);
    expect(await rootSize()).toBe('18px');
    await page.reload();
    await page.getByRole('textbox', { name: 'Message' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.dataset['theme'])).toBe('dark');
    expect(await rootSize()).toBe('18px');
  });
  it('statuses: busy with a message stays busy; online shows as away while the tab is hidden', async () => {
    const alice = await openPage(harness.node().url());
    await alice.getByRole('button', { name: 'Create room' }).click();
    await expect.poll(() => alice.url()).toMatch(/#k=/);
    const bob = await openPage(alice.url());
    const people = alice.getByRole('list', { name: 'People' }).getByRole('listitem');
    await expect.poll(() => people.count(), { timeout: JOIN_TIMEOUT_MS }).toBe(2);
    const bobNick = (await bob.locator('.me strong').textContent()) ?? '';
    const bobItem = people.filter({ hasText: bobNick });
    const setVisibility = (state: 'hidden' | 'visible') => bob.evaluate((value) => {
      Object.defineProperty(document, 'visibilityState', { value, configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    }, state);

    await setVisibility('hidden');
    await expect.poll(() => bobItem.textContent(), { timeout: 10_000 }).toContain('away');
    await setVisibility('visible');
    await expect.poll(() => bobItem.textContent(), { timeout: 10_000 }).toContain('online');

    await bob.getByRole('combobox', { name: 'Status' }).selectOption('busy');
    await bob.getByRole('textbox', { name: 'Status note' }).fill('در جلسه تا ساعت ۳');
    await bob.getByRole('button', { name: 'Set' }).click();
    await expect.poll(() => bobItem.textContent(), { timeout: 10_000 }).toContain('در جلسه تا ساعت ۳');
    expect(await bobItem.textContent()).toContain('busy');
    await setVisibility('hidden');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await bobItem.textContent()).toContain('busy');
  });
  it('the emoji picker inserts at the caret and the message carries it', async () => {
    const page = await openPage(harness.node().url());
    await page.getByRole('button', { name: 'Create room' }).click();
    const box = page.getByRole('textbox', { name: 'Message' });
    await box.fill('see you');
    await box.press('End');
    await page.getByRole('button', { name: 'Emoji', exact: true }).click();
    await page.getByRole('group', { name: 'Emoji' }).getByRole('button', { name: 'Insert 👋' }).click();
    expect(await box.inputValue()).toBe('see you👋');
    await box.press('Enter');
    await log(page).getByText('see you👋').waitFor({ timeout: 10_000 });
  });
});
