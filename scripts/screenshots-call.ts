// Screenshots of calls (issue 13; needs `npm run build`): the preview, a 3-person call, a screen
// share, the call shrunk to a strip while chatting, a 390 px phone, and a Persian-named participant.
// Usage: npx tsx scripts/screenshots-call.ts [OUT_DIR] (default /tmp/parley-shots)
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { launchChromium, requireClientBuild } from '../tests/helpers/browser.js';
import { callButton, joinCall, videoPlaying } from '../tests/helpers/call.js';
import { startNode } from '../tests/helpers/node.js';

const out = process.argv[2] ?? '/tmp/parley-shots';
mkdirSync(out, { recursive: true });
const node = await startNode({ staticDir: requireClientBuild() });
const browser = await launchChromium();
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
    await page.getByRole('button', { name: 'Save' }).click();
  };
  const ana = await open(node.url(), 1200, 800);
  await ana.getByRole('button', { name: 'Create room' }).click();
  await ana.waitForURL(/#k=/);
  const ben = await open(ana.url(), 1200, 800);
  const phone = await open(ana.url(), 390, 844);
  await rename(ana, 'Ana');
  await rename(ben, 'Ben');
  await rename(phone, 'نیلوفر');
  await ana.getByRole('textbox', { name: 'Message', exact: true }).fill('Shall we talk instead?');
  await ana.getByRole('textbox', { name: 'Message', exact: true }).press('Enter');

  await ana.getByRole('banner').getByRole('button', { name: 'Start call' }).click();
  await callButton(ana, 'Microphone').click();
  await callButton(ana, 'Camera').click();
  await ana.waitForTimeout(800);
  await ana.screenshot({ path: `${out}/call-preview.png` });
  await ana.getByRole('region', { name: 'Call' }).getByRole('button', { name: 'Start call' }).click();
  await joinCall(ben);
  await joinCall(phone);
  const until = async (check: () => Promise<boolean>): Promise<void> => {
    for (let i = 0; i < 100 && !(await check()); i++) await ana.waitForTimeout(300);
  };
  await until(async () => (await videoPlaying(ana, 'Ben')) && (await videoPlaying(ana, 'نیلوفر')) && (await videoPlaying(phone, 'Ana')) && (await videoPlaying(phone, 'Ben')));
  await ana.screenshot({ path: `${out}/call-three.png` });
  await phone.screenshot({ path: `${out}/call-phone.png` });
  await callButton(ben, 'Share screen').click();
  await until(() => videoPlaying(ana, 'Ben (screen)'));
  await ana.waitForTimeout(1000);
  await ana.screenshot({ path: `${out}/call-screen-share.png` });
  await callButton(ana, 'Show chat').click();
  await ana.waitForTimeout(1000);
  await ana.screenshot({ path: `${out}/call-strip.png` });
  await callButton(phone, 'Show chat').click();
  await phone.waitForTimeout(1000);
  await phone.screenshot({ path: `${out}/call-phone-strip.png` });
  console.log(`screenshots in ${out}`);
} finally {
  await browser.close();
  await node.close();
}
