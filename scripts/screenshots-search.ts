// Screenshots of search (issue 15, item 8; needs `npx vite build`): results at desktop width, on a
// 390 px phone, and a Persian UI (right to left) with Persian results, plus a jump to a result.
// Usage: npx tsx scripts/screenshots-search.ts [OUT_DIR] (default /tmp/shots-search)
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { launchChromium, requireClientBuild } from '../tests/helpers/browser.js';
import { startNode } from '../tests/helpers/node.js';

const out = process.argv[2] ?? '/tmp/shots-search';
mkdirSync(out, { recursive: true });
const node = await startNode({ staticDir: requireClientBuild() });
const browser = await launchChromium();
try {
  const open = async (url: string, width: number, height: number, locale = 'en'): Promise<Page> => {
    const context = await browser.newContext({ viewport: { width, height } });
    await context.addInitScript((chosen) => localStorage.setItem('parley.language', chosen), locale);
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
  const say = async (page: Page, text: string): Promise<void> => {
    const composer = page.getByRole('textbox', { name: 'Message', exact: true });
    await composer.fill(text);
    await composer.press('Enter');
  };
  const search = async (page: Page, button: string, box: string, text: string): Promise<void> => {
    await page.getByRole('button', { name: button, exact: true }).click();
    await page.getByRole('searchbox', { name: box }).fill(text);
    await page.getByRole('list').filter({ has: page.locator('mark') }).first().waitFor({ timeout: 15_000 });
    await page.waitForTimeout(300);
  };

  const ana = await open(node.url(), 1280, 800);
  await ana.getByRole('button', { name: 'Create room' }).click();
  await ana.waitForURL(/#k=/);
  const ben = await open(ana.url(), 1280, 800);
  await rename(ana, 'Ana');
  await rename(ben, 'Ben');
  await ana.getByRole('list', { name: 'People' }).getByText('Ben').waitFor({ timeout: 15_000 });
  for (const text of ['Shall we meet at the station at noon? The 12:10 train is usually on time.', 'Встретимся на вокзале в полдень, у главного входа.', 'Spotkajmy się na dworcu. Weź żółty parasol, będzie padać!', '明日の昼に東京駅で会いましょう。改札の前で待っています。']) await say(ana, text);
  for (const text of ['فردا ظهر در ايستگاه قطار می‌بينمت.', 'The station café has good coffee, by the way.', 'ایستگاه مترو هم نزدیک است؛ از خروجی شمالی بیا.', 'OK, station at noon then 👍']) await say(ben, text);
  await ben.getByRole('log', { name: 'Messages' }).getByText('OK, station at noon').waitFor({ timeout: 15_000 });

  await search(ben, 'Search', 'Search messages', 'station');
  await ben.screenshot({ path: `${out}/search-desktop.png` });
  await ben.getByRole('list', { name: 'Search results' }).getByRole('button').last().click();
  await ben.waitForTimeout(400);
  await ben.screenshot({ path: `${out}/search-jump-desktop.png` });

  const phone = await open(ana.url(), 390, 844);
  await phone.getByRole('log', { name: 'Messages' }).getByText('OK, station at noon').waitFor({ timeout: 20_000 });
  await search(phone, 'Search', 'Search messages', '東京');
  await phone.screenshot({ path: `${out}/search-phone-390.png` });

  const persian = await open(ana.url(), 1280, 800, 'fa');
  await persian.getByRole('log', { name: 'Messages' }).getByText('OK, station at noon').waitFor({ timeout: 20_000 });
  await search(persian, 'جستجو', 'جستجو در پیام‌ها', 'ایستگاه');
  await persian.screenshot({ path: `${out}/search-persian.png` });
  const phonePersian = await open(ana.url(), 390, 844, 'fa');
  await phonePersian.getByRole('log', { name: 'Messages' }).getByText('OK, station at noon').waitFor({ timeout: 20_000 });
  await search(phonePersian, 'جستجو', 'جستجو در پیام‌ها', 'ایستگاه');
  await phonePersian.screenshot({ path: `${out}/search-persian-phone-390.png` });
  console.log(`screenshots in ${out}`);
} finally {
  await browser.close();
  await node.close();
}
