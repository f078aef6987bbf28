import { mkdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { expectNoSeriousViolations } from '../helpers/axe.js';
import { JOIN_TIMEOUT_MS, messagesLog, nickOf, peopleItems, say, useRoomHarness } from '../helpers/e2e.js';

/** Latin letters swapped for the Cyrillic ones drawn the same (every generated nickname holds one): a name that reads as the original. */
const CYRILLIC: Record<string, string> = { a: '\u0430', c: '\u0441', e: '\u0435', i: '\u0456', o: '\u043e', p: '\u0440', x: '\u0445', y: '\u0443' };
const lookalike = (nick: string): string => nick.replace(/[aceiopxy]/g, (letter) => CYRILLIC[letter] ?? letter);

/** Screenshots for a person to look at, only when asked for: PARLEY_SHOTS=/tmp/shots-names. */
const SHOTS = process.env['PARLEY_SHOTS'];

describe('a name two people share, in Chromium', () => {
  const harness = useRoomHarness();
  const row = (page: Page, text: string): Locator => messagesLog(page).locator('article').filter({ hasText: text });
  const codeOf = async (page: Page, nick: string): Promise<string> =>
    (await peopleItems(page).filter({ hasText: nick }).locator('[title^="Safety code"]').textContent()) ?? '';

  it('someone taking a member\'s name with lookalike letters is told apart by safety code, on messages and in the people list', async () => {
    const alice = await harness.openPage(harness.node().url());
    await alice.getByRole('button', { name: 'Create room' }).click();
    await expect.poll(() => alice.url()).toMatch(/#k=/);
    const bob = await harness.openPage(alice.url());
    await expect.poll(() => peopleItems(alice).count(), { timeout: JOIN_TIMEOUT_MS }).toBe(2);
    const aliceNick = await nickOf(alice);
    await say(alice, 'from the real one');
    await row(bob, 'from the real one').waitFor({ timeout: 15_000 });
    // Two different names: no tags anywhere.
    expect(await row(bob, 'from the real one').locator('.name-tag').count()).toBe(0);
    expect(await peopleItems(bob).filter({ hasText: 'goes by this name' }).count()).toBe(0);

    const impostor = lookalike(aliceNick);
    expect(impostor).not.toBe(aliceNick);
    await bob.getByRole('button', { name: 'Change nickname' }).click();
    await bob.getByLabel('Your nickname').fill(impostor);
    await bob.getByRole('button', { name: 'Save' }).click();
    await say(bob, 'from the impostor');
    await row(alice, 'from the impostor').waitFor({ timeout: 15_000 });
    // A screen reader hears the code too: the live announcement carries it.
    await expect.poll(() => codeOf(alice, impostor), { timeout: 10_000 }).toMatch(/^\d{4} \d{4} \d{4}$/);
    const announced = await alice.getByRole('status', { name: 'New messages' }).locator('p').allTextContents();
    expect(announced).toContain(`${impostor} (${(await codeOf(alice, impostor)).slice(0, 9)}): from the impostor`);

    for (const page of [alice, bob]) {
      const [aliceCode, bobCode] = [await codeOf(page, aliceNick), await codeOf(page, impostor)];
      expect(aliceCode).toMatch(/^\d{4} \d{4} \d{4}$/);
      expect(bobCode).not.toBe(aliceCode);
      // Each message carries the start of its own author's code, which the people list shows whole.
      await expect.poll(() => row(page, 'from the impostor').locator('.name-tag').textContent(), { timeout: 10_000 }).toBe(bobCode.slice(0, 9));
      expect(await row(page, 'from the real one').locator('.name-tag').textContent()).toBe(aliceCode.slice(0, 9));
      await expect.poll(() => peopleItems(page).filter({ hasText: 'Someone else here goes by this name' }).count(), { timeout: 10_000 }).toBe(2);
    }
    expect(await row(alice, 'from the impostor').locator('.name-tag').getAttribute('title')).toContain('Compare safety codes');
    await expectNoSeriousViolations(alice, 'a room with a shared name');

    if (SHOTS !== undefined) {
      mkdirSync(SHOTS, { recursive: true });
      await alice.screenshot({ path: `${SHOTS}/names-desktop.png` });
      await bob.setViewportSize({ width: 390, height: 844 });
      await bob.screenshot({ path: `${SHOTS}/names-phone.png` });
      await bob.getByRole('button', { name: 'People and settings' }).click();
      await bob.waitForTimeout(500); // the sheet's slide-in
      await bob.screenshot({ path: `${SHOTS}/names-phone-people.png` });
      await alice.getByText('Display', { exact: true }).click();
      await alice.getByRole('combobox', { name: 'Language' }).selectOption('fa');
      await expect.poll(() => alice.evaluate(() => document.documentElement.dir)).toBe('rtl');
      await alice.screenshot({ path: `${SHOTS}/names-persian.png` });
    }
  });
});
