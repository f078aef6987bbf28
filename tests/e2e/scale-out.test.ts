/**
 * Several nodes over Redis, in Chromium: people whose pages came from different nodes (each page
 * signals to the node that served it) chat, a latecomer on a third node gets the history, and a
 * Redis restart in the middle of a conversation loses nothing: the WebRTC links need no
 * signaling, /healthz says degraded meanwhile, and the nodes resubscribe when Redis returns.
 * The real redis-server and three in-process nodes are shared by the tests of this file.
 */
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { SignalingServer } from '../../signaling/server.js';
import { requireClientBuild } from '../helpers/browser.js';
import { messagesLog, peopleItems, say, useRoomHarness } from '../helpers/e2e.js';
import { httpGet, startNode } from '../helpers/node.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';

/** Screenshots for a person to look at, only when asked for: PARLEY_SHOTS=/tmp/shots16. */
const SHOTS = process.env['PARLEY_SHOTS'];
/** A slow, loaded CI machine: a cross-node join may also wait for a re-announce (every 20 s). */
const JOIN_MS = 60_000;
const MESSAGE_MS = 30_000;
/** Each test's own bound: several joins, each allowed its JOIN_MS. */
const TEST_MS = 180_000;

interface Health {
  status?: string;
  redis?: string;
  node?: string;
}

const health = async (node: SignalingServer): Promise<Health> => JSON.parse((await httpGet(`${node.url()}/healthz`)).body) as Health;

/** The same room link (its fragment holds the key), opened from another node's origin. */
const onNode = (invite: string, node: SignalingServer): string => {
  const moved = new URL(invite);
  moved.host = new URL(node.url()).host;
  return moved.href;
};

const connectionStatus = (page: Page): Promise<string | null> => page.getByRole('status', { name: 'Connection' }).textContent();

/** Waits until every text is in the page's log exactly once, and the log holds nothing else. */
async function expectExactly(page: Page, texts: readonly string[]): Promise<void> {
  const log = messagesLog(page);
  for (const text of texts) await log.getByText(text, { exact: true }).waitFor({ timeout: JOIN_MS });
  await expect.poll(() => log.getByRole('article').count(), { timeout: MESSAGE_MS }).toBe(texts.length);
  for (const text of texts) expect(await log.getByText(text, { exact: true }).count()).toBe(1);
}

