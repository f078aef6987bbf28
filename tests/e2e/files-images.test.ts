/**
 * Images in Chromium: a pasted image shows inline at the other side (decoded, not just a
 * placeholder), and with automatic downloads off nothing is fetched until a click.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useRoomHarness } from '../helpers/e2e.js';
import { fileRow, transferCount, twoPeople } from '../helpers/files.js';

/** Pastes a PNG drawn in the page into the composer, as a person pasting a screenshot does. */
async function pasteImage(page: Page, name: string): Promise<void> {
  await page.getByRole('textbox', { name: 'Message', exact: true }).evaluate(async (composer, fileName) => {
    const canvas = new OffscreenCanvas(320, 200);
    const context = canvas.getContext('2d');
    if (context === null) throw new Error('no 2d context');
    context.fillStyle = '#2a7';
    context.fillRect(0, 0, 320, 200);
    context.fillStyle = '#fff';
    context.fillRect(40, 40, 120, 80);
    const blob = await canvas.convertToBlob({ type: 'image/png' });
    const data = new DataTransfer();
    data.items.add(new File([blob], fileName, { type: 'image/png' }));
    composer.focus();
    composer.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, name);
}

/** The decoded width of the inline image in the file's row (0 while none is shown). */
function inlineWidth(page: Page, name: string): Promise<number> {
  return fileRow(page, name).locator(`img[alt="${name}"]`).evaluateAll((images) => Math.max(0, ...images.map((image) => (image as HTMLImageElement).complete && (image as HTMLImageElement).src.startsWith('blob:') ? (image as HTMLImageElement).naturalWidth : 0)));
}

describe('images in Chromium', () => {
  const harness = useRoomHarness();

  it('a pasted image shows inline at the other side', { timeout: 120_000 }, async () => {
    const [a, b] = await twoPeople(harness);
    await pasteImage(a, 'screenshot.png');
    await expect.poll(() => inlineWidth(b, 'screenshot.png'), { timeout: 30_000 }).toBe(320);
    // The sender sees it too, from its own store.
    await expect.poll(() => inlineWidth(a, 'screenshot.png'), { timeout: 30_000 }).toBe(320);
  });

  it('with automatic downloads off, nothing is fetched until a click', { timeout: 120_000 }, async () => {
    const [a, b] = await twoPeople(harness);
    await b.getByText('Files and storage', { exact: true }).click();
    await b.getByRole('combobox', { name: 'Download images automatically up to' }).selectOption({ label: 'Off' });
    await pasteImage(a, 'holiday.png');
    const row = fileRow(b, 'holiday.png');
    await row.getByRole('button', { name: 'Download' }).waitFor({ timeout: 30_000 });
    // B knows where the image is (its query was answered), which is when an automatic download would start.
    await row.getByText(/Available from 1 /).waitFor({ timeout: 30_000 });
    await b.waitForTimeout(1000);
    expect(await transferCount(b, 'pieces received')).toBe(0);
    expect(await transferCount(a, 'pieces served')).toBe(0);
    expect(await inlineWidth(b, 'holiday.png')).toBe(0);
    await row.getByRole('button', { name: 'Download' }).click();
    await expect.poll(() => inlineWidth(b, 'holiday.png'), { timeout: 30_000 }).toBe(320);
    expect(await transferCount(b, 'pieces received')).toBe(1);
  });
});
