/**
 * Two unmodified y-webrtc 10.3 clients, each in its own process and each signaling through a
 * different node, sync a Y.Doc: the nodes meet only through a real redis-server. A plain client
 * on each node watches the room, so the test also sees that every signaling message crossed, once.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignalingServer } from '../../signaling/server.js';
import { TestClient, startNode, until, wsUrl } from '../helpers/node.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { ackKey, entryKey } from './compat/messages.js';
import { Peer, WAIT_MS, within } from './compat/peer-process.js';

describe('y-webrtc clients on two nodes sharing Redis', () => {
  let redis: RedisServer;
  let nodes: SignalingServer[] = [];
  const peers: Peer[] = [];
  const watchers: TestClient[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    nodes = [await startNode({ redisUrl: redis.url, nodeId: 'left' }), await startNode({ redisUrl: redis.url, nodeId: 'right' })];
    await until(() => nodes.every((node) => node.cluster?.redisUp() === true), 10_000, 'both nodes on Redis');
  });
  afterAll(async () => {
    for (const peer of peers) peer.kill();
    await Promise.all(peers.map((peer) => within(peer.exited, 5_000, 'a peer to die').catch(() => undefined)));
    for (const watcher of watchers) watcher.close();
    await Promise.all(nodes.map((node) => node.close()));
    await redis.stop();
  });

  it('syncs a Y.Map between two processes whose signaling goes through different nodes', async ({ onTestFailed }) => {
    const [left, right] = nodes as [SignalingServer, SignalingServer];
    const room = `parley-scale-out-${randomUUID()}`;
    onTestFailed(() => console.error(peers.map((peer) => peer.dump()).join('\n')));
    for (const node of nodes) {
      const watcher = await TestClient.connect(wsUrl(node));
      watchers.push(watcher);
      watcher.subscribe(room);
      await watcher.roundTrip();
    }
    await until(() => left.cluster?.remoteCount(room) === 1 && right.cluster?.remoteCount(room) === 1, 10_000, 'each node to count the other\'s watcher');

    const base = { room, lifetimeMs: WAIT_MS + 15_000 };
    const alice = new Peer({ ...base, signalingUrl: wsUrl(left), name: 'alice', other: 'bob' });
    peers.push(alice);
    // Bob starts once Alice's announce has crossed to the right node (see y-webrtc-compat.test.ts on glare).
    await Promise.race([(watchers[1] as TestClient).waitFor((frame) => frame.type === 'publish' && frame.topic === room, WAIT_MS), alice.converged]);
    const bob = new Peer({ ...base, signalingUrl: wsUrl(right), name: 'bob', other: 'alice' });
    peers.push(bob);

    const reports = await within(Promise.all([alice.converged, bob.converged]), WAIT_MS, 'both peers to converge');
    for (const report of reports) {
      expect(report.entries).toEqual({
        [entryKey('alice')]: 'hello from alice',
        [entryKey('bob')]: 'hello from bob',
        [ackKey('alice')]: 'alice saw bob',
        [ackKey('bob')]: 'bob saw alice',
      });
      expect(report.webrtcConnected).toBeGreaterThanOrEqual(1);
      expect(report.bcConns).toBe(0);
    }
    expect(await Promise.all(peers.map((peer) => peer.stop()))).toEqual([0, 0]);

    // Every signaling message crossed Redis: both watchers saw the same publishes, as many times
    // each, with `clients` counting both nodes (two watchers and one or two peers).
    const relayed = (watcher: TestClient) => watcher.received.filter((frame) => frame.type === 'publish' && frame.topic === room).map((frame) => JSON.stringify(frame.data));
    await until(() => relayed(watchers[0] as TestClient).length === relayed(watchers[1] as TestClient).length, 5_000, 'both watchers to have everything');
    const [onLeft, onRight] = [relayed(watchers[0] as TestClient), relayed(watchers[1] as TestClient)];
    expect(onLeft.length).toBeGreaterThanOrEqual(3);
    expect([...onLeft].sort()).toEqual([...onRight].sort());
    const kinds = new Set(onLeft.map((data) => (JSON.parse(data) as { type?: unknown }).type));
    expect(kinds).toContain('announce');
    expect(kinds).toContain('signal');
    const counts = (watchers[0] as TestClient).received.filter((frame) => frame.type === 'publish').map((frame) => frame.clients);
    expect(counts.every((clients) => typeof clients === 'number' && clients >= 3 && clients <= 4)).toBe(true);
    expect(left.cluster?.stats.messages.delivered).toBeGreaterThan(0);
    expect(right.cluster?.stats.messages.delivered).toBeGreaterThan(0);
  });
});
