// Screenshots of the phone layout (issue 15; needs `npx vite build`): 360×740 and 390×844 portrait
// with the keyboard up, 844×390 landscape, the drawer open, and Persian on a desktop and a phone.
// The keyboard is the layout viewport shrinking while the composer has focus: what Chrome on Android
// does for a page asking for interactive-widget=resizes-content, as Parley's index.html does.
// Usage: npx tsx scripts/screenshots-phone.ts [OUT_DIR] (default /tmp/shots-phone)
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, requireClientBuild } from '../tests/helpers/browser.js';
import { startNode } from '../tests/helpers/node.js';

const out = process.argv[2] ?? '/tmp/shots-phone';
mkdirSync(out, { recursive: true });
const node = await startNode({ staticDir: requireClientBuild() });
const browser: Browser = await launchChromium();

async function open(url: string, width: number, height: number, options: { phone: boolean; language?: string }): Promise<Page> {
  const context = await browser.newContext(options.phone ? { viewport: { width, height }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : { viewport: { width, height } });
  if (options.language !== undefined) await context.addInitScript((language) => localStorage.setItem('parley.language', language), options.language);
  const page = await context.newPage();
  await page.goto(url);
  await page.getByRole('textbox', { name: 'Message', exact: true }).waitFor();
  return page;
}

async function talk(page: Page, lines: readonly string[]): Promise<void> {
  const box = page.getByRole('textbox', { name: 'Message', exact: true });
  for (const line of lines) {
    await box.fill(line);
    await box.press('Enter');
  }
}

try {
  const home = await browser.newPage();
  await home.goto(node.url());
  await home.getByRole('button', { name: 'Create room' }).click();
  await home.waitForURL(/#k=/);
  const room = home.url();
  await home.getByRole('textbox', { name: 'Message', exact: true }).waitFor();
  await talk(home, ['Hi! Is anyone around?', 'I can share the notes from yesterday.', 'سلام! یادداشت‌ها را فرستادم.']);

  for (const [width, height] of [[360, 740], [390, 844]] as const) {
    const page = await open(room, width, height, { phone: true });
    await page.screenshot({ path: `${out}/phone-${width}.png` });
    const box = page.getByRole('textbox', { name: 'Message', exact: true });
    await box.click();
    await box.fill('Typing with the keyboard up');
    await page.setViewportSize({ width, height: Math.round(height * 0.55) });
    await page.waitForTimeout(200);
    await page.screenshot({ path: `${out}/phone-${width}-keyboard.png` });
    await page.setViewportSize({ width, height });
    await page.getByRole('button', { name: 'People and settings' }).click();
    await page.waitForTimeout(300);
    await page.screenshot({ path: `${out}/phone-${width}-drawer.png` });
    await page.context().close();
  }

  const landscape = await open(room, 844, 390, { phone: true });
  await landscape.screenshot({ path: `${out}/phone-landscape.png` });
  await landscape.getByRole('button', { name: 'People and settings' }).click();
  await landscape.waitForTimeout(300);
  await landscape.screenshot({ path: `${out}/phone-landscape-drawer.png` });
  await landscape.context().close();

  const faDesktop = await open(room, 1280, 800, { phone: false, language: 'fa' });
  await faDesktop.waitForTimeout(300);
  await faDesktop.screenshot({ path: `${out}/fa-desktop.png` });
  await faDesktop.context().close();

  const faPhone = await open(room, 390, 844, { phone: true, language: 'fa' });
  await faPhone.screenshot({ path: `${out}/fa-phone.png` });
  await faPhone.locator('header button[aria-controls]').click();
  await faPhone.waitForTimeout(300);
  await faPhone.screenshot({ path: `${out}/fa-phone-drawer.png` });
  await faPhone.context().close();

  const desktop = await open(room, 1280, 800, { phone: false });
  await desktop.waitForTimeout(300);
  await desktop.screenshot({ path: `${out}/desktop.png` });
  await desktop.context().close();
  console.log(`screenshots in ${out}`);
} finally {
  await browser.close();
  await node.close();
}
