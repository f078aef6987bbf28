// Screenshots of the installable, offline app (issue 15; needs `npx vite build`): the "A new version
// is ready" banner over a room, the home page and a room with its history opened offline from the
// service worker, at desktop width, a 390 px phone, and in Persian (right to left).
// Usage: npx tsx scripts/screenshots-app.ts [OUT_DIR] (default /tmp/shots-app)
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium, requireClientBuild } from '../tests/helpers/browser.js';
import { startNode } from '../tests/helpers/node.js';

const out = process.argv[2] ?? '/tmp/shots-app';
mkdirSync(out, { recursive: true });
const staticDir = mkdtempSync(join(tmpdir(), 'parley-shots-app-'));
cpSync(requireClientBuild(), staticDir, { recursive: true });
let node = await startNode({ staticDir });
const port = Number(new URL(node.url()).port);
const base = node.url();
const browser = await launchChromium();
const VARIANTS = [
  { name: 'desktop', width: 1280, height: 800, locale: 'en' },
  { name: 'phone', width: 390, height: 844, locale: 'en' },
  { name: 'fa', width: 1280, height: 800, locale: 'fa' },
] as const;
try {
  const pages: Array<{ variant: (typeof VARIANTS)[number]; page: Page; room: string }> = [];
  for (const variant of VARIANTS) {
    const context = await browser.newContext({ viewport: { width: variant.width, height: variant.height } });
    await context.addInitScript((locale) => localStorage.setItem('parley.language', locale), variant.locale);
    const page = await context.newPage();
    await page.goto(base);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 });
    await page.locator('button.primary').click();
    await page.waitForURL(/#k=/);
    const box = page.locator('textarea').first();
    for (const text of variant.locale === 'fa' ? ['سلام! جلسه ساعت ۱۰ است.', 'یادداشت‌ها در پوشهٔ مشترک است.'] : ['Hello! The meeting is at 10.', 'Notes are in the shared folder.']) {
      await box.fill(text);
      await box.press('Enter');
    }
    await page.waitForTimeout(500);
    pages.push({ variant, page, room: page.url() });
  }
  // A deploy: a new sw.js, the node restarted; each page checks for the update and offers it.
  const worker = join(staticDir, 'sw.js');
  writeFileSync(worker, readFileSync(worker, 'utf8').replace(/const VERSION = "[0-9a-f]+"/, 'const VERSION = "0123456789abcdef"'));
  await node.close();
  node = await startNode({ staticDir, port });
  for (const { variant, page } of pages) {
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update());
    await page.locator('aside.update').waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(out, `update-${variant.name}.png`) });
  }
  // Offline: node stopped, contexts offline; the home page and the room from the worker.
  await node.close();
  for (const { variant, page, room } of pages) {
    await page.context().setOffline(true);
    await page.goto(base);
    await page.locator('ul.recent li').first().waitFor({ timeout: 20_000 });
    await page.screenshot({ path: join(out, `offline-home-${variant.name}.png`) });
    await page.goto(room);
    await page.reload();
    await page.locator('[role="log"] article').first().waitFor({ timeout: 20_000 });
    const box = page.locator('textarea').first();
    await box.fill(variant.locale === 'fa' ? 'این را بی‌اینترنت نوشتم.' : 'Written while offline.');
    await box.press('Enter');
    await page.waitForTimeout(1500);
    await page.screenshot({ path: join(out, `offline-room-${variant.name}.png`) });
  }
  console.log(`screenshots in ${out}`);
} finally {
  await browser.close();
  await node.close().catch(() => undefined);
  rmSync(staticDir, { recursive: true, force: true });
}
