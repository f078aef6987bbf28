// Renders the app icons of public/manifest.webmanifest from public/favicon.svg with headless
// Chromium (node scripts/render-icons.mjs). The PNGs are committed: the build does not need a browser.
//  icon-192.png, icon-512.png: the favicon as it is (rounded square);
//  icon-maskable-512.png: the speech bubble on a full-bleed square, inside the 80 % safe zone, so a
//  launcher's circle or squircle mask never cuts it.
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { findChromium } from './chromium.mjs';

const publicDir = new URL('../public/', import.meta.url);
const favicon = readFileSync(new URL('favicon.svg', publicDir), 'utf8');
const BG = '#2f4858';
// The favicon's bubble scaled to 60 % and centred: 64 × 0.6 = 38.4 px of 64, well inside the 51.2 px safe circle.
const bubble = /<path[^>]*\/>/.exec(favicon)?.[0];
if (bubble === undefined) throw new Error('favicon.svg has no path');
const maskable = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" fill="${BG}"/><g transform="translate(32 32) scale(0.6) translate(-29 -35)">${bubble}</g></svg>`;

const browser = await chromium.launch({ executablePath: findChromium(), args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage({ deviceScaleFactor: 1 });
  const render = async (svg, size, name, transparent) => {
    await page.setViewportSize({ width: size, height: size });
    await page.setContent(`<html><body style="margin:0;background:transparent"><img src="data:image/svg+xml,${encodeURIComponent(svg)}" width="${size}" height="${size}" style="display:block"></body></html>`);
    await page.locator('img').evaluate((img) => img.decode());
    await page.screenshot({ path: new URL(name, publicDir).pathname, omitBackground: transparent, clip: { x: 0, y: 0, width: size, height: size } });
  };
  await render(favicon, 192, 'icon-192.png', true);
  await render(favicon, 512, 'icon-512.png', true);
  await render(maskable, 512, 'icon-maskable-512.png', false);
} finally {
  await browser.close();
}
