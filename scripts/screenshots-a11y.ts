// Screenshots of keyboard focus (issue 15, accessibility; needs `npm run build`): the focus ring on
// Create room, on a message's Reply and on the reaction choices, on a panel's summary and on the
// composer, at desktop width in English and in Persian (right to left).
// Usage: npx tsx scripts/screenshots-a11y.ts [OUT_DIR] (default /tmp/shots-a11y)
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { launchChromium, requireClientBuild } from '../tests/helpers/browser.js';
import { startNode } from '../tests/helpers/node.js';

const out = process.argv[2] ?? '/tmp/shots-a11y';
mkdirSync(out, { recursive: true });
const node = await startNode({ staticDir: requireClientBuild() });
const browser = await launchChromium();
try {
  const open = async (url: string, language: string): Promise<Page> => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addInitScript((lang) => localStorage.setItem('parley.language', lang), language);
    const page = await context.newPage();
    await page.goto(url);
    return page;
  };
  const tabUntil = async (page: Page, test: () => Promise<boolean>, backward = false): Promise<void> => {
    for (let i = 0; i < 80; i++) {
      await page.keyboard.press(backward ? 'Shift+Tab' : 'Tab');
      if (await test()) return;
    }
    throw new Error('focus never got there');
  };
  const focusedText = (page: Page): Promise<string> => page.evaluate(() => (document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent ?? '').trim());

  for (const language of ['en', 'fa']) {
    const ana = await open(node.url(), language);
    await ana.getByRole('button', { name: /./ }).first().waitFor();
    await tabUntil(ana, async () => (await ana.evaluate(() => document.activeElement?.tagName)) === 'BUTTON');
    await ana.screenshot({ path: `${out}/${language}-home-focus.png` });
    await ana.keyboard.press('Enter');
    await ana.waitForURL(/#k=/);
    const bo = await open(ana.url(), 'en');
    await ana.getByRole('list', { name: 'People' }).getByRole('listitem').nth(1).waitFor({ timeout: 20_000 });
    const composer = bo.getByRole('textbox', { name: 'Message', exact: true });
    await composer.fill(language === 'fa' ? 'سلام، گزارش آماده است؟' : 'Is the report ready?');
    await composer.press('Enter');
    await ana.getByRole('log', { name: 'Messages' }).getByRole('article').first().waitFor({ timeout: 10_000 });
    await tabUntil(ana, async () => (await ana.evaluate(() => document.activeElement?.tagName)) === 'TEXTAREA');
    await ana.screenshot({ path: `${out}/${language}-composer-focus.png` });
    await tabUntil(ana, async () => (await ana.evaluate(() => document.activeElement?.closest('article') !== null && document.activeElement?.textContent === 'React')), true);
    await ana.screenshot({ path: `${out}/${language}-react-focus.png` });
    await ana.keyboard.press('Enter');
    await ana.keyboard.press('Tab');
    await ana.screenshot({ path: `${out}/${language}-emoji-focus.png` });
    await ana.keyboard.press('Escape');
    await tabUntil(ana, async () => (await ana.evaluate(() => document.activeElement?.tagName)) === 'SUMMARY' && (await focusedText(ana)) !== '');
    await ana.keyboard.press('Tab');
    await ana.screenshot({ path: `${out}/${language}-side-focus.png` });
    await ana.emulateMedia({ colorScheme: 'dark' });
    await ana.screenshot({ path: `${out}/${language}-side-focus-dark.png` });
    await ana.context().close();
    await bo.context().close();
  }
  console.log(`screenshots in ${out}`);
} finally {
  await browser.close();
  await node.close();
}
