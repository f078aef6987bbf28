/**
 * What a screen reader hears of the conversation: a room opening with 200 messages of history says
 * nothing; a new message from someone else is said once, politely, as "author: text"; a burst is
 * summed up as a count instead of read line by line.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createClock } from '../../src/core/hlc.js';
import { formatInviteFragment } from '../../src/core/invite-link.js';
import { createMessageEntry, encodeMessageEntry } from '../../src/core/message-entry.js';
import { createIdentity } from '../../src/crypto/identity.js';
import type { MessageEntry } from '../../src/core/types.js';
import { messagesLog, useRoomHarness } from '../helpers/e2e.js';
import { until } from '../helpers/node.js';
import { createNodePeer, type NodePeer } from '../helpers/node-peer.js';

describe('announcements of new messages in Chromium', () => {
  const harness = useRoomHarness();
  const peers: NodePeer[] = [];
  afterAll(() => {
    for (const peer of peers) peer.destroy();
  });
  const region = (page: Page) => page.getByRole('status', { name: 'New messages' });
  const lines = (page: Page): Promise<string[]> => region(page).locator('p').allTextContents();

  it('says nothing of a loaded history, then each new message once, politely, and a burst as a count', async () => {
    const secret = randomBytes(32);
    // Zed is one person: the peer's presence and the messages are signed with one identity (two keys
    // named Zed would be two people sharing a name, and announced with their codes).
    const zed = await createIdentity();
    const host = createNodePeer(harness.node().url().replace(/^http/, 'ws') + '/signal', secret, { nick: 'Zed', identity: zed });
    peers.push(host);
    // The history: 200 messages half a minute apart, the last a minute ago; then a clock at the real time.
    let historyMs = 0;
    const historyClock = createClock(() => historyMs);
    const clock = createClock(() => Date.now());
    const messages = host.doc.getMap<unknown>('messages');
    const history: MessageEntry[] = [];
    const start = Date.now() - 60_000 - 200 * 30_000;
    for (let i = 0; i < 200; i++) {
      historyMs = start + i * 30_000;
      history.push(await createMessageEntry(zed, { nick: 'Zed', text: i === 199 ? 'the last of the history' : `history line ${i}`, hlc: historyClock.tick() }));
    }
    host.doc.transact(() => {
      for (const entry of history) messages.set(entry.id, encodeMessageEntry(entry));
    });
    await until(() => host.status().signaling, 10_000, 'host on the node');

    const page = await harness.openPage(`${harness.node().url()}/${formatInviteFragment({ secret })}`);
    await messagesLog(page).getByText('the last of the history').waitFor({ timeout: 30_000 });
    await expect.poll(() => messagesLog(page).getAttribute('aria-busy')).toBe('false');
    // The log itself is silent; the one live region is polite and holds nothing of the history.
    expect(await messagesLog(page).getAttribute('aria-live')).toBe('off');
    expect(await region(page).getAttribute('aria-live')).toBe('polite');
    await page.waitForTimeout(1000);
    expect(await lines(page)).toEqual([]);

    const write = async (text: string): Promise<void> => {
      const entry = await createMessageEntry(zed, { nick: 'Zed', text, hlc: clock.tick() });
      messages.set(entry.id, encodeMessageEntry(entry));
    };
    await write('Is anyone here?');
    await messagesLog(page).getByText('Is anyone here?').waitFor({ timeout: 10_000 });
    await expect.poll(() => lines(page), { timeout: 10_000 }).toEqual(['Zed: Is anyone here?']);

    // Own messages are not read back to their author.
    const composer = page.getByRole('textbox', { name: 'Message', exact: true });
    await composer.fill('Yes, I am');
    await composer.press('Enter');
    await messagesLog(page).getByText('Yes, I am').waitFor({ timeout: 10_000 });
    await page.waitForTimeout(500);
    expect(await lines(page)).toEqual(['Zed: Is anyone here?']);

    // A burst of eight: a few read, the rest summed up once; the region never holds more than three lines.
    for (let i = 1; i <= 8; i++) await write(`burst ${i}`);
    await messagesLog(page).getByText('burst 8', { exact: true }).waitFor({ timeout: 10_000 });
    await expect.poll(async () => (await lines(page)).at(-1) ?? '', { timeout: 20_000 }).toMatch(/^\d new messages$/);
    const said = await lines(page);
    expect(said.length).toBeLessThanOrEqual(3);
    // Every message is accounted for: the count covers exactly those after the last one read.
    const counted = Number(said.at(-1)?.match(/^(\d)/)?.[1]);
    expect(counted).toBeGreaterThanOrEqual(1);
    expect(said.at(-2)).toBe(`Zed: burst ${8 - counted}`);
  }, 180_000);
});
