import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { JOIN_TIMEOUT_MS, messagesLog, peopleItems, say, useRoomHarness } from '../helpers/e2e.js';
import { storedDocument } from '../helpers/stored-doc.js';

/**
 * Disappearing messages, with the pages' clocks moved forward (Playwright's clock: time flows
 * as usual, and a jump fires the timers that fall due) since nobody waits an hour in a test.
 */
describe('disappearing messages in Chromium', () => {
  const harness = useRoomHarness();
  const withClock = (page: Page): void => void page.clock.install();

  it('expire on every member: gone from each log and from each stored document, while newer ones stay', async () => {
    const alice = await harness.openPage(harness.node().url(), { beforeGoto: withClock });
    await alice.getByRole('button', { name: 'Create room' }).click();
    await expect.poll(() => alice.url()).toMatch(/#k=/);
    const bob = await harness.openPage(alice.url(), { beforeGoto: withClock });
    await expect.poll(() => peopleItems(bob).count(), { timeout: JOIN_TIMEOUT_MS }).toBe(2);

    await say(alice, 'this will vanish');
    await say(bob, 'so will this');
    for (const page of [alice, bob]) await messagesLog(page).getByText('so will this').waitFor({ timeout: 10_000 });

    await alice.locator('summary', { hasText: 'Room settings (admin)' }).click();
    await alice.getByLabel('Messages disappear after').selectOption({ label: '1 hour' });
    await alice.getByRole('button', { name: 'Save rules' }).click();
    await alice.getByRole('button', { name: 'Rules saved' }).waitFor();
    // Not yet an hour old: still there for both.
    await bob.waitForTimeout(500);
    for (const page of [alice, bob]) expect(await messagesLog(page).getByText('this will vanish').count()).toBe(1);

    const storedTexts = async (page: Page): Promise<string[]> => [...(await storedDocument(page)).getMap<string>('messages').values()];
    await expect.poll(async () => (await storedTexts(bob)).some((text) => text.includes('this will vanish')), { timeout: 10_000 }).toBe(true);

    for (const page of [alice, bob]) await page.clock.fastForward('01:01:00');
    for (const page of [alice, bob]) {
      await expect.poll(() => messagesLog(page).getByText('this will vanish').count(), { timeout: 15_000 }).toBe(0);
      await expect.poll(() => messagesLog(page).getByText('so will this').count(), { timeout: 15_000 }).toBe(0);
    }
    await say(bob, 'said after the hour');
    await messagesLog(alice).getByText('said after the hour').waitFor({ timeout: 15_000 });

    // Gone from each member's stored document too, not only hidden from the screen.
    await expect.poll(async () => {
      const texts: string[] = [];
      for (const page of [alice, bob]) texts.push(...(await storedTexts(page)));
      return texts.filter((text) => text.includes('said after the hour')).length === 2 && !texts.some((text) => text.includes('this will vanish') || text.includes('so will this'));
    }, { timeout: 10_000 }).toBe(true);
  });
});
