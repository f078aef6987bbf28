import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createClock } from '../../src/core/hlc.js';
import { formatInviteFragment } from '../../src/core/invite-link.js';
import { createMessageEntry, encodeMessageEntry } from '../../src/core/message-entry.js';
import { createIdentity } from '../../src/crypto/identity.js';
import type { MessageEntry } from '../../src/core/types.js';
import { messagesLog, useRoomHarness } from '../helpers/e2e.js';
import { until } from '../helpers/node.js';
import { createNodePeer, type NodePeer } from '../helpers/node-peer.js';

/**
 * The message list shows a window of rows and estimates the height of the rest. Rows of very
 * different heights (one line, ten lines, code blocks) once made that estimate swing for ever and
 * froze the page; this is a history built to make it swing.
 */
describe('a history of uneven rows in Chromium', () => {
  const harness = useRoomHarness();
  const peers: NodePeer[] = [];
  afterAll(() => {
    for (const peer of peers) peer.destroy();
  });

  it('arrives whole at a newcomer, who sees the newest message at the bottom and can scroll back to the first', async () => {
    const secret = randomBytes(32);
    const host = createNodePeer(harness.node().url().replace(/^http/, 'ws') + '/signal', secret);
    peers.push(host);
    // Ten seconds apart over the last two hours, as people talk (not a flood the room would hide).
    let wallMs = Date.now() - 600 * 10_000;
    const clock = createClock(() => (wallMs += 10_000));
    const authors = await Promise.all([createIdentity(), createIdentity(), createIdentity()]);
    const messages = host.doc.getMap<unknown>('messages');
    const entries: MessageEntry[] = [];
    for (let i = 0; i < 600; i++) {
      const lines = [1, 1, 2, 12, 1, 5, 1, 30][i % 8] as number;
      const text = i === 599 ? 'the newest of the uneven rows' : Array.from({ length: lines }, (_, line) => `row ${i} line ${line}`).join('\n');
      entries.push(await createMessageEntry(authors[i % 3]!, { nick: ['Ana', 'Bo', 'Cy'][i % 3]!, text, hlc: clock.tick() }));
    }
    host.doc.transact(() => {
      for (const entry of entries) messages.set(entry.id, encodeMessageEntry(entry));
    });
    await until(() => host.status().signaling, 10_000, 'host on the node');

    const errors: string[] = [];
    const page = await harness.openPage(`${harness.node().url()}/${formatInviteFragment({ secret })}`, { beforeGoto: (p) => p.on('pageerror', (error) => errors.push(error.message)) });
    const newest = messagesLog(page).getByText('the newest of the uneven rows');
    await newest.waitFor({ timeout: 30_000 });
    await expect.poll(() => newest.isVisible()).toBe(true);
    await expect.poll(() => messagesLog(page).getAttribute('aria-busy')).toBe('false');
    // Still at the bottom once everything settled.
    await page.waitForTimeout(500);
    expect(await newest.isVisible()).toBe(true);
    // Back to the top: the first message shows.
    await page.evaluate(() => {
      const viewport = document.querySelector('[role=log]')?.parentElement;
      if (viewport) viewport.scrollTop = 0;
    });
    await expect.poll(() => messagesLog(page).getByText('row 0 line 0', { exact: true }).isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await page.locator('[role=log] article').count()).toBeLessThan(80);
    expect(errors).toEqual([]);
  });
});
