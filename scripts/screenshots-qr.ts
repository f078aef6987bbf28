// Screenshots of invite by QR code and room names (issue 15; needs `npx vite build`): the QR dialog
// on a desktop, on a 390 px phone in the dark theme and in Persian; a named room's header and the
// admin's Room name field; Recent rooms with a named and an unnamed room; a Persian name in the header.
// Usage: npx tsx scripts/screenshots-qr.ts [OUT_DIR] (default /tmp/shots-qr)
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { launchChromium, requireClientBuild } from '../tests/helpers/browser.js';
import { startNode } from '../tests/helpers/node.js';

const out = process.argv[2] ?? '/tmp/shots-qr';
mkdirSync(out, { recursive: true });
const node = await startNode({ staticDir: requireClientBuild() });
const browser = await launchChromium();
try {
  const open = async (url: string, options: { width: number; height: number; locale?: string; dark?: boolean; scale?: number }): Promise<Page> => {
    const context = await browser.newContext({
      viewport: { width: options.width, height: options.height },
      locale: options.locale ?? 'en-GB',
      colorScheme: options.dark === true ? 'dark' : 'light',
      deviceScaleFactor: options.scale ?? 1,
    });
    const page = await context.newPage();
    await page.goto(url);
    return page;
  };
  const shot = async (page: Page, name: string): Promise<void> => {
    await page.waitForTimeout(400);
    await page.screenshot({ path: `${out}/${name}.png` });
    console.log(`${out}/${name}.png`);
  };
  const say = async (page: Page, text: string): Promise<void> => {
    await page.getByRole('textbox', { name: 'Message', exact: true }).fill(text);
    await page.getByRole('textbox', { name: 'Message', exact: true }).press('Enter');
  };
  const nameRoom = async (page: Page, name: string): Promise<void> => {
    const field = page.getByRole('textbox', { name: 'Room name' });
    if (!(await field.isVisible())) await page.getByText('Room settings (admin)').click();
    await field.fill(name);
    await field.press('Enter');
  };

  const ana = await open(node.url(), { width: 1280, height: 800 });
  await ana.getByRole('button', { name: 'Create room' }).click();
  await ana.waitForURL(/#k=/);
  const roomUrl = ana.url();
  await say(ana, 'Welcome! This month we read "The Master and Margarita".');
  await nameRoom(ana, 'Книжный клуб 📚');
  await ana.getByRole('heading', { level: 1 }).waitFor();
  await shot(ana, 'named-header-settings');

  await ana.getByRole('button', { name: 'Show QR code' }).click();
  await ana.getByRole('dialog').waitFor();
  await shot(ana, 'qr-desktop');
  await ana.keyboard.press('Escape');

  const phone = await open(roomUrl, { width: 390, height: 844, dark: true, scale: 3 });
  await phone.getByRole('heading', { level: 1 }).waitFor({ timeout: 15_000 });
  await shot(phone, 'named-header-phone-dark');
  await phone.getByRole('button', { name: 'Show QR code' }).click();
  await phone.getByRole('dialog').waitFor();
  await shot(phone, 'qr-phone-dark');

  // Recent rooms on Ana's device: the named room and a second, unnamed one.
  await ana.goto(node.url());
  await ana.getByRole('button', { name: 'Create room' }).click();
  await ana.waitForURL(/#k=/);
  await ana.getByRole('textbox', { name: 'Message', exact: true }).waitFor();
  await ana.waitForTimeout(800);
  await ana.goto(node.url());
  await ana.getByRole('list', { name: 'Recent rooms' }).getByText('Книжный клуб 📚').waitFor({ timeout: 10_000 });
  await shot(ana, 'recent-rooms');

  // Persian: the room renamed in Persian, seen by a Persian-speaking member.
  await ana.goto(roomUrl);
  await ana.getByRole('textbox', { name: 'Message', exact: true }).waitFor();
  await nameRoom(ana, 'باشگاه کتاب‌خوانی ۱۴۰۳');
  const sara = await open(roomUrl, { width: 1280, height: 800, locale: 'fa-IR' });
  await sara.getByRole('heading', { level: 1, name: 'باشگاه کتاب‌خوانی ۱۴۰۳' }).waitFor({ timeout: 15_000 });
  await shot(sara, 'named-header-fa');
  await sara.getByRole('button', { name: 'نمایش کد QR' }).click();
  await sara.getByRole('dialog').waitFor();
  await shot(sara, 'qr-fa');
  await sara.keyboard.press('Escape');
  await sara.goto(node.url());
  await sara.getByRole('list', { name: 'Recent rooms' }).waitFor({ timeout: 10_000 });
  await shot(sara, 'recent-rooms-fa');
} finally {
  await browser.close();
  await node.close();
}
