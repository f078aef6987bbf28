// What the screenshot scripts share: a Parley node serving the build (dist/) on a random loopback
// port, one headless Chromium, and helpers to open a page in a context of its own and to send a
// message. Needs `npm run build` first.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { findChromium } from './chromium.mjs';

/** Starts the node and Chromium; `out` comes from the first argument (default /tmp/parley-shots). */
export async function startShots() {
  const out = process.argv[2] ?? '/tmp/parley-shots';
  mkdirSync(out, { recursive: true });
  const port = 18000 + Math.floor(Math.random() * 2000);
  const server = spawn(process.execPath, ['dist/server/signaling/main.js', '--static', 'dist/client', '--port', String(port), '--host', '127.0.0.1', '--log-level', 'warn'], { stdio: 'inherit' });
  await new Promise((resolve) => setTimeout(resolve, 800));
  const browser = await chromium.launch({ executablePath: findChromium(), args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const open = async (url, viewport) => {
    const page = await (await browser.newContext({ viewport })).newPage();
    page.on('pageerror', (error) => console.log('page error:', error.message));
    await page.goto(url);
    return page;
  };
  const say = async (page, text) => {
    await page.getByRole('textbox', { name: 'Message' }).fill(text);
    await page.getByRole('textbox', { name: 'Message' }).press('Enter');
  };
  const close = async () => {
    await browser.close();
    server.kill();
  };
  return { out, base: `http://127.0.0.1:${port}/`, browser, open, say, close };
}
