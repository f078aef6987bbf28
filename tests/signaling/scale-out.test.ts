/**
 * Several nodes sharing one real redis-server (started here on a free loopback port): topics
 * across nodes, subscriber counts, channels per room, Redis going away and coming back, a node
 * leaving, and what a hostile client or a hostile writer to Redis can do.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { SignalingServer, SignalingServerOptions } from '../../signaling/server.js';
import { channelOf, encodePublishEnvelope } from '../../signaling/cluster-envelope.js';
import { TestClient, httpGet, metric, startNode, until, wsUrl } from '../helpers/node.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { createFrameFuzzer } from './fuzz-frames.js';

let redis: RedisServer;
const nodes: SignalingServer[] = [];
const clients: TestClient[] = [];
const connections: Redis[] = [];

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const connection of connections.splice(0)) connection.disconnect();
  await Promise.all(nodes.splice(0).map((node) => node.close()));
});

async function clusterNode(options: SignalingServerOptions = {}): Promise<SignalingServer> {
  const node = await startNode({ redisUrl: redis.url, ...options });
  nodes.push(node);
  await until(() => node.cluster?.redisUp() === true, 10_000, 'the node to reach Redis');
  return node;
}

async function member(node: SignalingServer, topic: string): Promise<TestClient> {
  const client = await TestClient.connect(wsUrl(node));
  clients.push(client);
  client.subscribe(topic);
  await client.roundTrip();
  return client;
}

function redisClient(): Redis {
  const connection = redis.client();
  connections.push(connection);
  return connection;
}

/** Waits until every node counts `total` subscribers of `topic`, its own and the others'. */
async function counted(topic: string, total: number, among: readonly SignalingServer[]): Promise<void> {
  await until(() => among.every((node) => {
    const cluster = node.cluster;
    return cluster !== undefined && cluster.remoteCount(topic) + localCount(node, topic) === total;
  }), 10_000, `${total} subscribers of ${topic} counted on every node`);
}

/** A node's own subscribers of a topic, from what it publishes: known to the test via its clients. */
const locals = new Map<SignalingServer, Map<string, number>>();
const localCount = (node: SignalingServer, topic: string): number => locals.get(node)?.get(topic) ?? 0;
async function members(node: SignalingServer, topic: string, count: number): Promise<TestClient[]> {
  const joined = await Promise.all(Array.from({ length: count }, () => member(node, topic)));
  if (!locals.has(node)) locals.set(node, new Map());
  locals.get(node)?.set(topic, localCount(node, topic) + count);
  return joined;
}
afterEach(() => locals.clear());

const publishesOf = (client: TestClient, tag: string) => client.received.filter((frame) => frame.type === 'publish' && (frame.data as { tag?: unknown } | null)?.tag === tag);