describe('several nodes over Redis, in Chromium', () => {
  const harness = useRoomHarness({ node: false });
  let redis: RedisServer;
  const nodes: SignalingServer[] = [];
  beforeAll(async () => {
    redis = await startRedis();
    for (const name of ['one', 'two', 'three']) nodes.push(await startNode({ staticDir: requireClientBuild(), redisUrl: redis.url, nodeId: `e2e-${name}` }));
    if (SHOTS !== undefined) mkdirSync(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    for (const node of nodes) await node.close();
    await redis?.stop();
  });
  const node = (index: number): SignalingServer => nodes[index] as SignalingServer;

  /** A room created on node 1; returns its page and its invite link. */
  const createRoom = async (): Promise<{ page: Page; invite: string }> => {
    const page = await harness.openPage(node(0).url());
    await page.getByRole('button', { name: 'Create room' }).click();
    await expect.poll(() => page.url()).toMatch(/#k=/);
    await expect.poll(() => connectionStatus(page), { timeout: JOIN_MS }).toBe('Connected — waiting for others to join');
    return { page, invite: page.url() };
  };

  it('pages from two nodes chat, and a latecomer on a third node gets the whole history', async () => {
    const { page: alice, invite } = await createRoom();
    const bob = await harness.openPage(onNode(invite, node(1)));
    expect(new URL(bob.url()).port).toBe(new URL(node(1).url()).port);

    await say(alice, 'Alice here, on node one');
    await messagesLog(bob).getByText('Alice here, on node one').waitFor({ timeout: JOIN_MS });
    await say(bob, 'Bob here, on node two 👋');
    await messagesLog(alice).getByText('Bob here, on node two 👋').waitFor({ timeout: MESSAGE_MS });
    await expect.poll(() => connectionStatus(alice), { timeout: JOIN_MS }).toBe('Connected to 1 person');
    await expect.poll(() => connectionStatus(bob), { timeout: JOIN_MS }).toBe('Connected to 1 person');
    await expect.poll(() => peopleItems(bob).count(), { timeout: MESSAGE_MS }).toBe(2);
    // Each node holds its own page's signaling socket: the room really spans two nodes.
    for (const index of [0, 1]) expect(JSON.parse((await httpGet(`${node(index).url()}/healthz`)).body)).toMatchObject({ connections: 1, topics: 1, redis: 'up' });
    if (SHOTS !== undefined) await alice.screenshot({ path: `${SHOTS}/two-nodes-alice.png` });
    if (SHOTS !== undefined) await bob.screenshot({ path: `${SHOTS}/two-nodes-bob.png` });

    const carol = await harness.openPage(onNode(invite, node(2)));
    await expectExactly(carol, ['Alice here, on node one', 'Bob here, on node two 👋']);
    await expect.poll(() => connectionStatus(carol), { timeout: JOIN_MS }).toBe('Connected to 2 people');
    await say(carol, 'Carol, late, on node three');
    await messagesLog(alice).getByText('Carol, late, on node three').waitFor({ timeout: MESSAGE_MS });
    await messagesLog(bob).getByText('Carol, late, on node three').waitFor({ timeout: MESSAGE_MS });
    if (SHOTS !== undefined) await carol.screenshot({ path: `${SHOTS}/three-nodes-carol.png` });
    for (const page of [alice, bob]) await expectExactly(page, ['Alice here, on node one', 'Bob here, on node two 👋', 'Carol, late, on node three']);

    // Off the machine before the next test: three WebRTC meshes' worth of CPU otherwise.
    for (const page of [alice, bob, carol]) await page.context().close();
  }, TEST_MS);

  it('a Redis restart mid-conversation: chat goes on, /healthz says degraded, nothing typed is lost, and a newcomer finds everyone after', async () => {
    const { page: alice, invite } = await createRoom();
    const bob = await harness.openPage(onNode(invite, node(1)));
    await say(alice, 'before the outage');
    await messagesLog(bob).getByText('before the outage').waitFor({ timeout: JOIN_MS });
    await expect.poll(() => connectionStatus(alice), { timeout: JOIN_MS }).toBe('Connected to 1 person');
    await expect.poll(() => connectionStatus(bob), { timeout: JOIN_MS }).toBe('Connected to 1 person');
    for (const index of [0, 1, 2]) expect(await health(node(index))).toMatchObject({ status: 'ok', redis: 'up' });

    await redis.stop();
    for (const index of [0, 1, 2]) await expect.poll(() => health(node(index)), { timeout: MESSAGE_MS }).toMatchObject({ status: 'degraded', redis: 'down' });
    // The direct links carry the conversation; the nodes (still up) keep their sockets.
    await say(alice, 'Alice during the outage');
    await say(bob, 'Bob during the outage');
    await say(alice, 'Alice again, Redis still away');
    for (const text of ['Alice during the outage', 'Alice again, Redis still away']) await messagesLog(bob).getByText(text, { exact: true }).waitFor({ timeout: MESSAGE_MS });
    await messagesLog(alice).getByText('Bob during the outage', { exact: true }).waitFor({ timeout: MESSAGE_MS });
    expect(await connectionStatus(alice)).toBe('Connected to 1 person');
    expect((await health(node(0))).status).toBe('degraded');

    await redis.start();
    for (const index of [0, 1, 2]) await expect.poll(() => health(node(index)), { timeout: JOIN_MS }).toMatchObject({ status: 'ok', redis: 'up' });
    // Carol signals through node three, Alice through node one and Bob through node two: she can
    // only reach both if those two subscribed to the room's channel again on the new Redis.
    const carol = await harness.openPage(onNode(invite, node(2)));
    const everything = ['before the outage', 'Alice during the outage', 'Bob during the outage', 'Alice again, Redis still away'];
    await expectExactly(carol, everything);
    await expect.poll(() => connectionStatus(carol), { timeout: JOIN_MS }).toBe('Connected to 2 people');
    await say(bob, 'Bob, after Redis came back');
    await messagesLog(carol).getByText('Bob, after Redis came back').waitFor({ timeout: MESSAGE_MS });
    for (const page of [alice, bob, carol]) await expectExactly(page, [...everything, 'Bob, after Redis came back']);
  }, TEST_MS);
});
