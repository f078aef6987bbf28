// Screenshots of a room embedded on a sample shop page (issue 15 item 9; needs `npm run build`): the
// launcher closed, the panel open after a short exchange, a 390 px phone (full screen), and a
// Persian page (right to left: the launcher in the bottom left).
// Usage: npx tsx scripts/screenshots-embed.ts [OUT_DIR] (default /tmp/shots-embed)
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FrameLocator, Page } from 'playwright-core';
import { launchChromium, requireClientBuild } from '../tests/helpers/browser.js';
import { startNode } from '../tests/helpers/node.js';

const out = process.argv[2] ?? '/tmp/shots-embed';
mkdirSync(out, { recursive: true });
const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
let nodeUrl = '';
const site = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://site');
  const fa = url.searchParams.get('lang') === 'fa';
  const data = Object.entries({ room: url.searchParams.get('room') ?? '', greeting: fa ? 'سلام! سؤالی دربارهٔ سفارش‌تان دارید؟ همین‌جا بپرسید.' : 'Hi! Questions about an order? Ask us here.', hours: '9-18', 'hours-zone': 'Europe/Warsaw', accent: '#c2410c', lang: fa ? 'fa' : 'en' })
    .map(([name, value]) => ` data-${name}="${escapeHtml(value)}"`).join('');
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.end(`<!doctype html><html lang="${fa ? 'fa' : 'en'}" dir="${fa ? 'rtl' : 'ltr'}"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Tea shop</title>
<style>body{font-family:system-ui,sans-serif;margin:0;background:#fbf7f2;color:#2b2118}header{background:#2b2118;color:#fbf7f2;padding:1rem 2rem}main{padding:2rem;max-width:50rem}.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(12rem,1fr));gap:1rem}.cards div{background:#fff;border-radius:.75rem;padding:1rem;box-shadow:0 1px 4px #0002;height:8rem}</style>
<header><strong>${fa ? 'چای‌خانه' : 'The Tea Shop'}</strong></header><main><h1>${fa ? 'چای‌های تازه' : 'Fresh teas'}</h1><p>${fa ? 'چای سیاه، سبز و گیاهی از سراسر جهان.' : 'Black, green and herbal teas from around the world.'}</p><div class="cards"><div>Darjeeling</div><div>Sencha</div><div>Lahijan</div><div>Rooibos</div></div></main>
<script src="${nodeUrl}/embed.js"${data} async></script>`);
});
await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
const siteOrigin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
const node = await startNode({ staticDir: requireClientBuild(), embedOrigins: [siteOrigin] });
nodeUrl = `http://localhost:${new URL(node.url()).port}`;
const browser = await launchChromium();
try {
  const open = async (url: string, width: number, height: number, locale = 'en-US'): Promise<Page> => {
    const page = await (await browser.newContext({ viewport: { width, height }, locale, timezoneId: 'Europe/Warsaw' })).newPage();
    await page.goto(url);
    return page;
  };
  const member = await open(nodeUrl, 1000, 700);
  await member.getByRole('button', { name: 'Create room' }).click();
  await member.getByRole('textbox', { name: 'Message' }).waitFor();
  const invite = member.url();
  const shop = (lang: string): string => `${siteOrigin}/?${new URLSearchParams({ room: invite, lang }).toString()}`;
  const frameOf = (page: Page): FrameLocator => page.frameLocator('iframe');
  const send = async (frame: FrameLocator | Page, text: string): Promise<void> => {
    const box = frame.getByRole('textbox', { name: 'Message', exact: true });
    await box.fill(text);
    await box.press('Enter');
  };

  const desktop = await open(shop('en'), 1280, 800);
  await desktop.getByRole('button', { name: 'Chat', exact: true }).waitFor();
  await desktop.screenshot({ path: `${out}/embed-closed.png` });
  await desktop.getByRole('button', { name: 'Chat', exact: true }).click();
  await frameOf(desktop).getByRole('note', { name: 'Greeting' }).waitFor({ timeout: 30_000 });
  await desktop.waitForTimeout(1500);
  await desktop.screenshot({ path: `${out}/embed-open-newcomer.png` });
  await send(frameOf(desktop), 'Hello! Is the Darjeeling first flush back in stock?');
  await member.getByText('Is the Darjeeling').waitFor({ timeout: 30_000 });
  await send(member, 'Yes, since Monday. Shall I reserve 100 g for you?');
  await frameOf(desktop).getByText('Shall I reserve').waitFor({ timeout: 30_000 });
  await desktop.waitForTimeout(500);
  await desktop.screenshot({ path: `${out}/embed-open.png` });
  await frameOf(desktop).getByRole('button', { name: 'Close chat' }).click();
  await send(member, 'It is reserved.');
  await desktop.getByRole('button', { name: /new message/ }).waitFor({ timeout: 30_000 });
  await desktop.screenshot({ path: `${out}/embed-unread.png` });

  const phone = await open(shop('en'), 390, 844);
  await phone.screenshot({ path: `${out}/embed-phone-closed.png` });
  await phone.getByRole('button', { name: 'Chat', exact: true }).click();
  await frameOf(phone).getByRole('note', { name: 'Greeting' }).waitFor({ timeout: 30_000 });
  await phone.waitForTimeout(1500);
  await phone.screenshot({ path: `${out}/embed-phone-open.png` });

  const persian = await open(shop('fa'), 1280, 800, 'fa-IR');
  await persian.getByRole('button', { name: 'گفتگو', exact: true }).click();
  await frameOf(persian).getByRole('note').waitFor({ timeout: 30_000 });
  await send(frameOf(persian), 'سلام، چای لاهیجان دارید؟');
  await member.getByText('چای لاهیجان').waitFor({ timeout: 30_000 });
  await persian.waitForTimeout(1500);
  await persian.screenshot({ path: `${out}/embed-fa.png` });
  console.log(`screenshots in ${out}`);
} finally {
  await browser.close();
  await node.close();
  site.close();
}
