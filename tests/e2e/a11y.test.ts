/**
 * axe-core (WCAG 2.1 A and AA) on every screen Parley has: home with recent rooms, a room with two
 * people and a conversation (a reply, a reaction, a pinned and a private message), each settings
 * panel open, the dark theme, a phone-width room, the room in Persian, a call and a file message.
 * Zero serious or critical violations on each (tests/helpers/axe.ts lists what it finds).
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { expectNoSeriousViolations } from '../helpers/axe.js';
import { JOIN_TIMEOUT_MS, messagesLog, nickOf, peopleItems, say, useRoomHarness } from '../helpers/e2e.js';
import { callPages, callRegion, joinCall, roomWith } from '../helpers/call.js';
import { attach, fileRow, randomFile } from '../helpers/files.js';

const FOLDS = ['Room settings (admin)', 'Display', 'Files and storage', 'Connection', 'Sounds and notifications', 'Shortcuts', 'Export transcript', 'Diagnostics'];

describe('accessibility of every screen (axe-core, WCAG 2.1 AA)', () => {
  const harness = useRoomHarness();
  // The log by its role alone: in Persian it has its Persian name.
  const article = (page: Page, text: string) => page.getByRole('log').getByRole('article').filter({ has: page.locator('.text', { hasText: text }) });

  /** Ana creates a room, Bo joins; Bo writes, Ana replies, reacts and pins, Bo writes to Ana privately. */
  async function conversation(): Promise<{ ana: Page; bo: Page }> {
    const ana = await harness.openPage(harness.node().url());
    await ana.getByRole('button', { name: 'Create room' }).click();
    await ana.waitForURL(/#k=/);
    const bo = await harness.openPage(ana.url());
    await expect.poll(() => peopleItems(ana).count(), { timeout: JOIN_TIMEOUT_MS }).toBe(2);
    await say(bo, 'Is the report ready?');
    await article(ana, 'Is the report ready?').waitFor({ timeout: 10_000 });
    await article(ana, 'Is the report ready?').hover();
    await article(ana, 'Is the report ready?').getByRole('button', { name: 'Reply' }).click();
    await say(ana, 'Almost, by five.');
    await article(ana, 'Is the report ready?').hover();
    await article(ana, 'Is the report ready?').getByRole('button', { name: 'React' }).click();
    await article(ana, 'Is the report ready?').getByRole('button', { name: 'React with 👍' }).click();
    await article(ana, 'Almost, by five.').hover();
    await article(ana, 'Almost, by five.').getByRole('button', { name: 'Pin message' }).click();
    const anaNick = await nickOf(ana);
    await bo.getByRole('button', { name: `Private message to ${anaNick}` }).click();
    await say(bo, 'The numbers are in the shared folder.');
    await messagesLog(ana).getByText('The numbers are in the shared folder.').waitFor({ timeout: 10_000 });
    await article(bo, 'Almost, by five.').waitFor({ timeout: 10_000 });
    return { ana, bo };
  }

  it('home page with recent rooms', async () => {
    const page = await harness.openPage(harness.node().url());
    await page.getByRole('button', { name: 'Create room' }).click();
    await page.waitForURL(/#k=/);
    await messagesLog(page).waitFor();
    await page.goto(harness.node().url());
    await page.getByRole('button', { name: 'Create room' }).waitFor();
    await expect.poll(() => page.getByRole('link', { name: /Room/ }).count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await expectNoSeriousViolations(page, 'home with recent rooms');
  }, 60_000);

  it('a room with a conversation, each settings panel open, the dark theme and a phone width', async () => {
    const { ana, bo } = await conversation();
    await expectNoSeriousViolations(ana, 'room (admin, desktop)');
    await expectNoSeriousViolations(bo, 'room (member, desktop)');
    // Messages' actions shown (hover) and the reaction picker open.
    await article(ana, 'Is the report ready?').hover();
    await article(ana, 'Is the report ready?').getByRole('button', { name: 'React' }).click();
    await expectNoSeriousViolations(ana, 'room with a reaction picker open');
    await ana.keyboard.press('Escape');
    for (const fold of FOLDS) {
      await ana.locator('summary', { hasText: fold }).click();
      await ana.waitForTimeout(300);
      await expectNoSeriousViolations(ana, `panel ${fold}`);
    }
    await ana.emulateMedia({ colorScheme: 'dark' });
    await expectNoSeriousViolations(ana, 'room, dark theme (panels open)');
    await bo.emulateMedia({ colorScheme: 'dark' });
    await expectNoSeriousViolations(bo, 'room, dark theme (member)');
    await bo.setViewportSize({ width: 390, height: 844 });
    await expectNoSeriousViolations(bo, 'room, phone 390×844, dark');
    await bo.emulateMedia({ colorScheme: 'light' });
    await expectNoSeriousViolations(bo, 'room, phone 390×844');
  }, 600_000);

  it('the room in Persian (right to left) at desktop width', async () => {
    const { ana } = await conversation();
    const context = await harness.browser().newContext({ viewport: { width: 1280, height: 800 } });
    harness.track(context);
    await context.addInitScript(() => localStorage.setItem('parley.language', 'fa'));
    const page = await harness.openPage(ana.url(), { context });
    await expect.poll(() => page.evaluate(() => document.documentElement.dir)).toBe('rtl');
    await article(page, 'Almost, by five.').waitFor({ timeout: 60_000 });
    await expectNoSeriousViolations(page, 'room in Persian');
    await page.emulateMedia({ colorScheme: 'dark' });
    await expectNoSeriousViolations(page, 'room in Persian, dark');
  }, 600_000);

  it('search with results, the QR dialog, the phone drawer open, and the phone layout in Persian', async () => {
    const { ana } = await conversation();
    await ana.getByRole('banner').getByRole('button', { name: 'Search' }).click();
    await ana.getByRole('searchbox', { name: 'Search messages' }).fill('report');
    await ana.getByRole('button', { name: /Is the report ready/ }).first().waitFor({ timeout: 20_000 });
    await expectNoSeriousViolations(ana, 'search with results');
    await ana.keyboard.press('Escape');
    await ana.getByRole('button', { name: 'Show QR code' }).click();
    await ana.getByRole('dialog').waitFor();
    await expectNoSeriousViolations(ana, 'QR code dialog');
    await ana.keyboard.press('Escape');
    await ana.setViewportSize({ width: 390, height: 844 });
    await ana.getByRole('button', { name: 'People and settings' }).click();
    await ana.getByRole('dialog').waitFor();
    await expectNoSeriousViolations(ana, 'phone: people and settings drawer');
    await ana.keyboard.press('Escape');
    const context = await harness.browser().newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    harness.track(context);
    await context.addInitScript(() => localStorage.setItem('parley.language', 'fa'));
    const persian = await harness.openPage(ana.url(), { context });
    await article(persian, 'Almost, by five.').waitFor({ timeout: 60_000 });
    await expectNoSeriousViolations(persian, 'phone in Persian');
  }, 600_000);

  it('a call with camera and microphone', async () => {
    const open = callPages(harness);
    const [ana, bo] = (await roomWith(open, harness.node().url(), 2)) as [Page, Page];
    await ana.getByRole('banner').getByRole('button', { name: 'Start call' }).click();
    await callRegion(ana).waitFor();
    await expectNoSeriousViolations(ana, 'call preview');
    await callRegion(ana).getByRole('button', { name: 'Cancel' }).click();
    await joinCall(ana);
    await joinCall(bo);
    await expect.poll(() => callRegion(ana).getByRole('figure').count(), { timeout: 20_000 }).toBe(2);
    await expectNoSeriousViolations(ana, 'call with two people');
    await ana.emulateMedia({ colorScheme: 'dark' });
    await expectNoSeriousViolations(ana, 'call, dark');
  }, 600_000);

  it('a file message, while it downloads and when done', async () => {
    const ana = await harness.openPage(harness.node().url());
    await ana.getByRole('button', { name: 'Create room' }).click();
    await ana.waitForURL(/#k=/);
    const bo = await harness.openPage(ana.url());
    await expect.poll(() => peopleItems(ana).count(), { timeout: JOIN_TIMEOUT_MS }).toBe(2);
    await attach(ana, randomFile('minutes.pdf', 3_000_000, 'application/pdf'), randomFile('photo.png', 40_000, 'image/png'));
    await fileRow(bo, 'minutes.pdf').getByRole('button', { name: 'Download' }).waitFor({ timeout: 60_000 });
    await expectNoSeriousViolations(ana, 'file messages (sender)');
    await expectNoSeriousViolations(bo, 'file messages (receiver, before download)');
    await fileRow(bo, 'minutes.pdf').getByRole('button', { name: 'Download' }).click();
    await expectNoSeriousViolations(bo, 'file message downloading');
    await bo.emulateMedia({ colorScheme: 'dark' });
    await expectNoSeriousViolations(bo, 'file messages, dark');
  }, 600_000);
});
