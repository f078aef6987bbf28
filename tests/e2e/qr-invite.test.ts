import { describe, expect, it } from 'vitest';
import AxeBuilder from '@axe-core/playwright';
import jsQR from 'jsqr';
import type { Page } from 'playwright-core';
import { JOIN_TIMEOUT_MS, messagesLog, peopleItems, say, useRoomHarness } from '../helpers/e2e.js';

/** The pixels of the QR code drawn in the open dialog, as the page holds them. */
async function drawnQr(page: Page): Promise<{ width: number; height: number; data: Uint8ClampedArray }> {
  const image = await page.getByRole('dialog').locator('canvas').evaluate((canvas: HTMLCanvasElement) => {
    const pixels = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height);
    if (pixels === undefined) return null;
    // Base64 over the wire: a 2x code is about a million bytes.
    let binary = '';
    for (let i = 0; i < pixels.data.length; i += 0x8000) binary += String.fromCharCode(...pixels.data.subarray(i, i + 0x8000));
    return { width: pixels.width, height: pixels.height, data: btoa(binary) };
  });
  if (image === null) throw new Error('the QR canvas has no 2D context');
  return { ...image, data: new Uint8ClampedArray(Buffer.from(image.data, 'base64')) };
}

describe('invite by QR code in Chromium', () => {
  const harness = useRoomHarness();

  it('draws the member invite link as a QR code that decodes to it, and whoever opens the decoded link joins the room', { timeout: 180_000 }, async () => {
    // A dark theme and a 2x screen: the code must stay dark on light with its quiet zone, in whole device pixels.
    const context = await harness.browser().newContext({ colorScheme: 'dark', deviceScaleFactor: 2 });
    harness.track(context);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: harness.node().url() });
    const fetched: string[] = [];
    const alice = await harness.openPage(harness.node().url(), { context, beforeGoto: (page) => page.on('request', (request) => void fetched.push(request.url())) });
    await alice.getByRole('button', { name: 'Create room' }).click();
    await expect.poll(() => alice.url()).toMatch(/#k=/);
    await say(alice, 'hello from the QR room');

    await alice.getByRole('button', { name: 'Copy invite link' }).click();
    const copied = await alice.evaluate(() => navigator.clipboard.readText());
    expect(copied).toMatch(/#k=/);

    const show = alice.getByRole('button', { name: 'Show QR code' });
    // The dialog and its encoder are not part of the room's first load.
    expect(fetched.filter((url) => url.includes('QrDialog'))).toEqual([]);
    await show.click();
    const dialog = alice.getByRole('dialog', { name: 'Scan to join this room' });
    await dialog.waitFor();
    expect(fetched.filter((url) => url.includes('QrDialog')).length).toBeGreaterThan(0);
    expect(await dialog.textContent()).toContain('Anyone who scans or photographs it can join');
    const axe = await new AxeBuilder({ page: alice }).include('dialog').analyze();
    expect(axe.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical').map((violation) => violation.id)).toEqual([]);

    const image = await drawnQr(alice);
    const decoded = jsQR(image.data, image.width, image.height);
    expect(decoded?.data).toBe(copied);
    expect(decoded?.data).not.toMatch(/[#&]s=/); // never the admin seed
    // Only pure black and pure white: no smoothed edges. The corner (quiet zone) is white in the dark theme.
    const grey = image.data.filter((value, i) => i % 4 === 0 && value !== 0 && value !== 255);
    expect(grey.length).toBe(0);
    expect([image.data[0], image.data[1], image.data[2]]).toEqual([255, 255, 255]);

    // Escape closes it and gives focus back to the button; the Close button does too.
    await alice.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
    expect(await show.evaluate((button) => button === document.activeElement)).toBe(true);
    await show.click();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => dialog.count()).toBe(0);
    expect(await show.evaluate((button) => button === document.activeElement)).toBe(true);

    const bob = await harness.openPage(decoded?.data ?? '');
    await messagesLog(bob).getByText('hello from the QR room').waitFor({ timeout: 15_000 });
    await expect.poll(() => peopleItems(alice).count(), { timeout: JOIN_TIMEOUT_MS }).toBe(2);
  });
});
