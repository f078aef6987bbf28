/**
 * A node killed mid-conversation (SIGKILL), behind a load balancer, in Chromium: two node
 * processes over a real Redis, and a TCP balancer in front of them, so every page has one origin
 * whichever node serves it. Alice lands on node 1 and Bob on node 2; node 1 dies; Alice's
 * signaling reconnects (the client's backoff with jitter) through the balancer, which skips the
 * dead node as nginx or Caddy would, to node 2; the conversation goes on, and Carol, joining
 * after, connects to Alice, which needs Alice's signaling alive again.
 */
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { requireClientBuild } from '../helpers/browser.js';
import { messagesLog, say, useRoomHarness } from '../helpers/e2e.js';
import { httpGet } from '../helpers/node.js';
import { startNodeProcess, type NodeProcess } from '../helpers/node-process.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { startTcpBalancer, type TcpBalancer } from '../helpers/tcp-balancer.js';

/** Screenshots for a person to look at, only when asked for: PARLEY_SHOTS=/tmp/shots16. */
const SHOTS = process.env['PARLEY_SHOTS'];
/** A slow, loaded CI machine: a cross-node join may also wait for a re-announce (every 20 s). */
const JOIN_MS = 60_000;
const MESSAGE_MS = 30_000;
/** Each test's own bound: several joins, each allowed its JOIN_MS. */
const TEST_MS = 240_000;

/** A page's signaling sockets as the page saw them. */
interface SocketRecord {
  subscribed: boolean;
  closed: boolean;
  /** `clients` of every publish frame received: the room's size as the node counts it. */
  readonly clients: number[];
}

interface Health {
  status?: string;
  connections?: number;
  topics?: number;
}

const health = async (node: NodeProcess): Promise<Health> => JSON.parse((await httpGet(`${node.url}/healthz`)).body) as Health;
const connectionStatus = (page: Page): Promise<string | null> => page.getByRole('status', { name: 'Connection' }).textContent();

