import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { JOIN_TIMEOUT_MS, peopleItems, useRoomHarness } from '../helpers/e2e.js';

const BOOK_CLUB = 'Книжный клуб 📚';

/** Every value this origin keeps in IndexedDB and localStorage, as text a reader of the disk could search. */
async function storedText(page: Page): Promise<{ text: string; rows: number }> {
  return page.evaluate(async () => {
    const parts: string[] = [JSON.stringify({ ...localStorage })];
    let rows = 0;
    const decoder = new TextDecoder('utf-8', { fatal: false });
    const show = (value: unknown): string => (value instanceof Uint8Array ? decoder.decode(value) : value instanceof ArrayBuffer ? decoder.decode(new Uint8Array(value)) : JSON.stringify(value) ?? '');
    for (const { name } of await indexedDB.databases()) {
      if (name === undefined) continue;
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open(name);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      for (const store of [...db.objectStoreNames]) {
        const values = await new Promise<unknown[]>((resolve, reject) => {
          const request = db.transaction(store).objectStore(store).getAll();
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(request.error);
        });
        rows += values.length;
        parts.push(...values.map(show));
      }
      db.close();
    }
    return { text: parts.join('\n'), rows };
  });
}

describe('room names in Chromium', () => {
  const harness = useRoomHarness();

  async function roomOfTwo(): Promise<{ admin: Page; member: Page }> {
    const admin = await harness.openPage(harness.node().url());
    await admin.getByRole('button', { name: 'Create room' }).click();
    await expect.poll(() => admin.url()).toMatch(/#k=.*&a=/);
    const member = await harness.openPage(admin.url());
    await expect.poll(() => peopleItems(member).count(), { timeout: JOIN_TIMEOUT_MS }).toBe(2);
    return { admin, member };
  }

  async function nameRoom(admin: Page, name: string): Promise<void> {
    await admin.getByText('Room settings (admin)').click();
    const field = admin.getByRole('textbox', { name: 'Room name' });
    await field.fill(name);
    await field.press('Enter');
  }

  it('the admin names the room; a member sees it in the header and in Recent rooms, and in the tab title only once they turn that on', { timeout: 120_000 }, async () => {
    const { admin, member } = await roomOfTwo();
    expect(await member.getByRole('heading', { level: 1 }).count()).toBe(0); // no name: the header as before
    expect(await member.getByRole('textbox', { name: 'Room name' }).count()).toBe(0);
    await nameRoom(admin, BOOK_CLUB);
    for (const page of [admin, member]) await page.getByRole('heading', { level: 1, name: BOOK_CLUB }).waitFor({ timeout: 15_000 });
    expect(await member.title()).toBe('Parley');
    expect(await admin.title()).toBe('Parley');

    await member.getByText('Display', { exact: true }).click();
    const inTitle = member.getByRole('checkbox', { name: /room name in the tab title/ });
    expect(await inTitle.isChecked()).toBe(false);
    await inTitle.check();
    await expect.poll(() => member.title()).toBe(`${BOOK_CLUB} – Parley`);

    await member.getByRole('link', { name: 'Parley home' }).click();
    const recent = member.getByRole('list', { name: 'Recent rooms' });
    await recent.getByText(BOOK_CLUB).waitFor({ timeout: 10_000 });
    expect(await recent.textContent()).not.toContain('Room ');
    // The name is kept on this device only sealed: nothing stored spells it out.
    const stored = await storedText(member);
    expect(stored.rows).toBeGreaterThan(0);
    expect(stored.text).toContain('roomNameInTitle'); // the setting itself is kept, in the clear
    expect(stored.text).not.toContain('Книжный');
  });

  it('a Persian name is shown isolated, so it does not reorder the header around it', { timeout: 120_000 }, async () => {
    const { admin, member } = await roomOfTwo();
    const persian = 'باشگاه کتاب‌خوانی ۱۴۰۳';
    await nameRoom(admin, `  ${persian}\u202E  `); // a bidi override typed or pasted by the admin is removed
    const heading = member.getByRole('heading', { level: 1, name: persian });
    await heading.waitFor({ timeout: 15_000 });
    const shown = await heading.locator('bdi').evaluate((element) => {
      const style = getComputedStyle(element);
      return { text: element.textContent, direction: style.direction, unicodeBidi: style.unicodeBidi };
    });
    expect(shown).toEqual({ text: persian, direction: 'rtl', unicodeBidi: 'isolate' });
    // The header keeps its order: the brand, then the name, then the connection status.
    const brand = await member.getByRole('link', { name: 'Parley home' }).boundingBox();
    const name = await heading.boundingBox();
    const status = await member.getByRole('status', { name: 'Connection' }).boundingBox();
    expect(brand !== null && name !== null && status !== null).toBe(true);
    expect(brand!.x).toBeLessThan(name!.x);
    expect(name!.x).toBeLessThan(status!.x);
  });
});