describe('nodes sharing Redis', () => {
  it('delivers a publish to every subscriber on every node exactly once, the sender included, with clients counted across nodes', async () => {
    const [one, two, three] = [await clusterNode({ nodeId: 'one' }), await clusterNode({ nodeId: 'two' }), await clusterNode({ nodeId: 'three' })];
    const topic = 'room-exactly-once';
    const everyone = [...(await members(one, topic, 2)), ...(await members(two, topic, 1)), ...(await members(three, topic, 3))];
    await counted(topic, 6, [one, two, three]);
    const sender = everyone[0] as TestClient;
    sender.publish(topic, { tag: 'hello' });
    // Then a fence from each node: a channel is FIFO per publisher, so once every member has every
    // fence, any second copy of "hello" would already be there.
    for (const [i, client] of [everyone[1], everyone[2], everyone[3]].entries()) client?.publish(topic, { tag: `fence-${i}` });
    for (const client of everyone) for (let i = 0; i < 3; i++) await client.waitFor((frame) => (frame.data as { tag?: unknown } | null)?.tag === `fence-${i}`, 10_000);
    await until(() => (one.cluster?.stats.messages.own_echo ?? 0) >= 1, 5_000, 'the sender node to see its own echo');
    for (const client of everyone) {
      const got = publishesOf(client, 'hello');
      expect(got).toHaveLength(1);
      expect(got[0]?.clients).toBe(6);
    }
    expect(one.cluster?.stats.messages.own_echo).toBeGreaterThanOrEqual(1);
  });

  it('carries a newcomer\'s first publish across at once, before its node has heard who else is there', async () => {
    const [one, two] = [await clusterNode(), await clusterNode()];
    const topic = 'room-first-announce';
    const [alice] = await members(one, topic, 1);
    for (let i = 0; i < 5; i++) {
      // Subscribe and announce in one go, as a joining y-webrtc client does.
      const newcomer = await TestClient.connect(wsUrl(two));
      clients.push(newcomer);
      newcomer.subscribe(topic);
      newcomer.publish(topic, { tag: `announce-${i}` });
      await alice?.waitFor((frame) => (frame.data as { tag?: unknown } | null)?.tag === `announce-${i}`, 5_000);
      newcomer.close();
      await until(() => two.cluster?.channels() === 0, 5_000, 'node two to leave the room');
    }
  });

  it('subscribes a node to a room only while it has a member there, with sharded pub/sub on Redis 7', async () => {
    const [one, two] = [await clusterNode(), await clusterNode()];
    const admin = redisClient();
    const topic = 'room-channels';
    const shardSubscribers = async (): Promise<number> => {
      const reply = (await admin.call('PUBSUB', 'SHARDNUMSUB', channelOf(topic))) as [string, number];
      return Number(reply[1]);
    };
    expect(await shardSubscribers()).toBe(0);
    const [alice] = await members(one, topic, 1);
    await until(async () => (await shardSubscribers()) === 1, 5_000, 'one node subscribed');
    const [bob] = await members(two, topic, 1);
    await until(async () => (await shardSubscribers()) === 2, 5_000, 'both nodes subscribed');
    await counted(topic, 2, [one, two]);
    expect(await metric(one, 'parley_redis_channels')).toBe(1);
    // A member of another room on one node makes one more channel there, none on the other.
    await member(one, 'room-elsewhere');
    await until(async () => (await metric(one, 'parley_redis_channels')) === 2, 5_000, 'a second channel on node one');
    expect(await metric(two, 'parley_redis_channels')).toBe(1);

    bob?.close();
    await until(async () => (await shardSubscribers()) === 1, 5_000, 'node two to leave the channel');
    await until(() => one.cluster?.remoteCount(topic) === 0, 5_000, 'node one to count nobody elsewhere');
    alice?.publish(topic, { tag: 'alone' });
    await alice?.waitFor((frame) => (frame.data as { tag?: unknown } | null)?.tag === 'alone');
    expect(publishesOf(alice as TestClient, 'alone')[0]?.clients).toBe(1);
  });

  it('a node shutting down tells the others at once and leaves its channels', async () => {
    const [one, two] = [await clusterNode(), await clusterNode()];
    const topic = 'room-shutdown';
    const [alice] = await members(one, topic, 1);
    await members(two, topic, 2);
    await counted(topic, 3, [one, two]);
    await two.close();
    // Told by the closing node, not learnt from its liveness key expiring 15 s later.
    await until(() => one.cluster?.remoteCount(topic) === 0, 3_000, 'node one to hear node two left');
    const reply = (await redisClient().call('PUBSUB', 'SHARDNUMSUB', channelOf(topic))) as [string, number];
    expect(Number(reply[1])).toBe(1);
    expect(await redisClient().exists(`parley:1:node:${two.nodeId}`)).toBe(0);
    alice?.publish(topic, { tag: 'after' });
    await alice?.waitFor((frame) => (frame.data as { tag?: unknown } | null)?.tag === 'after');
  });

  it('keeps serving local rooms while Redis is down, says so, counts lost publishes, and resubscribes when it is back', async () => {
    const [one, two] = [await clusterNode(), await clusterNode()];
    const topic = 'room-outage';
    const [alice, carol] = await members(one, topic, 2);
    const [bob] = await members(two, topic, 1);
    await counted(topic, 3, [one, two]);

    await redis.stop();
    await until(() => one.cluster?.redisUp() === false && two.cluster?.redisUp() === false, 10_000, 'both nodes to see Redis gone');
    const health = JSON.parse((await httpGet(`${one.url()}/healthz`)).body) as { status: string; redis: string };
    expect(health).toMatchObject({ status: 'degraded', redis: 'down' });
    expect(await metric(one, 'parley_redis_up')).toBe(0);
    // Members on the same node still reach each other; what was meant for node two is lost, and counted.
    alice?.publish(topic, { tag: 'during' });
    await carol?.waitFor((frame) => (frame.data as { tag?: unknown } | null)?.tag === 'during');
    await until(async () => (await metric(one, 'parley_redis_publishes_lost_total')) >= 1, 5_000, 'the lost publish to be counted');
    expect(publishesOf(bob as TestClient, 'during')).toHaveLength(0);

    await redis.start();
    await until(() => one.cluster?.redisUp() === true && two.cluster?.redisUp() === true, 20_000, 'both nodes back on Redis');
    await counted(topic, 3, [one, two]);
    // Resubscribed: across nodes again, both ways.
    alice?.publish(topic, { tag: 'after-1' });
    await bob?.waitFor((frame) => (frame.data as { tag?: unknown } | null)?.tag === 'after-1', 10_000);
    bob?.publish(topic, { tag: 'after-2' });
    await alice?.waitFor((frame) => (frame.data as { tag?: unknown } | null)?.tag === 'after-2', 10_000);
    expect(JSON.parse((await httpGet(`${one.url()}/healthz`)).body)).toMatchObject({ status: 'ok', redis: 'up' });
    expect(await metric(one, 'parley_redis_reconnects_total')).toBeGreaterThanOrEqual(1);
  });

  it('drops and counts malformed messages written straight into Redis, and keeps working', async () => {
    const [one, two] = [await clusterNode({ nodeId: 'one' }), await clusterNode({ nodeId: 'two' })];
    const topic = 'room-injected';
    const [alice] = await members(one, topic, 1);
    const [bob] = await members(two, topic, 1);
    await counted(topic, 2, [one, two]);
    const writer = redisClient();
    const corpus = [
      '', 'p', 'p|', 'p||1|{}', 'p|bad node!|1|{}', 'p|x|-1|{}', 'p|x|1e3|{}', 'p|x|99999999|{}', 'p|x|1|', 'p|x|1|{"a":', 'p|x|1|{}}',
      'p|x|1|{"a":1}, "type": "pong"', 'c|x|1|extra', 'z|x|1|', 'p|x|01|{}', 'p|' + 'n'.repeat(65) + '|1|{}', `p|x|1|"${'a'.repeat(20_000)}"`,
      '\u0000\u0001\u0002', '{"type":"publish","topic":"room-injected","data":{}}', 'p|x|1|\ud800',
    ];
    for (const message of corpus) await writer.spublish(channelOf(topic), message);
    // A channel of ours with a topic too long to be one, and a forged node name flood.
    await writer.spublish(channelOf('t'.repeat(300)), encodePublishEnvelope('x', 1, '{}'));
    for (let i = 0; i < 70; i++) await writer.spublish(channelOf(topic), `c|ghost-${i}|1|`);
    await until(() => (one.cluster?.stats.messages.malformed ?? 0) >= corpus.length, 5_000, 'node one to drop the corpus');
    expect(one.cluster?.stats.messages.malformed).toBe(corpus.length);
    expect(two.cluster?.stats.messages.malformed).toBe(corpus.length);
    // At most 64 other nodes per topic are believed; the rest are refused and counted (fewer if the
    // liveness check forgot some ghosts meanwhile: they have no liveness key).
    expect(one.cluster?.stats.messages.too_many_nodes).toBeGreaterThan(0);
    expect(one.cluster?.remoteCount(topic)).toBeLessThanOrEqual(64);
    expect(await metric(one, 'parley_redis_messages_total{result="malformed"}')).toBe(corpus.length);
    // Nothing of it reached a member, and the room still works both ways.
    alice?.publish(topic, { tag: 'still' });
    await bob?.waitFor((frame) => (frame.data as { tag?: unknown } | null)?.tag === 'still', 5_000);
    const nonPublish = (client: TestClient | undefined) => (client?.received ?? []).filter((frame) => frame.type !== 'publish' && frame.type !== 'pong');
    expect(nonPublish(alice)).toEqual([]);
    expect(nonPublish(bob)).toEqual([]);
    expect(publishesOf(bob as TestClient, 'still')).toHaveLength(1);
  });

  it('counts a room\'s members on every node against MAX_SUBSCRIBERS_PER_TOPIC', async () => {
    const [one, two] = [await clusterNode({ maxSubscribersPerTopic: 3 }), await clusterNode({ maxSubscribersPerTopic: 3 })];
    const topic = 'room-full';
    await members(one, topic, 2);
    const [bob] = await members(two, topic, 1);
    await counted(topic, 3, [one, two]);
    const late = await member(two, topic);
    expect(await metric(two, 'parley_frames_rejected_total{reason="topic_full"}')).toBe(1);
    // Not subscribed, so not a member: it cannot publish there, and the others never hear it.
    late.publish(topic, { tag: 'gatecrash' });
    await late.roundTrip();
    expect(await metric(two, 'parley_frames_rejected_total{reason="not_subscribed"}')).toBe(1);
    bob?.publish(topic, { tag: 'members' });
    await bob?.waitFor((frame) => (frame.data as { tag?: unknown } | null)?.tag === 'members');
    expect(publishesOf(bob as TestClient, 'members')[0]?.clients).toBe(3);
  });

  it('says so when two nodes run with the same NODE_ID', { timeout: 30_000 }, async () => {
    const [one, two] = [await clusterNode({ nodeId: 'copied' }), await clusterNode({ nodeId: 'copied' })];
    await until(async () => (await metric(one, 'parley_node_id_conflict')) === 1 || (await metric(two, 'parley_node_id_conflict')) === 1, 20_000, 'a node to notice');
    const health = await Promise.all([one, two].map(async (node) => JSON.parse((await httpGet(`${node.url()}/healthz`)).body) as { status: string; nodeIdInUse?: boolean }));
    expect(health.some((body) => body.status === 'degraded' && body.nodeIdInUse === true)).toBe(true);
    // A node with its own name next to them is fine.
    const three = await clusterNode({ nodeId: 'unique' });
    expect(JSON.parse((await httpGet(`${three.url()}/healthz`)).body)).toMatchObject({ status: 'ok', node: 'unique', redis: 'up' });
  });

  it('holds a node-wide budget on bytes from Redis', async () => {
    const one = await clusterNode({ redisBytesPerSecond: 10_000 });
    const topic = 'room-budget';
    const [alice] = await members(one, topic, 1);
    const writer = redisClient();
    const data = JSON.stringify({ tag: 'flood', pad: 'x'.repeat(1000) });
    for (let i = 0; i < 100; i++) await writer.spublish(channelOf(topic), encodePublishEnvelope('flooder', 1, data));
    await until(() => (one.cluster?.stats.messages.over_budget ?? 0) + (one.cluster?.stats.messages.delivered ?? 0) === 100, 5_000, 'every message judged');
    // A burst of two seconds' worth (20 kB) passes, about 19 messages; the rest are dropped and counted.
    expect(one.cluster?.stats.messages.delivered).toBeLessThan(25);
    expect(one.cluster?.stats.messages.over_budget).toBeGreaterThan(75);
    expect(publishesOf(alice as TestClient, 'flood').length).toBe(one.cluster?.stats.messages.delivered);
  });

  it('lets nothing the parser refused reach Redis, under the frame fuzz', async () => {
    const [one, two] = [await clusterNode({ rateLimitBurst: 1_000_000, rateLimitPerSecond: 1_000_000 }), await clusterNode()];
    const monitor = redisClient();
    const published: string[] = [];
    const watching = await monitor.monitor();
    watching.on('monitor', (_time: string, args: string[]) => {
      if (args[0]?.toLowerCase() === 'spublish' && args[1]?.startsWith(channelOf('t'))) published.push(unescapeMonitor(args[2] ?? ''));
    });
    // The fuzz uses topics t0..t49: a member of each on node two makes node one publish them over Redis.
    const listener = await TestClient.connect(wsUrl(two));
    clients.push(listener);
    listener.subscribe(...Array.from({ length: 32 }, (_, i) => `t${i}`));
    await listener.roundTrip();
    const fuzzers = await Promise.all(Array.from({ length: 2 }, () => TestClient.connect(wsUrl(one))));
    clients.push(...fuzzers);
    for (const fuzzer of fuzzers) {
      fuzzer.subscribe(...Array.from({ length: 32 }, (_, i) => `t${i}`));
      await fuzzer.roundTrip();
    }
    await until(() => one.cluster?.remoteCount('t0') === 1, 10_000, 'node one to count node two in t0');
    const next = createFrameFuzzer(20261202);
    // What could pass as a publish, judged here without the node's parser: a JSON object of type
    // publish with a string topic and some data. Anything else must never reach Redis.
    const couldPass = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const frame = next();
      (fuzzers[i % 2] as TestClient).socket.send(frame.payload, { binary: frame.binary });
      const candidate = frame.binary ? undefined : tryParse(String(frame.payload));
      if (typeof candidate === 'object' && candidate !== null && !Array.isArray(candidate)) {
        const fields = candidate as Record<string, unknown>;
        if (fields['type'] === 'publish' && typeof fields['topic'] === 'string' && fields['data'] !== undefined) couldPass.add(JSON.stringify(fields['data']));
      }
      if (i % 500 === 499) await new Promise((resolve) => setImmediate(resolve));
    }
    for (const fuzzer of fuzzers) await fuzzer.roundTrip();
    await until(() => (one.cluster?.stats.publishesSent ?? 0) >= published.filter((message) => message.startsWith('p|')).length && published.length > 0, 5_000, 'publishes answered');
    const envelopes = published.filter((message) => message.startsWith('p|'));
    expect(envelopes.length).toBeGreaterThan(0);
    for (const message of envelopes) {
      const data = message.slice(message.indexOf('|', message.indexOf('|', 2) + 1) + 1);
      expect(couldPass.has(data), `relayed ${data.slice(0, 80)}`).toBe(true);
    }
    expect(envelopes.length).toBeLessThanOrEqual((await metric(one, 'parley_frames_in_total')) - (await sumRejected(one)));
    // Node two relayed them to its member; neither node was hurt.
    expect(await metric(two, 'parley_redis_messages_total{result="malformed"}')).toBe(0);
    await listener.roundTrip();
  });
});

/** MONITOR shows arguments as C-style escaped bytes (\\xd9, \\", \\n); back to the UTF-8 text sent. */
function unescapeMonitor(text: string): string {
  const bytes: number[] = [];
  const named: Record<string, number> = { n: 10, r: 13, t: 9, a: 7, b: 8, '"': 34, '\\': 92 };
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string;
    if (char === '\\' && text[i + 1] === 'x') {
      bytes.push(parseInt(text.slice(i + 2, i + 4), 16));
      i += 3;
    } else if (char === '\\' && named[text[i + 1] ?? ''] !== undefined) {
      bytes.push(named[text[i + 1] as string] as number);
      i += 1;
    } else bytes.push(...Buffer.from(char));
  }
  return Buffer.from(bytes).toString('utf8');
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function sumRejected(node: SignalingServer): Promise<number> {
  const text = await (await fetch(`${node.url()}/metrics`)).text();
  return text.split('\n').filter((line) => line.startsWith('parley_frames_rejected_total{')).reduce((sum, line) => sum + Number(line.split(' ')[1]), 0);
}
