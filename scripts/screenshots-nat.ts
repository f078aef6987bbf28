// Screenshots of what issue 12 changed on screen, taken in the NAT lab (needs root, `npm run build`):
// People with `direct` (cone NATs) and `relayed` (symmetric NATs + coturn), the "can't reach" hint
// (symmetric NATs, no relay), and the Connection setting with and without a relay; desktop and a
// 390 px phone, with a Persian nickname for right-to-left.
// Usage: npx tsx scripts/screenshots-nat.ts [OUT_DIR] (default /tmp/parley-shots)
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { requireClientBuild } from '../tests/helpers/browser.js';
import { createNatLab, type NatMode } from '../tests/helpers/nat-lab.js';
import { startLabCoturn } from '../tests/helpers/nat-lab-coturn.js';
import { startLabNode, type LabNode } from '../tests/helpers/nat-lab-node.js';

const out = process.argv[2] ?? '/tmp/parley-shots';
mkdirSync(out, { recursive: true });
const lab = createNatLab();
try {
  const [desktopBrowser, phoneBrowser] = await Promise.all([lab.launchChromium('lan-a'), lab.launchChromium('lan-b')]);
  const coturn = await startLabCoturn(lab);
  let node: LabNode | undefined;
  const network = async (mode: NatMode, relay: boolean): Promise<string> => {
    lab.setNatMode('nat-a', mode);
    lab.setNatMode('nat-b', mode);
    await node?.stop();
    node = await startLabNode(lab, { STATIC_DIR: requireClientBuild(), ...(relay ? { TURN_URLS: coturn.turnUrl, TURN_SECRET: coturn.secret } : {}) });
    return node.url;
  };
  const open = async (browser: Browser, url: string, width: number, height: number): Promise<Page> => {
    const page = await (await browser.newContext({ viewport: { width, height } })).newPage();
    await page.goto(url);
    return page;
  };
  const say = async (page: Page, text: string): Promise<void> => {
    await page.getByRole('textbox', { name: 'Message', exact: true }).fill(text);
    await page.getByRole('textbox', { name: 'Message', exact: true }).press('Enter');
  };
  const rename = async (page: Page, nick: string): Promise<void> => {
    await page.getByRole('button', { name: 'Change nickname' }).click();
    await page.getByRole('textbox', { name: 'Your nickname' }).fill(nick);
    await page.getByRole('button', { name: 'Save' }).click();
  };
  const scene = async (name: string, mode: NatMode, relay: boolean, expectPath: string | null): Promise<void> => {
    const url = await network(mode, relay);
    const ana = await open(desktopBrowser, url, 1200, 800);
    await ana.getByRole('button', { name: 'Create room' }).click();
    await ana.waitForURL(/#k=/);
    const phone = await open(phoneBrowser, ana.url(), 390, 844);
    await phone.getByText(/^People \(/).click();
    await rename(phone, 'نیلوفر');
    if (expectPath !== null) {
      await say(ana, 'Can you hear me from the other network?');
      await phone.getByRole('log', { name: 'Messages' }).getByText('Can you hear me').waitFor({ timeout: 30_000 });
      await say(phone, 'بله، صدای شما را می‌شنوم');
      await ana.locator('.path').first().waitFor({ timeout: 20_000 });
      await phone.locator('.path').first().waitFor({ timeout: 20_000 });
    } else {
      await say(phone, 'کسی اینجا هست؟');
      await ana.getByText(/Can't reach/).waitFor({ timeout: 60_000 });
      await phone.getByText(/Can't reach/).waitFor({ timeout: 60_000 });
    }
    await ana.getByRole('list', { name: 'People' }).scrollIntoViewIfNeeded();
    await ana.screenshot({ path: `${out}/nat-${name}-people-desktop.png` });
    await phone.getByRole('list', { name: 'People' }).scrollIntoViewIfNeeded();
    await phone.screenshot({ path: `${out}/nat-${name}-people-phone.png` });
    await ana.getByText('Connection', { exact: true }).click();
    await ana.screenshot({ path: `${out}/nat-${name}-desktop.png` });
    await phone.getByText('Connection', { exact: true }).click();
    await phone.getByText('Connection', { exact: true }).scrollIntoViewIfNeeded();
    await phone.screenshot({ path: `${out}/nat-${name}-phone.png`, fullPage: true });
    await ana.context().close();
    await phone.context().close();
  };
  await scene('direct', 'cone', false, 'direct');
  await scene('relayed', 'symmetric', true, 'relayed');
  await scene('unreachable', 'symmetric', false, null);
  console.log(`screenshots in ${out}`);
} finally {
  await lab.dispose();
}
