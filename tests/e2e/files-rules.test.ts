/**
 * Files follow the room's rules in Chromium: when the author deletes a file's message, every
 * member's copy of the file leaves their device (the storage meter drops back) and nobody serves
 * it any more; the admin's Largest file rule refuses a larger file at the sender.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { messagesLog, peopleItems, useRoomHarness } from '../helpers/e2e.js';
import { attach, fileRow, randomFile, transferCount, twoPeople } from '../helpers/files.js';

/** Bytes the room stores on this device, from the Files and storage meter. */
async function storedBytes(page: Page): Promise<number> {
  const meter = page.getByRole('meter', { name: 'Storage used' });
  if (!(await meter.isVisible())) await page.getByText('Files and storage', { exact: true }).click();
  return Number(await meter.getAttribute('value'));
}

describe('files and the room rules', () => {
  const harness = useRoomHarness();

  it("the author's delete takes the file off every member's device", { timeout: 120_000 }, async () => {
    const [a, b] = await twoPeople(harness);
    const file = randomFile('minutes.bin', 3 * 1000 * 1000);
    await attach(a, file);
    const row = fileRow(b, file.name);
    await row.getByRole('button', { name: 'Download' }).click({ timeout: 30_000 });
    await row.getByRole('button', { name: 'Save' }).waitFor({ timeout: 60_000 });
    await expect.poll(() => storedBytes(b), { timeout: 10_000 }).toBeGreaterThanOrEqual(file.buffer.length);
    expect(await storedBytes(a)).toBeGreaterThanOrEqual(file.buffer.length);

    await fileRow(a, file.name).hover();
    await fileRow(a, file.name).getByRole('button', { name: 'Delete my message' }).click();
    await expect.poll(() => messagesLog(b).getByText(file.name).count(), { timeout: 20_000 }).toBe(0);
    // The stored pieces go too, on both devices (the sweep runs every 10 s).
    await expect.poll(() => storedBytes(b), { timeout: 30_000 }).toBe(0);
    await expect.poll(() => storedBytes(a), { timeout: 30_000 }).toBe(0);
    // And a newcomer cannot get it from anyone.
    const c = await harness.openPage(a.url());
    await expect.poll(() => peopleItems(c).count(), { timeout: 30_000 }).toBe(3);
    expect(await c.getByText(file.name).count()).toBe(0);
    expect(await transferCount(b, 'pieces served')).toBe(0);
  });

  it("a file over the room's Largest file is refused at the sender, with the reason", { timeout: 120_000 }, async () => {
    const [a, b] = await twoPeople(harness);
    await a.getByText('Room settings (admin)', { exact: true }).click();
    await a.getByRole('combobox', { name: 'Largest file' }).selectOption({ label: '10 MB' });
    await a.getByRole('button', { name: 'Save rules' }).click();
    await a.getByRole('button', { name: 'Rules saved' }).waitFor();
    await attach(a, randomFile('too-big.bin', 11 * 1000 * 1000));
    await a.getByText(/larger than this room allows/).waitFor({ timeout: 10_000 });
    const fits = randomFile('fits.bin', 2 * 1000 * 1000);
    await attach(a, fits);
    await fileRow(b, fits.name).getByRole('button', { name: 'Download' }).waitFor({ timeout: 30_000 });
    expect(await b.getByText('too-big.bin').count()).toBe(0);
  });
});
