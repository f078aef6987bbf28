// Screenshots of what issue 11 changed on screen: the composer pacing one's own burst ("Sending in
// N s…", Cancel sending), People with safety codes, Diagnostics after refusals; desktop, a 390 px
// phone, and Persian text. Needs `npm run build` first.
// Usage: node scripts/screenshots-trust.mjs [OUT_DIR] (default /tmp/parley-shots)
import { startShots } from './screenshot-kit.mjs';

const { out, base, open, close } = await startShots();
try {
  const ana = await open(base, { width: 1200, height: 760 });
  await ana.getByRole('button', { name: 'Create room' }).click();
  const composer = (page) => page.getByRole('textbox', { name: 'Message', exact: true });
  await composer(ana).waitFor();
  const bo = await open(ana.url(), { width: 390, height: 800 });
  await ana.getByRole('list', { name: 'People' }).getByRole('listitem').nth(1).waitFor({ timeout: 20_000 });
  // Fifteen lines pasted one after another: ten go at once, the rest wait their turn.
  const lines = ['سلام به همه! جلسه ساعت ده است.', 'Agenda for today:', ...Array.from({ length: 13 }, (_, i) => `${i + 1}. point number ${i + 1}`)];
  for (const line of lines) {
    await composer(ana).fill(line);
    await composer(ana).press('Enter');
  }
  await ana.getByRole('status', { name: 'Waiting to send' }).waitFor({ timeout: 5000 });
  await ana.screenshot({ path: `${out}/trust-pacing-desktop.png` });
  await bo.getByRole('log', { name: 'Messages' }).getByText(/point number 8$/).waitFor({ timeout: 20_000 });
  // On the phone: the same burst, in Persian.
  for (let i = 0; i < 14; i++) {
    await composer(bo).fill(`پیام شماره ${i + 1} از فهرست`);
    await composer(bo).press('Enter');
  }
  await bo.getByRole('status', { name: 'Waiting to send' }).waitFor({ timeout: 5000 });
  await bo.screenshot({ path: `${out}/trust-pacing-phone-persian.png` });
  await ana.getByRole('log', { name: 'Messages' }).getByText(/point number 13$/).waitFor({ timeout: 30_000 });
  await ana.waitForTimeout(6000);
  await ana.getByText('Diagnostics').click();
  await ana.screenshot({ path: `${out}/trust-desktop-after.png` });
  await bo.getByText(/^People \(/).click();
  await bo.screenshot({ path: `${out}/trust-phone-people.png` });
  console.log(`screenshots in ${out}`);
} finally {
  await close();
}
