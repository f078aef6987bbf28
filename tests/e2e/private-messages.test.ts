import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { Page } from 'playwright-core';
import { parseInviteFragment } from '../../src/core/invite-link.js';
import { deriveRoomKeys } from '../../src/crypto/keys.js';
import { utf8 } from '../../src/crypto/encoding.js';
import { openRow, ROW_UPDATE } from '../../src/persistence/sealed-rows.js';
import { closeTab, JOIN_TIMEOUT_MS, messagesLog, nickOf, peopleItems, say, useRoomHarness } from '../helpers/e2e.js';

/** Every stored row of this page's IndexedDB (the app's `parley` database), raw. */
function storedRows(page: Page): Promise<Array<[unknown[], number[] | null]>> {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('parley');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const store = db.transaction('kv', 'readonly').objectStore('kv');
          const keys = store.getAllKeys();
          const values = store.getAll();
          values.onsuccess = () => {
            resolve(keys.result.map((key, i) => [key as unknown[], values.result[i] instanceof Uint8Array ? Array.from(values.result[i] as Uint8Array) : null]));
            db.close();
          };
        };
      }),
  );
}

/**
 * The document as this page stored it: each update row opened with the room's store key (derived
 * from the invite link, as the page derives it) and applied to a fresh Y.Doc, plus the opened bytes.
 */
async function storedDocument(page: Page): Promise<{ doc: Y.Doc; bytes: Uint8Array[]; raw: Uint8Array[] }> {
  const link = parseInviteFragment(new URL(page.url()).hash);
  if (link === null) throw new Error('no invite link in the page address');
  const { storeKey } = deriveRoomKeys(link.secret, link.adminKey);
  const doc = new Y.Doc();
  const bytes: Uint8Array[] = [];
  const raw: Uint8Array[] = [];
  for (const [key, value] of await storedRows(page)) {
    if (value === null) continue;
    raw.push(Uint8Array.from(value));
    if (key[0] !== 'room' || key[2] !== 'u') continue;
    const opened = await openRow(storeKey, ROW_UPDATE, Uint8Array.from(value));
    if (typeof opened === 'string') continue;
    bytes.push(opened);
    Y.applyUpdate(doc, opened);
  }
  return { doc, bytes, raw };
}

const contains = (haystack: Uint8Array, needle: Uint8Array): boolean => {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
};

