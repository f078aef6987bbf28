// Takes the screenshots we look at before calling a screen done: home, a room with three people,
// and the same room at phone width with Persian and Japanese messages. Needs `npm run build` first.
// Usage: node scripts/screenshots.mjs [OUT_DIR]   (default /tmp/parley-shots)
import { startShots } from './screenshot-kit.mjs';

const { out, base, browser, open, say, close } = await startShots();
try {
  const desk = { width: 1200, height: 760 };
  const home = await open(base, desk);
  await home.screenshot({ path: `${out}/home.png` });
  await home.getByRole('button', { name: 'Create room' }).click();
  await home.getByRole('textbox', { name: 'Message' }).waitFor();
  const invite = home.url();
  const ana = await open(invite, desk);
  const kenji = await open(invite, { width: 360, height: 740 });
  await home.getByRole('list', { name: 'People' }).getByRole('listitem').nth(2).waitFor({ timeout: 20_000 });
  await say(home, 'Welcome! This room is end-to-end encrypted. Compare safety codes in the People list.');
  await say(ana, 'سلام به همه! امروز ساعت پنج جلسه داریم؟');
  await say(kenji, 'こんにちは！はい、五時に会いましょう。🎉');
  await say(home, 'Mixed: the word «سلام» means hello, and 日本語 is Japanese.');
  await kenji.getByRole('log', { name: 'Messages' }).getByText('Mixed:').waitFor({ timeout: 20_000 });
  await ana.getByRole('textbox', { name: 'Message' }).fill('در حال نوشتن…');
  await ana.getByRole('textbox', { name: 'Message' }).press('Space');
  await home.waitForTimeout(800);
  await home.screenshot({ path: `${out}/room-three-people.png` });
  await kenji.screenshot({ path: `${out}/room-phone.png` });
  await kenji.getByText(/^People \(/).click();
  await kenji.waitForTimeout(300);
  await kenji.screenshot({ path: `${out}/room-phone-people.png` });
  const again = await open(base, desk);
  await again.waitForTimeout(500);

  // Moderation: the admin's view with a pinned message, a flood note and the settings and
  // diagnostics panels open; then the member's view after a kick (desktop and phone).
  await home.getByRole('log', { name: 'Messages' }).getByRole('article').first().hover();
  await home.getByRole('log', { name: 'Messages' }).getByRole('article').first().getByRole('button', { name: 'Pin message' }).click();
  await ana.evaluate(async () => {
    const box = document.querySelector('textarea[aria-label="Message"]');
    for (let i = 1; i <= 40; i++) {
      box.value = `buy now!!! ${i}`;
      box.dispatchEvent(new Event('input', { bubbles: true }));
      box.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  });
  await home.getByRole('status', { name: 'Notices' }).getByText('sending too fast').waitFor({ timeout: 20_000 });
  await home.getByText('Room settings (admin)').click();
  await home.getByText('Diagnostics').click();
  await home.waitForTimeout(500);
  await home.screenshot({ path: `${out}/moderation-admin.png`, fullPage: true });
  const anaNick = (await ana.locator('.me strong').textContent()) ?? '';
  home.once('dialog', (dialog) => void dialog.accept('flooding the room'));
  await home.getByRole('button', { name: `Kick ${anaNick}` }).click();
  await ana.getByRole('alert').waitFor({ timeout: 20_000 });
  await ana.waitForTimeout(300);
  await ana.screenshot({ path: `${out}/moderation-kicked.png` });
  await kenji.getByRole('status', { name: 'Notices' }).getByText('sending too fast').waitFor({ timeout: 20_000 }).catch(() => undefined);
  await kenji.screenshot({ path: `${out}/moderation-phone.png` });
  // The same room in the dark theme, with rich text.
  await say(kenji, 'Notes: **bold**, *italic*, `code` and https://example.org/agenda');
  await home.getByRole('log', { name: 'Messages' }).getByText('Notes:').waitFor({ timeout: 20_000 });
  await home.getByText('Display', { exact: true }).click();
  await home.getByRole('combobox', { name: 'Theme' }).selectOption('dark');
  await home.waitForTimeout(300);
  await home.screenshot({ path: `${out}/room-dark.png` });
  await again.screenshot({ path: `${out}/home-again.png` });
  console.log(`screenshots in ${out}`);
} finally {
  await close();
}
