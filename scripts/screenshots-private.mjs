// Screenshots of a room with private messages: desktop and 390 px phone, light and dark themes.
// Needs `npm run build` first. Usage: node scripts/screenshots-private.mjs [OUT_DIR] (default /tmp/parley-shots)
import { startShots } from './screenshot-kit.mjs';

const { out, base, browser, open, say, close } = await startShots();
try {
  const nick = async (page) => (await page.locator('.me strong').textContent()) ?? '';
  const ana = await open(base, { width: 1200, height: 760 });
  await ana.getByRole('button', { name: 'Create room' }).click();
  await ana.getByRole('textbox', { name: 'Message' }).waitFor();
  const bo = await open(ana.url(), { width: 390, height: 800 });
  const cy = await open(ana.url(), { width: 1200, height: 760 });
  await ana.getByRole('list', { name: 'People' }).getByRole('listitem').nth(2).waitFor({ timeout: 20_000 });
  await bo.getByText('People (3)').waitFor({ timeout: 20_000 });
  const boNick = await nick(bo);
  const anaNick = await nick(ana);
  await say(ana, 'Morning all! Standup in ten minutes.');
  await say(cy, 'On my way ☕');
  await ana.getByRole('button', { name: `Private message to ${boNick}` }).click();
  await say(ana, 'Can you send me the **draft** before the standup? Only you have it.');
  await bo.getByRole('log', { name: 'Messages' }).getByText('before the standup').waitFor({ timeout: 20_000 });
  await bo.getByText(/^People \(/).click();
  await bo.getByRole('button', { name: `Private message to ${anaNick}` }).click();
  await bo.getByText(/^People \(/).click();
  await say(bo, 'Sure, sending it now — it is in the shared folder too.');
  await say(cy, 'Who is taking notes today?');
  await ana.getByRole('log', { name: 'Messages' }).getByText('Who is taking notes').waitFor({ timeout: 20_000 });
  await bo.getByRole('log', { name: 'Messages' }).getByText('Who is taking notes').waitFor({ timeout: 20_000 });
  await ana.getByRole('textbox', { name: 'Message' }).fill('Thanks!');
  await ana.waitForTimeout(500);
  for (const theme of ['light', 'dark']) {
    for (const page of [ana, bo]) {
      await page.evaluate((value) => {
        document.documentElement.dataset['theme'] = value;
      }, theme);
    }
    await ana.waitForTimeout(300);
    await ana.screenshot({ path: `${out}/private-desktop-${theme}.png` });
    await bo.screenshot({ path: `${out}/private-phone-${theme}.png` });
    await cy.screenshot({ path: `${out}/private-third-member-${theme}.png` });
  }
  // The People panel may already be open from choosing whom to write to: open it only if folded.
  if (!(await bo.getByRole('checkbox', { name: 'Auto-reply when away' }).isVisible())) await bo.getByText(/^People \(/).click();
  await bo.getByRole('checkbox', { name: 'Auto-reply when away' }).check();
  await bo.getByRole('textbox', { name: 'Auto-reply text' }).scrollIntoViewIfNeeded();
  await bo.screenshot({ path: `${out}/private-phone-auto-reply.png` });
  console.log(`screenshots in ${out}`);
} finally {
  await close();
}
