import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { JOIN_TIMEOUT_MS, messagesLog, nickOf, peopleItems, say, useRoomHarness } from '../helpers/e2e.js';

/**
 * Listens to the page's real Web Audio and Notification APIs (calls go through unchanged): what
 * a person would hear and see, which headless Chromium cannot play or display.
 */
function listenToAlerts(page: Page): void {
  void page.addInitScript(() => {
    const w = window as unknown as { __tones: number; __notes: { title: string; body: string }[] };
    w.__tones = 0;
    w.__notes = [];
    const createOscillator = AudioContext.prototype.createOscillator;
    AudioContext.prototype.createOscillator = function (this: AudioContext) {
      w.__tones++;
      return createOscillator.call(this);
    };
    window.Notification = new Proxy(Notification, {
      construct(target, args: [string, NotificationOptions?]) {
        w.__notes.push({ title: args[0], body: args[1]?.body ?? '' });
        return Reflect.construct(target, args) as object;
      },
    });
  });
}

const tones = (page: Page): Promise<number> => page.evaluate(() => (window as unknown as { __tones: number }).__tones);
const notes = (page: Page): Promise<{ title: string; body: string }[]> => page.evaluate(() => (window as unknown as { __notes: { title: string; body: string }[] }).__notes);
const setVisibility = (page: Page, state: 'hidden' | 'visible') => page.evaluate((value) => {
  Object.defineProperty(document, 'visibilityState', { value, configurable: true });
  document.dispatchEvent(new Event('visibilitychange'));
}, state);

