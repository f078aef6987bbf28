/**
 * The keyboard alone, as a person who cannot use a mouse: from the home page to Create room,
 * sending, replying to someone's message, reacting, and opening every panel, with Tab, Shift+Tab
 * and Enter only (no clicks after the first navigation); every stop shows a visible focus ring.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { JOIN_TIMEOUT_MS, messagesLog, peopleItems, say, useRoomHarness } from '../helpers/e2e.js';

const PANELS = ['People', 'Room settings (admin)', 'Display', 'Files and storage', 'Connection', 'Sounds and notifications', 'Shortcuts', 'Export transcript', 'Diagnostics'];

interface Focused {
  readonly name: string;
  readonly tag: string;
  /** The focus ring: outline (or box-shadow) drawn, and its contrast with the page's background. */
  readonly ring: string;
  readonly contrast: number;
}

/** What has focus now: its accessible-ish name, and how its focus ring is drawn. */
function focused(page: Page): Promise<Focused | null> {
  return page.evaluate(() => {
    const element = document.activeElement as HTMLElement | null;
    if (element === null || element === document.body) return null;
    const style = getComputedStyle(element);
    const channel = (c: number): number => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
    const luminance = (css: string): number => {
      const [r = 0, g = 0, b = 0] = (css.match(/[\d.]+/g) ?? []).map(Number);
      return 0.2126 * channel(r / 255) + 0.7152 * channel(g / 255) + 0.0722 * channel(b / 255);
    };
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 1;
    const ringColor = outline ? style.outlineColor : (style.boxShadow.match(/rgba?\([^)]*\)/)?.[0] ?? '');
    const [light, dark] = [luminance(ringColor), luminance(getComputedStyle(document.body).backgroundColor)].sort((a, b) => b - a) as [number, number];
    const name = element.getAttribute('aria-label') ?? (element.tagName === 'SUMMARY' || element.tagName === 'BUTTON' || element.tagName === 'A' ? element.textContent?.trim() ?? '' : element.getAttribute('placeholder') ?? '');
    return {
      name,
      tag: element.tagName.toLowerCase(),
      ring: outline ? `outline ${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}` : style.boxShadow,
      contrast: ringColor === '' ? 0 : (light + 0.05) / (dark + 0.05),
    };
  });
}

/** Presses Tab (or Shift+Tab) until `wanted` has focus, checking the ring of every stop on the way. */
async function tabTo(page: Page, wanted: (focus: Focused) => boolean, what: string, backward = false): Promise<Focused> {
  const stops: string[] = [];
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press(backward ? 'Shift+Tab' : 'Tab');
    const focus = await focused(page);
    if (focus === null) continue;
    stops.push(`${focus.tag} "${focus.name}"`);
    expect(focus.ring, `focus ring of ${focus.tag} "${focus.name}"`).not.toBe('none');
    expect(focus.contrast, `focus ring contrast of ${focus.tag} "${focus.name}" (${focus.ring})`).toBeGreaterThanOrEqual(3);
    if (wanted(focus)) return focus;
  }
  throw new Error(`never reached ${what} with ${backward ? 'Shift+Tab' : 'Tab'}; stops: ${stops.join(', ')}`);
}

describe('the keyboard alone', () => {
  const harness = useRoomHarness();
  const article = (page: Page, text: string) => messagesLog(page).getByRole('article').filter({ has: page.locator('.text', { hasText: text }) });

  it('creates a room, sends, replies, reacts and opens every panel with visible focus', async () => {
    const ana = await harness.openPage(harness.node().url());
    await ana.getByRole('button', { name: 'Create room' }).waitFor();
    await tabTo(ana, (focus) => focus.name === 'Create room', 'Create room');
    await ana.keyboard.press('Enter');
    await ana.waitForURL(/#k=/);
    await messagesLog(ana).waitFor();

    // Send: the composer, a message, Enter.
    await tabTo(ana, (focus) => focus.tag === 'textarea' && focus.name === 'Message', 'the composer');
    await ana.keyboard.type('Hello from the keyboard');
    await ana.keyboard.press('Enter');
    await article(ana, 'Hello from the keyboard').waitFor({ timeout: 10_000 });

    // Someone else writes (in their own browser).
    const bo = await harness.openPage(ana.url());
    await expect.poll(() => peopleItems(ana).count(), { timeout: JOIN_TIMEOUT_MS }).toBe(2);
    await say(bo, 'Can you hear me?');
    await article(ana, 'Can you hear me?').waitFor({ timeout: 10_000 });

    // Reply: back from the composer into the conversation, to that message's Reply.
    const boMessage = article(ana, 'Can you hear me?');
    const inBoMessage = async (): Promise<boolean> => boMessage.evaluate((row) => row.contains(document.activeElement));
    await tabTo(ana, (focus) => focus.name === 'Reply', 'Reply on the message', true);
    while (!(await inBoMessage())) await tabTo(ana, (focus) => focus.name === 'Reply', 'Reply on the message', true);
    expect(await boMessage.getByRole('button', { name: 'Reply' }).isVisible()).toBe(true);
    await ana.keyboard.press('Enter');
    // The composer takes focus for the reply.
    expect((await focused(ana))?.name).toBe('Message');
    await ana.keyboard.type('Loud and clear');
    await ana.keyboard.press('Enter');
    await article(ana, 'Loud and clear').waitFor({ timeout: 10_000 });
    expect(await article(ana, 'Loud and clear').getByRole('button', { name: /Can you hear me\?/ }).count()).toBe(1);

    // React: to that message's React, Enter opens the choices, Tab to one, Enter.
    await tabTo(ana, (focus) => focus.name === 'React', 'React on the message', true);
    while (!(await inBoMessage())) await tabTo(ana, (focus) => focus.name === 'React', 'React on the message', true);
    await ana.keyboard.press('Enter');
    expect(await boMessage.getByRole('button', { name: 'React', expanded: true }).count()).toBe(1);
    await tabTo(ana, (focus) => focus.name === 'React with 👍', 'React with 👍');
    await ana.keyboard.press('Enter');
    await boMessage.getByRole('group', { name: 'Reactions' }).getByRole('button', { name: /^👍 1/, pressed: true }).waitFor({ timeout: 10_000 });
    // Focus stays on the message (back on React), not lost to the page.
    expect((await focused(ana))?.name).toBe('React');
    await article(bo, 'Can you hear me?').getByRole('button', { name: /^👍 1/ }).waitFor({ timeout: 10_000 });
    // Escape closes the choices again, focus staying on React.
    await ana.keyboard.press('Enter');
    expect(await boMessage.getByRole('button', { name: 'React', expanded: true }).count()).toBe(1);
    await ana.keyboard.press('Escape');
    expect(await boMessage.getByRole('button', { name: 'React', expanded: false }).count()).toBe(1);
    expect((await focused(ana))?.name).toBe('React');

    // Every panel opens with Enter on its summary.
    for (const panel of PANELS) {
      const summary = ana.locator('summary', { hasText: panel });
      if (await summary.evaluate((element) => (element.parentElement as HTMLDetailsElement).open)) continue;
      await tabTo(ana, (focus) => focus.tag === 'summary' && focus.name.startsWith(panel), `the ${panel} panel`);
      await ana.keyboard.press('Enter');
      await expect.poll(() => summary.evaluate((element) => (element.parentElement as HTMLDetailsElement).open)).toBe(true);
    }
  }, 300_000);
});
