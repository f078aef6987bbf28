import { describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { closeTab, messagesLog, nickOf, peopleItems, say, useRoomHarness } from '../helpers/e2e.js';

describe('encrypted rooms in Chromium', () => {
  const harness = useRoomHarness();
  /** Every text frame each page sent to the signaling node. */
  const sentToNode: string[] = [];
  const openPage = (url: string, context?: BrowserContext): Promise<Page> =>
    harness.openPage(url, {
      ...(context === undefined ? {} : { context }),
      beforeGoto: (page) => page.on('websocket', (socket) => socket.on('framesent', (frame) => sentToNode.push(String(frame.payload)))),
    });
  const log = messagesLog;
  const people = peopleItems;

  it('two people chat both ways, see each other, and keep history across reload and departures', async () => {
    const alice = await openPage(harness.node().url());
    await alice.getByRole('button', { name: 'Create room' }).click();
    await expect.poll(() => alice.url()).toMatch(/#k=/);
    const invite = alice.url();
    const secret = new URLSearchParams(new URL(invite).hash.slice(1)).get('k') ?? '';
    const bob = await openPage(invite);

    await say(alice, 'Hello Bob, this is Alice');
    await log(bob).getByText('Hello Bob, this is Alice').waitFor({ timeout: 20_000 });
    await say(bob, 'سلام Alice! こんにちは 👋');
    await log(alice).getByText('سلام Alice! こんにちは 👋').waitFor({ timeout: 20_000 });

    await expect.poll(() => people(alice).count(), { timeout: 10_000 }).toBe(2);
    await expect.poll(() => people(bob).count(), { timeout: 10_000 }).toBe(2);
    const [aliceNick, bobNick] = [await nickOf(alice), await nickOf(bob)];
    await expect.poll(() => people(bob).allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining(aliceNick), expect.stringContaining(bobNick)]));
    await expect.poll(() => alice.getByRole('status', { name: 'Connection' }).textContent()).toBe('Connected to 1 person');

    // A reload shows the stored history at once.
    await bob.reload();
    await log(bob).getByText('Hello Bob, this is Alice').waitFor({ timeout: 10_000 });
    await expect.poll(() => log(bob).getByRole('article').count()).toBe(2);

    // Alice leaves; Carol joins later and still gets everything from Bob.
    await closeTab(alice);
    await alice.context().close();
    // Her goodbye usually arrives at once; on a loaded machine the presence timeout may be what tells.
    await expect.poll(() => people(bob).count(), { timeout: 45_000 }).toBe(1);
    // Alone in the room, a reload still shows the history: it comes from this device's encrypted store.
    await bob.reload();
    await log(bob).getByText('سلام Alice! こんにちは 👋').waitFor({ timeout: 10_000 });
    expect(await people(bob).count()).toBe(1);
    const carol = await openPage(invite);
    await log(carol).getByText('Hello Bob, this is Alice').waitFor({ timeout: 20_000 });
    await log(carol).getByText('سلام Alice! こんにちは 👋').waitFor({ timeout: 20_000 });

    // What the signaling node saw: neither the secret nor any message text.
    expect(sentToNode.length).toBeGreaterThan(0);
    const everything = sentToNode.join('\n');
    expect(secret.length).toBeGreaterThan(40);
    for (const needle of [secret, 'Hello Bob', 'سلام', aliceNick, bobNick]) expect(everything).not.toContain(needle);
    // Every frame is protocol framing around an opaque base64url payload: no SDP, candidate or peer id in
    // clear. (Searching ciphertext for a short word like "sdp" would match by chance now and then.)
    for (const frame of sentToNode) {
      const parsed = JSON.parse(frame) as Record<string, unknown>;
      expect(Object.keys(parsed).every((key) => ['type', 'topic', 'topics', 'data'].includes(key))).toBe(true);
      if (parsed['type'] === 'publish') expect(parsed['data']).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    }
  });

  it('tabs of one browser share a room through BroadcastChannel, even with no signaling node reachable', async () => {
    const context = await harness.browser().newContext();
    harness.track(context);
    // Refuse every signaling connection: only the tab channel can carry messages.
    await context.routeWebSocket(/\/signal$/, (socket) => socket.close());
    const first = await context.newPage();
    await first.goto(harness.node().url());
    await first.getByRole('button', { name: 'Create room' }).click();
    await first.getByRole('textbox', { name: 'Message' }).waitFor();
    const second = await context.newPage();
    await second.goto(first.url());
    await say(first, 'from the first tab');
    await log(second).getByText('from the first tab').waitFor({ timeout: 10_000 });
    await say(second, 'from the second tab');
    await log(first).getByText('from the second tab').waitFor({ timeout: 10_000 });
    // Two tabs are one person (one key): People lists them once, as "you".
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await people(first).count()).toBe(1);
    expect(await people(first).first().textContent()).toContain('(you)');
  });

  it('lists a visited room on the home page, and "Leave and forget room" wipes it from this device', async () => {
    const context = await harness.browser().newContext();
    harness.track(context);
    const page = await context.newPage();
    await page.goto(harness.node().url());
    await page.getByRole('button', { name: 'Create room' }).click();
    await say(page, 'a note to myself');
    await log(page).getByText('a note to myself').waitFor({ timeout: 10_000 });
    const invite = page.url();

    await page.goto(`${harness.node().url()}/`);
    const recent = page.getByRole('list', { name: 'Recent rooms' }).getByRole('listitem');
    await expect.poll(() => recent.count(), { timeout: 10_000 }).toBe(1);
    await recent.getByRole('link').click();
    await log(page).getByText('a note to myself').waitFor({ timeout: 10_000 });

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Leave and forget room' }).click();
    await page.getByRole('button', { name: 'Create room' }).waitFor({ timeout: 10_000 });
    await expect.poll(() => page.getByRole('list', { name: 'Recent rooms' }).count()).toBe(0);
    // The link still works, but this device no longer holds the history (nobody else is in the room).
    await page.goto(invite);
    await page.getByRole('textbox', { name: 'Message' }).waitFor();
    await expect.poll(() => log(page).textContent(), { timeout: 5_000 }).toContain('No messages yet');
  });
});
