/**
 * Files between three people in Chromium, through the UI: a 20 MB file goes from A to B byte for
 * byte; after A leaves, C (who joined later) gets it from B; and a reload mid-download resumes
 * from the pieces already stored instead of starting over.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { FILE_PIECE_BYTES } from '../../src/core/file-manifest.js';
import { MAX_IN_FLIGHT, MAX_STORING } from '../../src/transport/file-swarm.js';
import { closeTab, peopleItems, useRoomHarness } from '../helpers/e2e.js';
import { answerSavePicker, attach, fileRow, progressValue, randomFile, savedDigestOf, savedHash, transferCount } from '../helpers/files.js';

const TRANSFER_MS = 120_000;

describe('files in Chromium', () => {
  const harness = useRoomHarness();

  async function person(url: string, people: number): Promise<Page> {
    const context = await harness.browser().newContext({ acceptDownloads: true });
    harness.track(context);
    await answerSavePicker(context);
    const page = await harness.openPage(url, { context });
    if (people > 0) await expect.poll(() => peopleItems(page).count(), { timeout: 30_000 }).toBe(people);
    return page;
  }

  async function createRoom(): Promise<Page> {
    const page = await person(harness.node().url(), 0);
    await page.getByRole('button', { name: 'Create room' }).click();
    await expect.poll(() => page.url()).toMatch(/#k=/);
    return page;
  }

  async function downloadAndSave(page: Page, name: string): Promise<string | null> {
    const row = fileRow(page, name);
    await row.getByRole('button', { name: 'Download' }).click();
    await row.getByRole('button', { name: 'Save' }).waitFor({ timeout: TRANSFER_MS });
    await row.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => savedHash(page, name), { timeout: 30_000 }).not.toBeNull();
    return savedHash(page, name);
  }

  it('A sends 20 MB to B; after A leaves, C, who joined later, gets it from B', { timeout: 300_000 }, async () => {
    const a = await createRoom();
    const b = await person(a.url(), 2);
    const file = randomFile('report.bin', 20 * 1000 * 1000);
    await attach(a, file);
    // B sees the file message with its name and a Download button; nothing is fetched before the click.
    await fileRow(b, file.name).getByRole('button', { name: 'Download' }).waitFor({ timeout: 30_000 });
    expect(await transferCount(b, 'pieces received')).toBe(0);
    expect(await downloadAndSave(b, file.name)).toBe(savedDigestOf(file.buffer));
    const pieces = Math.ceil(file.buffer.length / FILE_PIECE_BYTES);
    expect(await transferCount(a, 'pieces served')).toBe(pieces);

    await closeTab(a);
    const c = await person(b.url(), 2);
    await fileRow(c, file.name).getByText(/Available from 1 /).waitFor({ timeout: 60_000 });
    expect(await downloadAndSave(c, file.name)).toBe(savedDigestOf(file.buffer));
    expect(await transferCount(b, 'pieces served')).toBe(pieces);
  });

  it('a reload mid-download resumes from the pieces already stored', { timeout: 300_000 }, async () => {
    const a = await createRoom();
    const b = await person(a.url(), 2);
    const file = randomFile('resume.bin', 20 * 1000 * 1000);
    const pieces = Math.ceil(file.buffer.length / FILE_PIECE_BYTES);
    await attach(a, file);
    const row = fileRow(b, file.name);
    await row.getByRole('button', { name: 'Download' }).click({ timeout: 30_000 });
    // Paused part way, so the count of stored pieces holds still while the page reloads.
    await expect.poll(() => progressValue(b, file.name), { timeout: TRANSFER_MS, interval: 20 }).toBeGreaterThanOrEqual(20);
    await row.getByRole('button', { name: 'Pause' }).click();
    await row.getByRole('button', { name: 'Resume' }).waitFor();
    // In-flight pieces may still land after the pause: wait until the count settles.
    let before = -1;
    await expect.poll(async () => {
      const now = await transferCount(b, 'pieces received');
      const settled = now === before;
      before = now;
      return settled;
    }, { timeout: 20_000, interval: 500 }).toBe(true);
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(pieces);

    await b.reload();
    // The stored pieces count at once, and the download carries on by itself.
    await fileRow(b, file.name).getByRole('button', { name: 'Save' }).waitFor({ timeout: TRANSFER_MS });
    const afterReload = await transferCount(b, 'pieces received');
    // Nothing it had counted is asked again. A piece still in flight or being stored when the count
    // settled may have landed after it (under load), so up to that many fewer may be needed.
    expect(afterReload).toBeLessThanOrEqual(pieces - before);
    expect(afterReload).toBeGreaterThanOrEqual(pieces - before - MAX_IN_FLIGHT - MAX_STORING);
    await fileRow(b, file.name).getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => savedHash(b, file.name), { timeout: 30_000 }).toBe(savedDigestOf(file.buffer));
  });
});
