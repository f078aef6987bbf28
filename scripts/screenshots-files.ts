// Screenshots of files in a room (issue 14; needs `npm run build`): an image shown inline, a large
// file part-way down (paused), the storage settings, a 390 px phone, and a Persian file name on a
// right-to-left page.
// Usage: npx tsx scripts/screenshots-files.ts [OUT_DIR] (default /tmp/shots-files)
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import { launchChromium, requireClientBuild } from '../tests/helpers/browser.js';
import { startNode } from '../tests/helpers/node.js';

const out = process.argv[2] ?? '/tmp/shots-files';
mkdirSync(out, { recursive: true });
const node = await startNode({ staticDir: requireClientBuild() });
const browser = await launchChromium();
const BIG = 'site-backup-2024-11-archive-with-a-rather-long-name-for-the-card.zip';
const PERSIAN = 'گزارش سالانه ۱۴۰۳.pdf';
try {
  const open = async (url: string, width: number, height: number): Promise<Page> => {
    const page = await (await browser.newContext({ viewport: { width, height } })).newPage();
    await page.goto(url);
    return page;
  };
  const rename = async (page: Page, nick: string): Promise<void> => {
    if (!(await page.getByRole('button', { name: 'Change nickname' }).isVisible())) await page.getByText(/^People \(/).click();
    await page.getByRole('button', { name: 'Change nickname' }).click();
    await page.getByRole('textbox', { name: 'Your nickname' }).fill(nick);
    await page.getByRole('complementary').getByRole('button', { name: 'Save' }).click();
  };
  const until = async (page: Page, check: () => Promise<boolean>, what: string): Promise<void> => {
    for (let i = 0; i < 150; i++) {
      if (await check()) return;
      await page.waitForTimeout(200);
    }
    throw new Error(`timed out waiting for ${what}`);
  };
  const row = (page: Page, name: string): Locator => page.getByRole('log', { name: 'Messages' }).locator('article').filter({ hasText: name });
  const attach = async (page: Page, files: { name: string; mimeType: string; buffer: Buffer }[]): Promise<void> => {
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Attach file' }).click();
    await (await chooser).setFiles(files);
  };

  const ana = await open(node.url(), 1280, 800);
  await ana.getByRole('button', { name: 'Create room' }).click();
  await ana.waitForURL(/#k=/);
  const ben = await open(ana.url(), 1280, 800);
  await rename(ana, 'Ana');
  await rename(ben, 'Ben');
  await until(ana, async () => (await ana.getByRole('list', { name: 'People' }).getByText('Ben').count()) > 0, 'Ben to join');

  // A picture drawn in the page (a real PNG from the browser's own encoder).
  const png = Buffer.from(await ana.evaluate(async () => {
    const canvas = new OffscreenCanvas(960, 600);
    const g = canvas.getContext('2d');
    if (g === null) throw new Error('no 2d context');
    const sky = g.createLinearGradient(0, 0, 0, 600);
    sky.addColorStop(0, '#f7b267');
    sky.addColorStop(1, '#f25c54');
    g.fillStyle = sky;
    g.fillRect(0, 0, 960, 600);
    g.fillStyle = '#ffe8a3';
    g.beginPath();
    g.arc(700, 230, 90, 0, Math.PI * 2);
    g.fill();
    g.fillStyle = '#2f4858';
    g.beginPath();
    g.moveTo(0, 600);
    g.lineTo(260, 300);
    g.lineTo(480, 520);
    g.lineTo(640, 380);
    g.lineTo(960, 600);
    g.fill();
    const blob = await canvas.convertToBlob({ type: 'image/png' });
    return [...new Uint8Array(await blob.arrayBuffer())];
  }));
  await ana.getByRole('textbox', { name: 'Message', exact: true }).fill('Photos from Saturday, and the backup I promised');
  await ana.getByRole('textbox', { name: 'Message', exact: true }).press('Enter');
  await attach(ana, [{ name: 'sunset.png', mimeType: 'image/png', buffer: png }]);
  await until(ana, async () => (await row(ana, 'sunset.png').count()) > 0, 'the picture to be sent');
  await attach(ana, [{ name: BIG, mimeType: 'application/zip', buffer: randomBytes(30 * 1024 * 1024) }]);
  await ana.waitForTimeout(300);
  await ana.screenshot({ path: `${out}/files-preparing.png` });
  await until(ana, async () => (await row(ana, BIG).count()) > 0, 'the large file to be sent');
  await attach(ana, [{ name: PERSIAN, mimeType: 'application/pdf', buffer: randomBytes(180 * 1024) }]);
  await until(ana, async () => (await row(ana, PERSIAN).count()) > 0, 'the Persian-named file to be sent');

  // Ben: the picture comes by itself (under the 5 MB default) and shows inline.
  await until(ben, async () => (await row(ben, PERSIAN).count()) > 0, 'Ben to see the files');
  await until(ben, async () => (await row(ben, 'sunset.png').getByRole('img', { name: 'sunset.png' }).count()) > 0, 'the picture to show inline for Ben');
  await ben.waitForTimeout(500);
  await ben.screenshot({ path: `${out}/files-image-inline.png` });
  await ana.screenshot({ path: `${out}/files-sender.png` });

  // The large file: Download, then Pause part-way so the progress stays on screen.
  const big = row(ben, BIG);
  await big.getByRole('button', { name: 'Download' }).click();
  const bar = ben.getByRole('progressbar', { name: BIG });
  await until(ben, async () => Number((await bar.getAttribute('aria-valuenow').catch(() => null)) ?? 0) >= 5, 'the download to start');
  await ben.screenshot({ path: `${out}/files-downloading.png` });
  await big.getByRole('button', { name: 'Pause' }).click().catch(() => undefined);
  await ben.waitForTimeout(400);
  await ben.screenshot({ path: `${out}/files-paused.png` });
  await big.getByRole('button', { name: 'Resume' }).click().catch(() => undefined);
  await until(ben, async () => (await big.getByRole('button', { name: 'Save' }).count()) > 0, 'the download to complete');

  // The storage settings in the side panel.
  await ben.getByText('Files and storage', { exact: true }).click();
  await ben.getByRole('combobox', { name: 'Download images automatically up to' }).scrollIntoViewIfNeeded();
  await ben.waitForTimeout(300);
  await ben.screenshot({ path: `${out}/files-storage.png` });

  // A phone, joining later: the files come from both Ana and Ben.
  const phone = await open(ana.url(), 390, 844);
  await rename(phone, 'Chen');
  await phone.getByText(/^People \(/).click();
  await until(phone, async () => (await row(phone, 'sunset.png').getByRole('img', { name: 'sunset.png' }).count()) > 0, 'the picture on the phone');
  await phone.waitForTimeout(600);
  await phone.screenshot({ path: `${out}/files-phone.png` });

  // Right to left: a Persian page with the Persian-named file.
  await phone.evaluate(() => {
    document.documentElement.lang = 'fa';
    document.documentElement.dir = 'rtl';
  });
  await rename(phone, 'نیلوفر');
  await phone.getByText(/^People \(/).click();
  await row(phone, PERSIAN).scrollIntoViewIfNeeded();
  await phone.waitForTimeout(400);
  await phone.screenshot({ path: `${out}/files-rtl-phone.png` });
  await ben.evaluate(() => {
    document.documentElement.lang = 'fa';
    document.documentElement.dir = 'rtl';
  });
  await ben.waitForTimeout(300);
  await ben.screenshot({ path: `${out}/files-rtl-desktop.png` });

  // Dropping files on the conversation (with the hint shown while they are over it), and pasting an image into the composer.
  const conversation = ana.getByRole('region', { name: 'Conversation' });
  const carrying = await ana.evaluateHandle(() => {
    const data = new DataTransfer();
    data.items.add(new File(['Meeting notes\n'], 'notes.txt', { type: 'text/plain' }));
    return data;
  });
  await conversation.dispatchEvent('dragenter', { dataTransfer: carrying });
  await ana.waitForTimeout(200);
  await ana.screenshot({ path: `${out}/files-drop-hint.png` });
  await conversation.dispatchEvent('drop', { dataTransfer: carrying });
  await until(ana, async () => (await row(ana, 'notes.txt').count()) > 0, 'the dropped file to be sent');
  await ana.getByRole('textbox', { name: 'Message', exact: true }).evaluate((box, bytes) => {
    const data = new DataTransfer();
    data.items.add(new File([new Uint8Array(bytes)], 'image.png', { type: 'image/png' }));
    box.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, [...png]);
  await until(ana, async () => (await row(ana, 'image.png').count()) > 0, 'the pasted image to be sent');

  // A private file: Ana writes privately to Ben and attaches one; Ben's row is marked private.
  await ana.getByRole('button', { name: 'Private message to Ben' }).click();
  await attach(ana, [{ name: 'contract-draft.pdf', mimeType: 'application/pdf', buffer: randomBytes(420 * 1024) }]);
  await until(ben, async () => (await row(ben, 'contract-draft.pdf').getByRole('button', { name: 'Download' }).count()) > 0, 'Ben to see the private file');
  await row(ben, 'contract-draft.pdf').getByRole('button', { name: 'Download' }).click();
  await until(ben, async () => (await row(ben, 'contract-draft.pdf').getByRole('button', { name: 'Save' }).count()) > 0, 'the private file to arrive');
  await ben.evaluate(() => {
    document.documentElement.lang = 'en';
    document.documentElement.dir = 'ltr';
  });
  await ben.waitForTimeout(300);
  await ben.screenshot({ path: `${out}/files-private.png` });
  console.log(`screenshots in ${out}`);
} finally {
  await browser.close();
  await node.close();
}
