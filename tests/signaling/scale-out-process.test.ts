/**
 * Nodes as processes, as a self-hoster runs them, sharing a real redis-server: a SIGKILLed node
 * leaves no ghost subscribers behind (its liveness key expires), and SIGTERM leaves at once.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SignalingServer } from '../../signaling/server.js';
import { NODE_TTL_MS } from '../../signaling/node-liveness.js';
import { TestClient, startNode, until } from '../helpers/node.js';
import { startNodeProcess, type NodeProcess } from '../helpers/node-process.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';

let redis: RedisServer;
let survivor: SignalingServer;
const processes: NodeProcess[] = [];
const clients: TestClient[] = [];

beforeAll(async () => {
  redis = await startRedis();
  survivor = await startNode({ redisUrl: redis.url, nodeId: 'survivor' });
  await until(() => survivor.cluster?.redisUp() === true, 10_000, 'the node on Redis');
});
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(processes.splice(0).map((node) => node.kill('SIGKILL')));
});
afterAll(async () => {
  await survivor.close();
  await redis.stop();
});

async function member(url: string, topic: string): Promise<TestClient> {
  const client = await TestClient.connect(`${url.replace(/^http/, 'ws')}/signal`);
  clients.push(client);
  client.subscribe(topic);
  await client.roundTrip();
  return client;
}

async function roomAcrossTwoNodes(topic: string, nodeId: string): Promise<{ other: NodeProcess; alice: TestClient }> {
  const other = await startNodeProcess({ REDIS_URL: redis.url, NODE_ID: nodeId });
  processes.push(other);
  const alice = await member(survivor.url(), topic);
  await member(other.url, topic);
  await member(other.url, topic);
  await until(() => survivor.cluster?.remoteCount(topic) === 2, 20_000, 'the survivor to count the two members on the other node');
  return { other, alice };
}

describe('node processes sharing Redis', () => {
  it('forgets the subscribers of a SIGKILLed node once its liveness key expires', { timeout: 90_000 }, async () => {
    const topic = 'room-killed-node';
    const { other, alice } = await roomAcrossTwoNodes(topic, 'doomed');
    expect(await other.kill('SIGKILL')).toBe('SIGKILL');
    // No farewell came: the count stays until the key's TTL runs out, then goes.
    expect(survivor.cluster?.remoteCount(topic)).toBe(2);
    await until(() => survivor.cluster?.remoteCount(topic) === 0, NODE_TTL_MS + 20_000, 'the dead node\'s subscribers to be forgotten');
    alice.publish(topic, { tag: 'alone now' });
    const frame = await alice.waitFor((received) => (received.data as { tag?: unknown } | null)?.tag === 'alone now');
    expect(frame.clients).toBe(1);
  });

  it('leaves at once on SIGTERM: exit 0, counts dropped everywhere, liveness key deleted', { timeout: 60_000 }, async () => {
    const topic = 'room-terminated-node';
    const { other } = await roomAcrossTwoNodes(topic, 'polite');
    const probe = redis.client();
    try {
      expect(await probe.exists('parley:1:node:polite')).toBe(1);
      expect(await other.kill('SIGTERM')).toBe(0);
      // Within a few seconds, far sooner than the 15 s a killed node takes.
      await until(() => survivor.cluster?.remoteCount(topic) === 0, 5_000, 'the survivor to hear the node left');
      expect(await probe.exists('parley:1:node:polite')).toBe(0);
      expect(other.output.join('')).toContain('"msg":"closed"');
    } finally {
      probe.disconnect();
    }
  });
});
