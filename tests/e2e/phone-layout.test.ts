/**
 * The phone layout in Chromium's mobile emulation (touch, device pixel ratio 2): the conversation
 * owns the screen, people and settings are a side sheet opened from the header, touch targets are
 * at least 44 CSS px, the composer stays above the keyboard, and Persian mirrors it all.
 */
import { describe, expect, it } from 'vitest';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { say, useRoomHarness } from '../helpers/e2e.js';

type Size = { readonly width: number; readonly height: number };
const PORTRAIT_SMALL: Size = { width: 360, height: 740 };
const PORTRAIT: Size = { width: 390, height: 844 };
const LANDSCAPE: Size = { width: 844, height: 390 };

describe('the phone layout', () => {
  const harness = useRoomHarness();
  let roomUrl = '';
  // One phone at a time: each is another member of the room, and a growing mesh slows every test.
  let lastPhone: BrowserContext | undefined;

  /** A phone's browser at `size`, in the room (created once, with a message in it). */
  async function openPhone(size: Size, options: { language?: string; beforeGoto?: (page: Page) => unknown } = {}): Promise<Page> {
    if (roomUrl === '') {
      const host = await harness.openPage(harness.node().url());
      await host.getByRole('button', { name: 'Create room' }).click();
      await expect.poll(() => host.url()).toMatch(/#k=/);
      roomUrl = host.url();
      await say(host, 'Good morning from the desktop');
    }
    await lastPhone?.close();
    const context = await harness.browser().newContext({ viewport: size, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    harness.track(context);
    lastPhone = context;
    // A step that cannot happen fails with its own message rather than the test's timeout.
    context.setDefaultTimeout(20_000);
    if (options.language !== undefined) await context.addInitScript((language) => localStorage.setItem('parley.language', language), options.language);
    const page = await context.newPage();
    await options.beforeGoto?.(page);
    await page.goto(roomUrl);
    await page.locator('[role=log]').getByText('Good morning from the desktop').waitFor({ timeout: 20_000 });
    return page;
  }

  const composer = (page: Page): Locator => page.getByRole('textbox', { name: 'Message', exact: true });
  const box = async (locator: Locator): Promise<{ x: number; y: number; width: number; height: number }> => {
    const found = await locator.boundingBox();
    if (found === null) throw new Error('not laid out');
    return found;
  };
  const viewportOf = (page: Page): Promise<{ top: number; height: number }> => page.evaluate(() => ({ top: visualViewport?.offsetTop ?? 0, height: visualViewport?.height ?? innerHeight }));
  /** Visible controls smaller than 44×44 CSS px (buttons, selects, summaries, checkbox labels). */
  const smallTargets = (page: Page): Promise<string[]> =>
    page.evaluate(() =>
      [...document.querySelectorAll('button, select, summary, label:has(> input[type=checkbox])')]
        .filter((element) => element.checkVisibility())
        .map((element) => ({ element, rect: element.getBoundingClientRect() }))
        .filter(({ rect }) => rect.width < 43.99 || rect.height < 43.99)
        .map(({ element, rect }) => `${element.getAttribute('aria-label') ?? element.textContent?.trim() ?? element.tagName} ${rect.width.toFixed(1)}×${rect.height.toFixed(1)}`),
    );

  for (const size of [PORTRAIT_SMALL, PORTRAIT, LANDSCAPE]) {
    it(`at ${size.width}×${size.height} the conversation fills the width and the drawer opens from the header, closing with Escape or the scrim`, async () => {
      const page = await openPhone(size);
      const conversation = await box(page.getByRole('region', { name: 'Conversation' }));
      expect(conversation.x).toBe(0);
      expect(conversation.width).toBe(size.width);
      // People and settings are not beside the conversation but behind the header's button.
      await expect.poll(() => page.getByRole('complementary').count()).toBe(0);
      expect(await page.getByRole('list', { name: 'People' }).isVisible()).toBe(false);
      expect(await smallTargets(page)).toEqual([]);

      const opener = page.getByRole('button', { name: 'People and settings' });
      expect(await opener.getAttribute('aria-expanded')).toBe('false');
      await opener.click();
      const drawer = page.getByRole('dialog', { name: 'People and settings' });
      await drawer.waitFor();
      expect(await opener.getAttribute('aria-expanded')).toBe('true');
      expect(await opener.getAttribute('aria-controls')).toBe(await drawer.getAttribute('id'));
      await drawer.getByRole('list', { name: 'People' }).getByRole('listitem').first().waitFor();
      await drawer.getByText('Display', { exact: true }).waitFor();
      // Focus moved into the sheet; the sheet sits on the right edge (the inline end in English).
      expect(await drawer.evaluate((element) => element.contains(document.activeElement))).toBe(true);
      await expect.poll(async () => Math.round((await box(drawer)).x + (await box(drawer)).width)).toBe(size.width);
      expect(await smallTargets(page)).toEqual([]);

      await page.keyboard.press('Escape');
      await expect.poll(() => drawer.isVisible()).toBe(false);
      expect(await opener.evaluate((element) => element === document.activeElement)).toBe(true);
      expect(await opener.getAttribute('aria-expanded')).toBe('false');

      // A tap on the dimmed conversation beside the sheet closes it too.
      await opener.click();
      await drawer.waitFor();
      await page.mouse.click(8, size.height / 2);
      await expect.poll(() => drawer.isVisible()).toBe(false);
      expect(await opener.evaluate((element) => element === document.activeElement)).toBe(true);
    });
  }

  for (const size of [PORTRAIT_SMALL, PORTRAIT]) {
    it(`at ${size.width}×${size.height} the composer stays above a keyboard that resizes the page`, async () => {
      // What Chrome on Android does for our viewport's interactive-widget=resizes-content: the
      // layout viewport (and with it the visual one) loses the keyboard's height.
      const page = await openPhone(size);
      await composer(page).click();
      const keyboardUp = { width: size.width, height: Math.round(size.height * 0.55) };
      await page.setViewportSize(keyboardUp);
      await expect.poll(async () => (await viewportOf(page)).height).toBe(keyboardUp.height);
      const visible = await viewportOf(page);
      const field = await box(composer(page));
      const send = await box(page.getByRole('button', { name: 'Send' }));
      expect(field.y).toBeGreaterThanOrEqual(visible.top);
      expect(field.y + field.height).toBeLessThanOrEqual(visible.top + visible.height);
      expect(send.y + send.height).toBeLessThanOrEqual(visible.top + visible.height);
      expect(await composer(page).evaluate((element) => element === document.activeElement)).toBe(true);
    });
  }

  it('keeps the composer in the visual viewport while a keyboard overlays the page (iOS Safari)', async () => {
    // Chromium cannot shrink the visual viewport at scale 1 by itself (CDP's Emulation.setVisibleSize
    // changes nothing here), so the page gets a visualViewport whose size the test sets, as iOS
    // reports it: the layout viewport keeps its 844 px while the visible part shrinks and pans.
    const page = await openPhone(PORTRAIT, {
      beforeGoto: (page) =>
        page.addInitScript(() => {
          const fake = Object.assign(new EventTarget(), { height: innerHeight, offsetTop: 0, scale: 1, width: innerWidth, offsetLeft: 0, pageTop: 0, pageLeft: 0 });
          Object.defineProperty(window, 'visualViewport', { configurable: true, get: () => fake });
          Object.assign(window, { keyboard: (height: number, offsetTop: number) => { Object.assign(fake, { height, offsetTop }); fake.dispatchEvent(new Event('resize')); } });
        }),
    });
    await composer(page).click();
    for (const [height, offsetTop] of [[470, 0], [470, 150], [300, 40]] as const) {
      await page.evaluate(([height, offsetTop]) => (window as unknown as { keyboard: (h: number, t: number) => void }).keyboard(height, offsetTop), [height, offsetTop] as const);
      await expect.poll(async () => { const field = await box(composer(page)); return field.y + field.height <= offsetTop + height && field.y >= offsetTop; }).toBe(true);
      const send = await box(page.getByRole('button', { name: 'Send' }));
      expect(send.y + send.height).toBeLessThanOrEqual(offsetTop + height);
      expect(send.y).toBeGreaterThanOrEqual(offsetTop);
    }
    // The keyboard goes away: the room is the whole screen again, the composer at its bottom.
    await page.evaluate((height) => (window as unknown as { keyboard: (h: number, t: number) => void }).keyboard(height, 0), PORTRAIT.height);
    await expect.poll(async () => { const field = await box(composer(page)); return field.y + field.height > PORTRAIT.height - 80; }).toBe(true);
  });

  it('in Persian mirrors the phone layout: the drawer from the left edge, Send left of the Message box', async () => {
    const page = await openPhone(PORTRAIT, { language: 'fa' });
    await expect.poll(() => page.evaluate(() => document.documentElement.dir)).toBe('rtl');
    // Found by structure: the English names are being translated.
    const conversation = page.locator('section.conversation');
    expect(await conversation.evaluate((element) => getComputedStyle(element).direction)).toBe('rtl');
    const send = await box(page.locator('form.composer button[type=submit]'));
    const field = await box(page.locator('form.composer textarea'));
    expect(send.x + send.width).toBeLessThanOrEqual(field.x);

    const opener = page.getByRole('button', { name: 'افراد و تنظیمات' });
    const menu = await box(opener);
    // The header's button sits at the inline end: the left.
    expect(menu.x).toBeLessThan(PORTRAIT.width / 2);
    await opener.click();
    const drawer = page.getByRole('dialog', { name: 'افراد و تنظیمات' });
    await drawer.waitFor();
    await expect.poll(async () => Math.round((await box(drawer)).x)).toBe(0);
    expect((await box(drawer)).width).toBeLessThan(PORTRAIT.width);
    await drawer.getByRole('listitem').first().waitFor();
    await page.getByRole('button', { name: 'بستن' }).click();
    await expect.poll(() => drawer.isVisible()).toBe(false);
    expect(await opener.evaluate((element) => element === document.activeElement)).toBe(true);
  });
});
