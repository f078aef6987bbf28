// Takes screenshots of a running Parley page for a person to look at.
// Usage: node scripts/screenshot.mjs URL OUT_PREFIX   (writes OUT_PREFIX-desktop.png and OUT_PREFIX-phone.png)
import { chromium } from 'playwright-core';
import { findChromium } from './chromium.mjs';

const [url = 'http://localhost:8787/', prefix = '/tmp/parley'] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: findChromium(), args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
for (const [name, viewport] of [['desktop', { width: 1280, height: 800 }], ['phone', { width: 360, height: 740 }]]) {
  const page = await browser.newPage({ viewport, deviceScaleFactor: 1 });
  page.on('console', (m) => console.log(`[${name}] console.${m.type()}: ${m.text()}`));
  await page.goto(url);
  await page.waitForTimeout(1000);
  await page.screenshot({ path: `${prefix}-${name}.png`, fullPage: true });
  await page.close();
}
await browser.close();
