// Screenshots of a lively room: replies, reactions, an edited message and "Seen by", at desktop
// and 390 px phone width, light and dark. Needs `npm run build` first.
// Usage: node scripts/screenshots-actions.mjs [OUT_DIR]   (default /tmp/parley-shots)
import { startShots } from './screenshot-kit.mjs';

const { out, base, browser, open, say, close } = await startShots();
try {
  const log = (page) => page.getByRole('log', { name: 'Messages' });
  const row = (page, text) => log(page).getByRole('article').filter({ has: page.locator('.text', { hasText: text }) });
  const react = async (page, text, emoji) => {
    await row(page, text).hover();
    await row(page, text).getByRole('button', { name: 'React', exact: true }).click();
    await page.getByRole('button', { name: `React with ${emoji}` }).click();
  };
  const reply = async (page, text, answer) => {
    await row(page, text).hover();
    await row(page, text).getByRole('button', { name: 'Reply' }).click();
    await say(page, answer);
  };
  const desk = { width: 1200, height: 760 };
  const ana = await open(base, desk);
  await ana.getByRole('button', { name: 'Create room' }).click();
  await ana.getByRole('textbox', { name: 'Message' }).waitFor();
  const bo = await open(ana.url(), { width: 390, height: 800 });
  const cy = await open(ana.url(), desk);
  await ana.getByRole('list', { name: 'People' }).getByRole('listitem').nth(2).waitFor({ timeout: 20_000 });
  await say(ana, 'Lunch at noon on Friday?');
  await row(cy, 'Lunch at noon').waitFor({ timeout: 20_000 });
  await say(bo, 'I can do Friday. Where?');
  await row(ana, 'Where?').waitFor({ timeout: 20_000 });
  await reply(ana, 'Where?', 'The **noodle place** by the station, they have a big table.');
  await row(cy, 'noodle place').waitFor({ timeout: 20_000 });
  await react(cy, 'noodle place', '👍');
  await react(bo, 'noodle place', '👍');
  await react(bo, 'Lunch at noon', '🎉');
  await reply(cy, 'Lunch at noon', 'Count me in! Can we make it 12:30?');
  await row(ana, '12:30').waitFor({ timeout: 20_000 });
  await row(ana, 'Lunch at noon').hover();
  await row(ana, 'Lunch at noon').getByRole('button', { name: 'Edit' }).click();
  await ana.getByRole('textbox', { name: 'Edit text' }).fill('Lunch at 12:30 on Friday?');
  await ana.getByRole('textbox', { name: 'Edit text' }).press('Enter');
  await react(ana, '12:30?', '❤️');
  await say(ana, 'Great, see you all there');
  await row(bo, 'see you all').waitFor({ timeout: 20_000 });
  await row(ana, 'see you all').getByText(/^Seen by/).waitFor({ timeout: 20_000 });
  await row(ana, 'see you all').hover();
  await ana.waitForTimeout(500);
  await ana.screenshot({ path: `${out}/actions-desktop-light.png` });
  await bo.getByText('Great, see you').waitFor();
  await bo.waitForTimeout(300);
  await bo.screenshot({ path: `${out}/actions-phone-light.png` });
  // Bo starts a reply (the chip above the composer), in the dark theme.
  for (const page of [ana, bo]) {
    await page.evaluate(() => localStorage.setItem('parley.settings', JSON.stringify({ theme: 'dark', textSize: 'normal', receipts: true })));
    await page.reload();
    await row(page, 'see you all').waitFor({ timeout: 20_000 });
  }
  await row(bo, 'see you all').hover();
  await row(bo, 'see you all').getByRole('button', { name: 'Reply' }).click();
  await row(ana, 'see you all').getByText(/^Seen by/).waitFor({ timeout: 20_000 });
  await ana.mouse.move(0, 0);
  await ana.waitForTimeout(500);
  await bo.waitForTimeout(500);
  await ana.screenshot({ path: `${out}/actions-desktop-dark.png` });
  await bo.screenshot({ path: `${out}/actions-phone-dark.png` });
  // A touch phone (no hover): the message tools stay in the row.
  const touch = await (await browser.newContext({ viewport: { width: 390, height: 800 }, isMobile: true, hasTouch: true })).newPage();
  await touch.goto(ana.url());
  await row(touch, 'see you all').waitFor({ timeout: 20_000 });
  await touch.waitForTimeout(500);
  await touch.screenshot({ path: `${out}/actions-phone-touch.png` });
  console.log(`screenshots in ${out}`);
} finally {
  await close();
}