describe('a node killed behind a load balancer, in Chromium', () => {
  const harness = useRoomHarness({ node: false });
  let redis: RedisServer;
  let nodes: NodeProcess[] = [];
  let balancer: TcpBalancer;
  beforeAll(async () => {
    redis = await startRedis();
    const env = (id: string): Record<string, string> => ({ REDIS_URL: redis.url, NODE_ID: id, STATIC_DIR: requireClientBuild() });
    nodes = await Promise.all([startNodeProcess(env('lb-one')), startNodeProcess(env('lb-two'))]);
    balancer = await startTcpBalancer(nodes.map((node) => node.port));
    if (SHOTS !== undefined) mkdirSync(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await balancer?.close();
    for (const node of nodes) await node.kill('SIGTERM');
    await redis?.stop();
  });
  const node = (index: number): NodeProcess => nodes[index] as NodeProcess;

  /** Opens `url` in a new browser, keeping a record of each signaling socket it opens. */
  const openRecorded = async (url: string): Promise<{ page: Page; sockets: SocketRecord[] }> => {
    const sockets: SocketRecord[] = [];
    const page = await harness.openPage(url, {
      beforeGoto: (opening) =>
        opening.on('websocket', (socket) => {
          if (!socket.url().endsWith('/signal')) return;
          const record: SocketRecord = { subscribed: false, closed: false, clients: [] };
          sockets.push(record);
          socket.on('framesent', (frame) => {
            if (String(frame.payload).includes('"subscribe"')) record.subscribed = true;
          });
          socket.on('framereceived', (frame) => {
            const clients = (JSON.parse(String(frame.payload)) as { clients?: unknown }).clients;
            if (typeof clients === 'number') record.clients.push(clients);
          });
          socket.on('close', () => (record.closed = true));
        }),
    });
    return { page, sockets };
  };
  const liveSubscribed = (sockets: readonly SocketRecord[]): number => sockets.filter((socket) => socket.subscribed && !socket.closed).length;

  it('the killed node\'s page reconnects through the balancer to the other node and the room carries on', async () => {
    balancer.prefer(0);
    const { page: alice, sockets: aliceSockets } = await openRecorded(balancer.url);
    await alice.getByRole('button', { name: 'Create room' }).click();
    await expect.poll(() => alice.url()).toMatch(/#k=/);
    await expect.poll(() => connectionStatus(alice), { timeout: JOIN_MS }).toBe('Connected — waiting for others to join');
    const invite = alice.url();
    expect(new URL(invite).origin).toBe(balancer.url);
    expect(await health(node(0))).toMatchObject({ connections: 1, topics: 1 });

    // Bob's browser lands on node 2: the same room link, the same origin.
    balancer.prefer(1);
    const { page: bob, sockets: bobSockets } = await openRecorded(invite);
    await say(alice, 'Alice, served by node one');
    await messagesLog(bob).getByText('Alice, served by node one').waitFor({ timeout: JOIN_MS });
    await say(bob, 'Bob, served by node two');
    await messagesLog(alice).getByText('Bob, served by node two').waitFor({ timeout: MESSAGE_MS });
    await expect.poll(() => connectionStatus(alice), { timeout: JOIN_MS }).toBe('Connected to 1 person');
    expect(await health(node(1))).toMatchObject({ connections: 1, topics: 1 });
    expect(liveSubscribed(aliceSockets)).toBe(1);

    // The balancer does not know node 1 is gone: new connections still try it first.
    balancer.prefer(0);
    const refusedBefore = balancer.refused.length;
    const socketsBefore = aliceSockets.length;
    await node(0).kill('SIGKILL');
    // What Alice's page shows meanwhile, sampled until her signaling is back.
    const statuses = new Set<string>();
    await expect
      .poll(
        async () => {
          statuses.add((await connectionStatus(alice)) ?? '');
          return aliceSockets.length > socketsBefore && liveSubscribed(aliceSockets) === 1;
        },
        { timeout: JOIN_MS, interval: 200 },
      )
      .toBe(true);
    console.log(`Alice's connection status while her node was dead and after: ${[...statuses].join(' | ')}`);
    // Her link to Bob is direct: the room never looked down to her.
    expect([...statuses]).toEqual(['Connected to 1 person']);
    expect(aliceSockets[socketsBefore - 1]?.closed).toBe(true);
    expect(balancer.refused.length).toBeGreaterThan(refusedBefore);
    await expect.poll(() => health(node(1)), { timeout: MESSAGE_MS }).toMatchObject({ connections: 2, topics: 1 });

    await say(alice, 'Alice, now through node two');
    await messagesLog(bob).getByText('Alice, now through node two').waitFor({ timeout: MESSAGE_MS });
    await say(bob, 'Bob, still here');
    await messagesLog(alice).getByText('Bob, still here').waitFor({ timeout: MESSAGE_MS });

    // Carol reaches Alice only by signaling with her: Alice's signaling is alive, on node 2.
    const { page: carol } = await openRecorded(invite);
    const everything = ['Alice, served by node one', 'Bob, served by node two', 'Alice, now through node two', 'Bob, still here'];
    for (const text of everything) await messagesLog(carol).getByText(text, { exact: true }).waitFor({ timeout: JOIN_MS });
    await expect.poll(() => connectionStatus(carol), { timeout: JOIN_MS }).toBe('Connected to 2 people');
    await expect.poll(() => connectionStatus(alice), { timeout: JOIN_MS }).toBe('Connected to 2 people');
    await say(carol, 'Carol, after the crash');
    await messagesLog(alice).getByText('Carol, after the crash').waitFor({ timeout: MESSAGE_MS });
    if (SHOTS !== undefined) await alice.screenshot({ path: `${SHOTS}/node-killed-alice-after.png` });
    // Nothing doubled on the way: each page holds each message once.
    for (const page of [alice, bob, carol]) await expect.poll(() => messagesLog(page).getByRole('article').count(), { timeout: MESSAGE_MS }).toBe(everything.length + 1);

    // Node 1's member is counted (`clients`) until its liveness key expires (15 s): then the count is
    // the three on node 2, no ghost. Publishes keep coming with everyone's re-announce (every 20 s).
    const lastClients = (): number | undefined => bobSockets.at(-1)?.clients.at(-1);
    await expect.poll(lastClients, { timeout: JOIN_MS, interval: 500 }).toBe(3);
    console.log(`clients in the publishes Bob received: ${bobSockets.map((socket) => socket.clients.join(',')).join(' / ')}`);
  }, TEST_MS);
});