describe('private messages in Chromium', () => {
  const harness = useRoomHarness();
  const log = messagesLog;
  const people = peopleItems;

  async function join(url: string, count: number, context?: Parameters<typeof harness.openPage>[1]): Promise<Page> {
    const page = await harness.openPage(url, context);
    await expect.poll(() => people(page).count(), { timeout: 20_000 }).toBe(count);
    return page;
  }

  it('only the recipient reads one, a third member stores only ciphertext, and it reaches the recipient after they come back', async () => {
    const ana = await harness.openPage(harness.node().url());
    await ana.getByRole('button', { name: 'Create room' }).click();
    await expect.poll(() => ana.url()).toMatch(/#k=/);
    const bo = await join(ana.url(), 2);
    const cy = await join(ana.url(), 3);
    await expect.poll(() => people(ana).count(), { timeout: 20_000 }).toBe(3);
    const [anaNick, boNick] = [await nickOf(ana), await nickOf(bo)];

    // A public message first: the control that the stored-document check below can find text at all.
    await say(ana, 'public hello to everyone');
    await log(cy).getByText('public hello to everyone').waitFor({ timeout: 15_000 });

    await ana.getByRole('button', { name: `Private message to ${boNick}` }).click();
    await ana.getByText(`Private to ${boNick}`).first().waitFor();
    await say(ana, 'the spare key is under the blue pot');
    const received = log(bo).getByRole('article').filter({ hasText: 'the spare key is under the blue pot' });
    await received.waitFor({ timeout: 15_000 });
    expect(await received.textContent()).toContain(`Private from ${anaNick}`);
    const sent = log(ana).getByRole('article').filter({ hasText: 'the spare key is under the blue pot' });
    await sent.waitFor({ timeout: 10_000 });
    expect(await sent.textContent()).toContain(`Private to ${boNick}`);

    // Bo leaves; Ana, still writing to Bo privately, sends another one while Bo is away.
    const boContext = bo.context();
    const boUrl = bo.url();
    await closeTab(bo);
    await expect.poll(() => people(ana).count(), { timeout: JOIN_TIMEOUT_MS }).toBe(2);
    expect(await ana.getByRole('status').filter({ hasText: `Private to ${boNick}` }).count()).toBe(1);
    await say(ana, 'call me when you are back, the code is 4471');
    await log(ana).getByText('call me when you are back, the code is 4471').waitFor({ timeout: 10_000 });

    // Cy holds both entries (so she can deliver them) but only as ciphertext, in memory and on disk.
    await expect.poll(async () => (await storedDocument(cy)).doc.getMap('private').size, { timeout: 15_000 }).toBe(2);
    const stored = await storedDocument(cy);
    const everything = stored.bytes;
    expect(everything.some((bytes) => contains(bytes, utf8('public hello to everyone')))).toBe(true);
    for (const secret of ['the spare key is under the blue pot', 'code is 4471', 'blue pot', '4471']) {
      expect(everything.some((bytes) => contains(bytes, utf8(secret)))).toBe(false);
      expect(stored.raw.some((bytes) => contains(bytes, utf8(secret)))).toBe(false);
      expect(await cy.locator('body').textContent()).not.toContain(secret);
    }
    for (const value of stored.doc.getMap('private').values()) expect(String(value)).toMatch(/"box":"[A-Za-z0-9_-]+"/);
    expect(await log(cy).getByText('Private', { exact: false }).count()).toBe(0);

    // Ana leaves too; Bo comes back while only Cy is online and gets what Ana sent while Bo was away.
    await ana.context().close();
    await expect.poll(() => people(cy).count(), { timeout: 15_000 }).toBe(1);
    const boAgain = await join(boUrl, 2, { context: boContext });
    const late = log(boAgain).getByRole('article').filter({ hasText: 'call me when you are back, the code is 4471' });
    await late.waitFor({ timeout: 20_000 });
    expect(await late.textContent()).toContain('Private from');
    expect(await log(boAgain).getByText('the spare key is under the blue pot').count()).toBe(1);
    expect(await log(cy).getByText('4471').count()).toBe(0);

    // Bo's transcript carries the private messages, marked; Cy's does not.
    const transcriptOf = async (page: Page): Promise<string> => {
      await page.getByText('Export transcript').click();
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download transcript (text)' }).click()]);
      return readFileSync(await download.path(), 'utf8');
    };
    const boTranscript = await transcriptOf(boAgain);
    expect(boTranscript).toContain(`${anaNick} (private to you): call me when you are back, the code is 4471`);
    expect(boTranscript).toContain('public hello to everyone');
    const cyTranscript = await transcriptOf(cy);
    expect(cyTranscript).toContain('public hello to everyone');
    expect(cyTranscript).not.toContain('4471');
  }, 120_000);

  it('answers once per away period with the auto-reply, and never answers an auto-reply', async () => {
    const ana = await harness.openPage(harness.node().url());
    await ana.getByRole('button', { name: 'Create room' }).click();
    await expect.poll(() => ana.url()).toMatch(/#k=/);
    const bo = await join(ana.url(), 2);
    await expect.poll(() => people(ana).count(), { timeout: 20_000 }).toBe(2);
    const boNick = await nickOf(bo);

    await bo.getByRole('checkbox', { name: 'Auto-reply when away' }).check();
    await bo.getByRole('textbox', { name: 'Auto-reply text' }).fill('Back at five, sorry!');
    await bo.getByRole('button', { name: 'Save auto-reply' }).click();
    await bo.getByRole('combobox', { name: 'Status' }).selectOption('away');
    await expect.poll(() => people(ana).filter({ hasText: boNick }).textContent(), { timeout: 10_000 }).toContain('away');

    await ana.getByRole('button', { name: `Private message to ${boNick}` }).click();
    await say(ana, 'are you there?');
    const autoReply = log(ana).getByRole('article').filter({ hasText: 'Back at five, sorry!' });
    await autoReply.waitFor({ timeout: 15_000 });
    expect(await autoReply.textContent()).toContain(`Private from ${boNick}`);
    expect(await autoReply.textContent()).toContain('auto-reply');

    // A second message in the same away period gets no second answer.
    await say(ana, 'hello again?');
    await log(bo).getByText('hello again?').waitFor({ timeout: 15_000 });
    await log(ana).getByText('hello again?').waitFor({ timeout: 10_000 });
    expect(await log(ana).getByText('Back at five, sorry!').count()).toBe(1);

    // Back online, then away again: a new away period answers once more.
    await bo.getByRole('combobox', { name: 'Status' }).selectOption('online');
    await bo.getByRole('combobox', { name: 'Status' }).selectOption('away');
    await expect.poll(() => people(ana).filter({ hasText: boNick }).textContent(), { timeout: 10_000 }).toContain('away');
    await say(ana, 'one more time');
    await expect.poll(() => log(ana).getByText('Back at five, sorry!').count(), { timeout: 15_000 }).toBe(2);
    // Bo sees his own auto-replies (sent privately to Ana), nobody answered them back.
    expect(await log(bo).getByText('Back at five, sorry!').count()).toBe(2);
  });
});
