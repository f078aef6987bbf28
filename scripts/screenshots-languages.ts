// Screenshots of a room in each of the five languages (issue 15; needs `npx vite build`): the same
// conversation (two people, a reply, a reaction, a file, a private message) at desktop width in
// English, Russian, Polish, Japanese and Persian, and Persian and Russian on a 390 px phone, drawer closed and open.
// Usage: npx tsx scripts/screenshots-languages.ts [OUT_DIR] (default /tmp/shots-languages)
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { launchChromium, requireClientBuild } from '../tests/helpers/browser.js';
import { startNode } from '../tests/helpers/node.js';

const out = process.argv[2] ?? '/tmp/shots-languages';
mkdirSync(out, { recursive: true });
const node = await startNode({ staticDir: requireClientBuild() });
const browser = await launchChromium();
try {
  const open = async (url: string, width: number, height: number, language?: string): Promise<Page> => {
    const context = await browser.newContext({ viewport: { width, height } });
    if (language !== undefined) await context.addInitScript((chosen) => localStorage.setItem('parley.language', chosen), language);
    const page = await context.newPage();
    await page.goto(url);
    return page;
  };
  const rename = async (page: Page, nick: string): Promise<void> => {
    if (!(await page.getByRole('button', { name: 'Change nickname' }).isVisible())) await page.getByText(/^People \(/).click();
    await page.getByRole('button', { name: 'Change nickname' }).click();
    await page.getByRole('textbox', { name: 'Your nickname' }).fill(nick);
    await page.getByRole('complementary').getByRole('button', { name: 'Save' }).click();
  };
  const composer = (page: Page) => page.locator('form.composer textarea');

  const ana = await open(node.url(), 1280, 800);
  await ana.getByRole('button', { name: 'Create room' }).click();
  await ana.waitForURL(/#k=/);
  const ben = await open(ana.url(), 1280, 800);
  await rename(ana, 'Ana');
  await rename(ben, 'Ben');
  await ana.getByRole('list', { name: 'People' }).getByText('Ben').waitFor({ timeout: 30_000 });
  await composer(ana).fill('Hi Ben! The meeting is on Friday at 10:30.');
  await composer(ana).press('Enter');
  await ben.getByRole('log').getByText('Friday').waitFor({ timeout: 30_000 });
  await ben.getByRole('log').getByRole('article').first().hover();
  await ben.getByRole('button', { name: 'Reply', exact: true }).first().click();
  await composer(ben).fill('Great, see you there 👍');
  await composer(ben).press('Enter');
  await ana.getByRole('log').getByText('see you there').waitFor({ timeout: 30_000 });
  await ana.getByRole('log').getByRole('article').last().hover();
  await ana.getByRole('button', { name: 'React', exact: true }).last().click();
  await ana.getByRole('button', { name: 'React with 👍' }).click();
  const chooser = ana.waitForEvent('filechooser');
  await ana.getByRole('button', { name: 'Attach file' }).click();
  await (await chooser).setFiles([{ name: 'agenda.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(1_536_000, 7) }]);
  await ben.getByRole('log').getByText('agenda.pdf').waitFor({ timeout: 30_000 });
  await ben.getByRole('log').locator('.reaction').waitFor({ timeout: 30_000 });
  await ben.mouse.move(0, 0);

  for (const locale of ['en', 'ru', 'pl', 'ja', 'fa']) {
    if (!(await ben.locator('select:has(option[value="fa"])').isVisible())) await ben.getByText('Display', { exact: true }).click();
    await ben.locator('select:has(option[value="fa"])').selectOption(locale);
    await ben.waitForFunction((chosen) => document.documentElement.lang === chosen, locale);
    await ben.waitForTimeout(400);
    await ben.screenshot({ path: `${out}/room-${locale}.png` });
    console.log(`${out}/room-${locale}.png`);
  }

  for (const locale of ['fa', 'ru']) {
    const phone = await open(ana.url(), 390, 844, locale);
    await phone.locator('form.composer textarea').waitFor({ timeout: 30_000 });
    await phone.getByRole('log').getByText('agenda.pdf').waitFor({ timeout: 30_000 });
    await phone.waitForTimeout(800);
    await phone.screenshot({ path: `${out}/room-${locale}-390.png` });
    console.log(`${out}/room-${locale}-390.png`);
    // The drawer: the people, your card and the settings' folds, in the room's own words.
    await phone.locator('header button.menu').click();
    await phone.waitForTimeout(600);
    await phone.screenshot({ path: `${out}/room-${locale}-390-drawer.png` });
    await phone.locator('.me').scrollIntoViewIfNeeded();
    await phone.waitForTimeout(300);
    await phone.screenshot({ path: `${out}/room-${locale}-390-drawer-me.png` });
    console.log(`${out}/room-${locale}-390-drawer.png`);
  }
} finally {
  await browser.close();
  await node.close();
}