describe('mentions, sounds, notifications, shortcuts and the profile in Chromium', () => {
  const harness = useRoomHarness();

  async function twoPeople(): Promise<{ alice: Page; bob: Page }> {
    const alice = await harness.openPage(harness.node().url(), { beforeGoto: listenToAlerts });
    await alice.context().grantPermissions(['notifications']);
    await alice.getByRole('button', { name: 'Create room' }).click();
    await expect.poll(() => alice.url()).toMatch(/#k=/);
    const bob = await harness.openPage(alice.url(), { beforeGoto: listenToAlerts });
    await expect.poll(() => peopleItems(bob).count(), { timeout: JOIN_TIMEOUT_MS }).toBe(2);
    await expect.poll(() => peopleItems(alice).count(), { timeout: JOIN_TIMEOUT_MS }).toBe(2);
    return { alice, bob };
  }

  it('a click on a nickname mentions that person, who sees it highlighted, hears it and gets a notification without its text', async () => {
    const { alice, bob } = await twoPeople();
    const aliceNick = await nickOf(alice);
    await alice.locator('summary', { hasText: 'Sounds and notifications' }).click();
    await alice.getByLabel('Desktop notifications while this tab is hidden').selectOption('mentions');
    const tonesBefore = await tones(alice);

    await say(alice, 'anyone here?');
    await messagesLog(bob).getByText('anyone here?').waitFor({ timeout: 10_000 });
    await say(bob, 'a plain reply');
    await messagesLog(alice).getByText('a plain reply').waitFor({ timeout: 10_000 });
    // New-message sounds are off by default: a plain message is silent.
    expect(await tones(alice)).toBe(tonesBefore);

    await setVisibility(alice, 'hidden');
    await messagesLog(bob).getByRole('button', { name: `Mention ${aliceNick}` }).first().click();
    const composer = bob.getByRole('textbox', { name: 'Message' });
    expect(await composer.inputValue()).toBe(`@${aliceNick} `);
    await composer.pressSequentially('are you free at 3?');
    await composer.press('Enter');

    const mention = messagesLog(alice).locator('article', { hasText: 'are you free at 3?' });
    await mention.waitFor({ timeout: 10_000 });
    await expect.poll(() => mention.getByText('Mentions you').count()).toBe(1);
    // Bob's own copy does not say it mentions him.
    expect(await messagesLog(bob).getByText('Mentions you').count()).toBe(0);
    await expect.poll(() => tones(alice)).toBe(tonesBefore + 3);
    await expect.poll(() => notes(alice)).toEqual([{ title: 'Parley', body: 'You were mentioned in a room' }]);
    expect(JSON.stringify(await notes(alice))).not.toContain('free at 3');
  });

  it('a shortcut saved in settings expands with Tab, is sent as text, and is kept (sealed) across a reload', async () => {
    const { alice, bob } = await twoPeople();
    await alice.locator('summary', { hasText: 'Shortcuts' }).click();
    await alice.getByLabel('Shortcut name').fill('hello');
    await alice.getByLabel('Shortcut text').fill('Hi! Welcome to the room 👋 — ask anything.');
    await alice.getByRole('button', { name: 'Add shortcut' }).click();
    await alice.getByRole('button', { name: 'Remove /hello' }).waitFor();

    const composer = alice.getByRole('textbox', { name: 'Message' });
    await composer.fill('/hello');
    await composer.press('Tab');
    expect(await composer.inputValue()).toBe('Hi! Welcome to the room 👋 — ask anything.');
    await expect.poll(() => composer.evaluate((box) => box === document.activeElement)).toBe(true);
    await composer.press('Enter');
    await messagesLog(bob).getByText('Hi! Welcome to the room 👋 — ask anything.').waitFor({ timeout: 10_000 });

    // No such shortcut: Tab keeps its usual meaning and the text stays as typed.
    await composer.fill('/nothing');
    await composer.press('Tab');
    expect(await composer.inputValue()).toBe('/nothing');

    await alice.reload();
    await alice.locator('summary', { hasText: 'Shortcuts' }).click();
    await alice.getByRole('button', { name: 'Remove /hello' }).waitFor();
    const stored = await alice.evaluate(async () => {
      return new Promise<string>((resolve) => {
        const open = indexedDB.open('parley');
        open.onsuccess = () => {
          const request = open.result.transaction('kv').objectStore('kv').get(['profile']);
          request.onsuccess = () => resolve(new TextDecoder().decode(request.result as Uint8Array));
        };
      });
    });
    expect(stored.length).toBeGreaterThan(0);
    expect(stored).not.toContain('Welcome');
  });

  it('a chosen nickname and colour are kept across a reload and used in the next room too', async () => {
    const { alice, bob } = await twoPeople();
    await alice.getByRole('button', { name: 'Change nickname' }).click();
    await alice.getByLabel('Your nickname').fill('Noor نور');
    await alice.getByRole('button', { name: 'Save' }).click();
    await alice.getByLabel('Colour').selectOption({ label: 'Teal' });
    await expect.poll(() => peopleItems(bob).filter({ hasText: 'Noor نور' }).locator('.dot').evaluate((dot) => getComputedStyle(dot).backgroundColor)).toBe('rgb(18, 132, 138)');

    await alice.reload();
    await expect.poll(() => nickOf(alice)).toBe('Noor نور');
    await expect.poll(() => peopleItems(bob).filter({ hasText: 'Noor نور' }).count(), { timeout: 15_000 }).toBe(1);

    await alice.goto(harness.node().url());
    await alice.getByRole('button', { name: 'Create room' }).click();
    await expect.poll(() => nickOf(alice)).toBe('Noor نور');
    expect(await alice.getByLabel('Colour').evaluate((select) => (select as HTMLSelectElement).selectedOptions[0]?.textContent)).toBe('Teal');
  });

  it('on a phone, the People panel stays open while the person changes settings in it', async () => {
    const page = await harness.openPage(harness.node().url());
    await page.setViewportSize({ width: 390, height: 800 });
    await page.getByRole('button', { name: 'Create room' }).click();
    await page.getByRole('textbox', { name: 'Message' }).waitFor();
    // On a phone, people and settings are a drawer opened from the header.
    await page.getByRole('button', { name: 'People and settings' }).click();
    const people = page.getByRole('dialog').getByText(/^People \(/);
    if ((await people.locator('xpath=ancestor::details[1]').getAttribute('open')) === null) await people.click();
    await page.getByRole('checkbox', { name: 'Auto-reply when away' }).check();
    await page.getByRole('textbox', { name: 'Auto-reply text' }).waitFor({ timeout: 5000 });
    await page.getByLabel('Colour').selectOption({ label: 'Green' });
    expect(await page.getByRole('checkbox', { name: 'Auto-reply when away' }).isVisible()).toBe(true);
  });
});
