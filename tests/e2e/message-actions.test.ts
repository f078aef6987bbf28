/**
 * Message actions between two people in Chromium (and Node peers watching the document): edits
 * and deletes by the author only, a forged edit refused and counted, replies, reactions and read
 * receipts, all surviving a reload.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type * as Y from 'yjs';
import { parseInviteFragment } from '../../src/core/invite-link.js';
import { createClock } from '../../src/core/hlc.js';
import { actKey, createMessageAct, encodeMessageAct } from '../../src/core/message-acts.js';
import { toBase64Url } from '../../src/crypto/encoding.js';
import { createIdentity } from '../../src/crypto/identity.js';
import { JOIN_TIMEOUT_MS, messagesLog, nickOf, peopleItems, say, useRoomHarness } from '../helpers/e2e.js';
import { until } from '../helpers/node.js';
import { createNodePeer, type NodePeer } from '../helpers/node-peer.js';

describe('message actions in Chromium', () => {
  const harness = useRoomHarness();
  const peers: NodePeer[] = [];
  afterAll(() => {
    for (const peer of peers) peer.destroy();
  });
  const log = messagesLog;
  /** The message whose own text (not a quote of it in a reply) holds `text`. */
  const article = (page: Page, text: string) => log(page).getByRole('article').filter({ has: page.locator('.text', { hasText: text }) });

  /** Ana creates a room, Bo joins; a Node peer listens to the document. */
  async function roomOfTwo(): Promise<{ ana: Page; bo: Page; anaNick: string; boNick: string; watcher: NodePeer }> {
    const ana = await harness.openPage(harness.node().url());
    await ana.getByRole('button', { name: 'Create room' }).click();
    await expect.poll(() => ana.url()).toMatch(/#k=/);
    const bo = await harness.openPage(ana.url());
    await expect.poll(() => peopleItems(ana).count(), { timeout: JOIN_TIMEOUT_MS }).toBe(2);
    const link = parseInviteFragment(new URL(ana.url()).hash);
    if (link === null) throw new Error('no invite link');
    const watcher = createNodePeer(harness.node().url().replace(/^http/, 'ws') + '/signal', link.secret, { acceptDeletes: true, ...(link.adminKey === undefined ? {} : { adminKey: link.adminKey }) });
    peers.push(watcher);
    return { ana, bo, anaNick: await nickOf(ana), boNick: await nickOf(bo), watcher };
  }

  const documentText = (peer: NodePeer): string => [...peer.doc.getMap('messages').values(), ...peer.doc.getMap('acts').values()].map(String).join('\n');

  it('edits and deletes by the author reach the other side; replies, reactions and receipts too; all survive a reload', async () => {
    const { ana, bo, anaNick, boNick, watcher } = await roomOfTwo();
    await say(ana, 'Lunch at noon?');
    await article(bo, 'Lunch at noon?').waitFor({ timeout: 10_000 });

    // Only the author gets Edit and Delete on a message.
    await article(bo, 'Lunch at noon?').hover();
    expect(await article(bo, 'Lunch at noon?').getByRole('button', { name: 'Edit' }).count()).toBe(0);
    expect(await article(bo, 'Lunch at noon?').getByRole('button', { name: 'Delete my message' }).count()).toBe(0);

    await article(ana, 'Lunch at noon?').hover();
    await article(ana, 'Lunch at noon?').getByRole('button', { name: 'Edit' }).click();
    const editBox = ana.getByRole('textbox', { name: 'Edit text' });
    await editBox.fill('Lunch at one?');
    await editBox.press('Enter');
    for (const page of [ana, bo]) {
      await article(page, 'Lunch at one?').getByText('(edited)').waitFor({ timeout: 10_000 });
      expect(await log(page).getByText('Lunch at noon?').count()).toBe(0);
    }

    // Bo replies; Ana sees the quote of her (edited) message and can jump to it.
    await article(bo, 'Lunch at one?').hover();
    await article(bo, 'Lunch at one?').getByRole('button', { name: 'Reply' }).click();
    await bo.getByText(`Replying to ${anaNick}`).waitFor();
    await say(bo, 'Works for me');
    expect(await bo.getByRole('button', { name: 'Cancel reply' }).count()).toBe(0);
    const reply = article(ana, 'Works for me');
    await reply.waitFor({ timeout: 10_000 });
    await reply.getByRole('button', { name: `Reply to ${anaNick}: Lunch at one?. Show it` }).click();

    // Ana reacts to the reply; Bo sees who.
    await reply.hover();
    await reply.getByRole('button', { name: 'React', exact: true }).click();
    await ana.getByRole('button', { name: 'React with 👍' }).click();
    await article(bo, 'Works for me').getByRole('button', { name: `👍 1, ${anaNick}` }).waitFor({ timeout: 10_000 });

    // Bo saw Ana's message: she reads "Seen by Bo" under her newest one.
    await article(ana, 'Lunch at one?').getByText(`Seen by ${boNick}`).waitFor({ timeout: 15_000 });

    // A delete by the author removes the message on both sides and from the document.
    await say(ana, 'Oops, wrong room');
    await article(bo, 'Oops, wrong room').waitFor({ timeout: 10_000 });
    await until(() => documentText(watcher).includes('Oops, wrong room'), 10_000, 'the watcher has the message');
    await article(bo, 'Oops, wrong room').hover();
    await article(bo, 'Oops, wrong room').getByRole('button', { name: 'Reply' }).click();
    await say(bo, 'Which room?');
    await article(ana, 'Which room?').waitFor({ timeout: 10_000 });
    // Ana (the admin) pins it first: deleting it takes it out of the pinned bar too.
    await article(ana, 'Oops, wrong room').hover();
    await article(ana, 'Oops, wrong room').getByRole('button', { name: 'Pin message' }).click();
    const pinnedBar = (page: Page) => page.getByRole('region', { name: 'Pinned messages' });
    for (const page of [ana, bo]) await pinnedBar(page).getByText('Oops, wrong room').waitFor({ timeout: 10_000 });
    await article(ana, 'Oops, wrong room').hover();
    await article(ana, 'Oops, wrong room').getByRole('button', { name: 'Delete my message' }).click();
    for (const page of [ana, bo]) {
      await expect.poll(() => log(page).getByText('Oops, wrong room').count(), { timeout: 10_000 }).toBe(0);
      await expect.poll(() => pinnedBar(page).getByText('Oops, wrong room').count(), { timeout: 10_000 }).toBe(0);
      // A reply to it says so instead of quoting it.
      await article(page, 'Which room?').getByText('Original message deleted').waitFor({ timeout: 10_000 });
    }
    await until(() => !documentText(watcher).includes('Oops, wrong room'), 10_000, 'the text gone from the document');

    // All of it survives a reload.
    for (const page of [bo, ana]) {
      await page.reload();
      await page.locator('[role=log][aria-busy=false]').waitFor({ timeout: 15_000 });
      await article(page, 'Lunch at one?').getByText('(edited)').waitFor({ timeout: 10_000 });
      // (Nicknames are new after a reload; the names come from presence.)
      await article(page, 'Works for me').getByRole('button', { name: /^👍 1, / }).waitFor({ timeout: 10_000 });
      await article(page, 'Works for me').getByRole('button', { name: /^Reply to .*Lunch at one\?/ }).waitFor();
      expect(await log(page).getByText('Oops, wrong room').count()).toBe(0);
      expect(await log(page).getByText('Lunch at noon?').count()).toBe(0);
    }
    await article(ana, 'Lunch at one?').getByText(/^Seen by /).waitFor({ timeout: 15_000 });

    // Receipts off: none shown (and none sent), and the choice is kept.
    await ana.getByText('Display', { exact: true }).click();
    await ana.getByRole('checkbox', { name: 'Send and show read receipts' }).uncheck();
    await expect.poll(() => log(ana).getByText(/^Seen by/).count()).toBe(0);
    await ana.reload();
    await article(ana, 'Lunch at one?').waitFor({ timeout: 15_000 });
    // Ana reads Bo's new message, but her receipt in the document does not move.
    const acts = watcher.doc.getMap('acts');
    const anaKey = (JSON.parse(String([...watcher.doc.getMap('messages').values()].find((value) => String(value).includes('Lunch at noon?')))) as { author: string }).author;
    const receiptBefore = acts.get(`s:${anaKey}`);
    expect(receiptBefore).toBeDefined();
    await say(bo, 'Anyone for dessert?');
    await article(ana, 'Anyone for dessert?').waitFor({ timeout: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(acts.get(`s:${anaKey}`)).toBe(receiptBefore);
    expect(await log(ana).getByText(/^Seen by/).count()).toBe(0);
  });

  it('a forged edit or delete from another member is not shown and is counted', async () => {
    const { ana, bo, watcher } = await roomOfTwo();
    await say(ana, 'The meeting is on Friday');
    await article(bo, 'The meeting is on Friday').waitFor({ timeout: 10_000 });
    const found = (): [string, string] | undefined => [...watcher.doc.getMap('messages').entries()].find(([, value]) => String(value).includes('on Friday')) as [string, string] | undefined;
    await until(() => found() !== undefined, 15_000, 'the watcher has the message');
    const [target, value] = found() as [string, string];
    const anaKey = (JSON.parse(value) as { author: string }).author;

    // Mallory, a member, signs an edit and a delete of Ana's message as herself, and another in Ana's slot.
    const mallory = await createIdentity();
    const clock = createClock(Date.now);
    const acts: Y.Map<unknown> = watcher.doc.getMap('acts');
    const asHerself = await createMessageAct(mallory, { k: 'e', target, text: 'FORGED: the meeting is cancelled' }, clock.tick());
    const deleteAsHerself = await createMessageAct(mallory, { k: 'd', target }, clock.tick());
    const inAnasSlot = await createMessageAct(mallory, { k: 'e', target, text: 'FORGED: in Ana\'s name' }, clock.tick());
    const claimed = { ...inAnasSlot, author: anaKey };
    // Mallory's own acts are validly signed and travel; the one in Ana's slot fails its signature, and the update carrying it is refused whole.
    watcher.doc.transact(() => {
      acts.set(actKey(asHerself), encodeMessageAct(asHerself));
      acts.set(actKey(deleteAsHerself), encodeMessageAct(deleteAsHerself));
    });
    watcher.doc.transact(() => acts.set(actKey(claimed), encodeMessageAct(claimed)));
    expect(toBase64Url(mallory.publicKey)).not.toBe(anaKey);

    for (const page of [ana, bo]) {
      await page.getByText('Diagnostics').click();
      const counters = page.getByRole('table', { name: 'Dropped inputs' });
      await expect.poll(async () => (await counters.textContent()) ?? '', { timeout: 15_000 }).toContain('act.not_author');
      // The watcher refused the forged one itself, so only the page it reached directly can count it.
      if (page === ana) await expect.poll(async () => (await counters.textContent()) ?? '', { timeout: 15_000 }).toMatch(/act\.signature|update\.signature/);
      expect(await log(page).getByText('FORGED').count()).toBe(0);
      expect(await article(page, 'The meeting is on Friday').getByText('(edited)').count()).toBe(0);
    }
    // Still there after a reload.
    await bo.reload();
    await article(bo, 'The meeting is on Friday').waitFor({ timeout: 15_000 });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await log(bo).getByText('FORGED').count()).toBe(0);
  });
});
