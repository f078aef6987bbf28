import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect as connectTcp } from 'node:net';
import { WebSocket } from 'ws';
import type { SignalingServer } from '../../signaling/server.js';
import { REJECT_REASONS } from '../../signaling/protocol.js';
import { TestClient, metric, refused, rejected, startNode as startPlainNode, until, wsUrl } from '../helpers/node.js';
import { createFrameFuzzer } from './fuzz-frames.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';

let node: SignalingServer | undefined;
/** With Redis on: the second node of the honest pair, so every check crosses Redis. */
let otherNode: SignalingServer | undefined;
const clients: TestClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await node?.close();
  await otherNode?.close();
  node = undefined;
  otherNode = undefined;
});

async function join(server: SignalingServer, localAddress?: string): Promise<TestClient> {
  const client = await TestClient.connect(wsUrl(server), localAddress ? { localAddress } : {});
  clients.push(client);
  return client;
}

/** Two honest members of a room, Bob on `bobsNode`; `check` proves they still talk to each other. */
async function honestPair(server: SignalingServer, bobsNode: SignalingServer = server): Promise<{ check(tag: string): Promise<void> }> {
  const [alice, bob] = [await join(server, '127.0.1.1'), await join(bobsNode, '127.0.1.2')];
  alice.subscribe('honest-room');
  bob.subscribe('honest-room');
  await Promise.all([alice.roundTrip(), bob.roundTrip()]);
  return {
    async check(tag) {
      alice.publish('honest-room', { from: 'alice', tag });
      bob.publish('honest-room', { from: 'bob', tag });
      await bob.waitFor((frame) => JSON.stringify(frame.data) === JSON.stringify({ from: 'alice', tag }));
      await alice.waitFor((frame) => JSON.stringify(frame.data) === JSON.stringify({ from: 'bob', tag }));
    },
  };
}

/** What the protocol itself says about a frame, independently of the node's parser. */
function classify(frame: { payload: string | Buffer; binary: boolean }): 'binary' | 'invalid_json' | 'not_object' | null {
  if (frame.binary) return 'binary';
  let parsed: unknown;
  try {
    parsed = JSON.parse(String(frame.payload));
  } catch {
    return 'invalid_json';
  }
  return typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) ? 'not_object' : null;
}

async function totalRejected(server: SignalingServer): Promise<number> {
  let sum = 0;
  for (const reason of REJECT_REASONS) sum += await metric(server, rejected(reason));
  return sum;
}

// The corpus once on a node alone, and once with Redis on: the attacker's node shares Redis with the
// honest pair's second node, so what the corpus does could reach Redis if the parser let it. (The
// seeded fuzz with Redis on is in scale-out.test.ts, where MONITOR watches what reaches Redis.)
describe.each([
  { label: 'a node alone', withRedis: false },
  { label: 'with Redis on, the honest pair on two nodes', withRedis: true },
])('malformed input, $label', ({ withRedis }) => {
  let redis: RedisServer | undefined;
  beforeAll(async () => {
    if (withRedis) redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  const startNode = (options: Parameters<typeof startPlainNode>[0] = {}): Promise<SignalingServer> => startPlainNode(redis === undefined ? options : { ...options, redisUrl: redis.url });
  /** The honest pair: on `server` alone, or across `server` and a second node sharing Redis. */
  const honestPairFor = async (server: SignalingServer) => honestPair(server, redis === undefined ? server : (otherNode = await startNode()));
  it('survives a corpus of malformed frames, counting each, while honest clients keep talking', async () => {
    const server = (node = await startNode());
    const honest = await honestPairFor(server);
    const attacker = await join(server);
    const corpus: Array<[frame: string, reason: string]> = [
      ['{"type":"subscribe"', 'invalid_json'],
      ['', 'invalid_json'],
      ['\u0000\u0001', 'invalid_json'],
      ['null', 'not_object'],
      ['[1,2,3]', 'not_object'],
      ['"publish"', 'not_object'],
      ['42', 'not_object'],
      ['{}', 'bad_field'],
      ['{"type":7}', 'bad_field'],
      ['{"type":"hello"}', 'unknown_type'],
      ['{"type":"__proto__"}', 'unknown_type'],
      ['{"type":"subscribe","topics":"room"}', 'bad_field'],
      ['{"type":"subscribe","topics":[1,2]}', 'bad_field'],
      ['{"type":"subscribe","topics":[""]}', 'bad_field'],
      ['{"type":"unsubscribe","topics":{"0":"room"}}', 'bad_field'],
      ['{"type":"publish","topic":5,"data":1}', 'bad_field'],
      ['{"type":"publish","topic":"honest-room"}', 'bad_field'],
      ['{"type":"publish","topic":"honest-room","data":"forged"}', 'not_subscribed'],
      // Both just under MAX_FRAME_BYTES (16 KiB).
      [JSON.stringify({ type: 'subscribe', topics: Array.from({ length: 1_200 }, (_, i) => `flood-${i}`) }), 'too_many_topics'],
      [`{"type":"publish","topic":"x","data":${'['.repeat(8_000)}${']'.repeat(8_000)}}`, 'not_subscribed'],
    ];
    for (const [frame] of corpus) attacker.send(frame);
    attacker.socket.send(Buffer.from([0xde, 0xad, 0xbe, 0xef]), { binary: true });
    attacker.socket.send(Buffer.from('{"type":"ping"}'), { binary: true });
    // Topic flood one frame at a time: the first 32 subscribe, the rest are refused.
    for (let i = 0; i < 100; i++) attacker.subscribe(`topic-flood-${i}`);
    await attacker.roundTrip();

    const expected = new Map<string, number>([['binary', 2]]);
    for (const [, reason] of corpus) expected.set(reason, (expected.get(reason) ?? 0) + 1);
    expected.set('too_many_topics', (expected.get('too_many_topics') ?? 0) + 68);
    for (const [reason, count] of expected) expect.soft(await metric(server, rejected(reason)), reason).toBe(count);
    expect(await metric(server, 'parley_topics')).toBe(33);
    await honest.check('after corpus');
    // What crossed Redis to Bob's node was all well formed: only the honest checks.
    if (withRedis) expect(otherNode?.cluster?.stats.messages.malformed).toBe(0);

    // Frames ws itself refuses close only the offending connection.
    const oversized = await join(server);
    oversized.send('x'.repeat(70_000));
    expect((await oversized.closed).code).toBe(1009);
    const badUtf8 = await join(server);
    badUtf8.socket.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    expect((await badUtf8.closed).code).toBe(1007);
    await until(async () => (await metric(server, rejected('oversized'))) === 1 && (await metric(server, rejected('invalid_utf8'))) === 1, 5000, 'ws-level rejections');
    await honest.check('after ws-level rejections');
  });

});

describe('malformed input', () => {
  const startNode = startPlainNode;
  const honestPairFor = (server: SignalingServer) => honestPair(server);

  it('refuses thousands of connections from one address beyond the per-IP limit, serving others', async () => {
    const server = (node = await startNode());
    const honest = await honestPairFor(server);
    const attempts = await Promise.allSettled(
      Array.from({ length: 2000 }, () => new Promise<WebSocket>((resolve, reject) => {
        const socket = new WebSocket(wsUrl(server), { localAddress: '127.0.2.1' });
        socket.once('open', () => resolve(socket));
        socket.once('error', reject);
      })),
    );
    const opened = attempts.flatMap((attempt) => (attempt.status === 'fulfilled' ? [attempt.value] : []));
    expect(opened.length).toBe(64);
    expect(await metric(server, refused('ip_limit'))).toBe(2000 - 64);
    await honest.check('during connection flood');
    for (const socket of opened) socket.terminate();
  });

  it('answers garbage and wrong-path handshakes with HTTP errors', async () => {
    const server = (node = await startNode());
    const { port } = server.address();
    const raw = async (request: string): Promise<string> => {
      const socket = connectTcp({ host: '127.0.0.1', port });
      socket.write(request);
      let reply = '';
      for await (const chunk of socket) reply += String(chunk);
      return reply;
    };
    expect(await raw('\u0016\u0003\u0001garbage\r\n\r\n')).toMatch(/^HTTP\/1.1 400/);
    expect(await raw('GET /elsewhere HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n')).toMatch(/^HTTP\/1.1 404/);
    expect(await raw('GET /signal HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: short\r\nSec-WebSocket-Version: 13\r\n\r\n')).toMatch(/^HTTP\/1.1 400/);
    expect(await metric(server, refused('bad_path'))).toBe(1);
    expect(await metric(server, refused('handshake'))).toBe(1);
  });

  it('survives 100,000 seeded random frames and accounts for every one of them', async () => {
    // The token bucket would drop most of a burst before parsing; raise it so the parser sees every frame.
    const server = (node = await startNode({ rateLimitBurst: 1_000_000, rateLimitPerSecond: 1_000_000 }));
    const honest = await honestPairFor(server);
    const next = createFrameFuzzer(20261124);
    const fuzzers = await Promise.all(Array.from({ length: 4 }, (_, i) => join(server, `127.0.3.${i + 1}`)));
    const expected = { binary: 0, invalid_json: 0, not_object: 0 };
    const FRAMES = 100_000;
    for (let i = 0; i < FRAMES; i++) {
      const frame = next();
      const fuzzer = fuzzers[i % fuzzers.length] as TestClient;
      fuzzer.socket.send(frame.payload, { binary: frame.binary });
      const kind = classify(frame);
      if (kind) expected[kind]++;
      if (i % 10_000 === 9_999) await honest.check(`fuzz ${i}`);
      // Let the fuzzers read what is relayed to them, or the node rightly drops them as slow consumers.
      else if (i % 500 === 499) await new Promise((resolve) => setImmediate(resolve));
    }
    await honest.check('after fuzz');
    const honestFrames = 2 + 2 + 2 * 11; // subscribes, pings, checks
    // The fuzz itself holds valid pings, so a pong proves nothing: wait for the count instead.
    await until(async () => (await metric(server, 'parley_frames_in_total')) >= FRAMES + honestFrames, 20_000, 'every frame to arrive');
    expect(await metric(server, 'parley_frames_in_total')).toBe(FRAMES + honestFrames);
    expect(await metric(server, rejected('binary'))).toBe(expected.binary);
    expect(await metric(server, rejected('invalid_json'))).toBe(expected.invalid_json);
    expect(await metric(server, rejected('not_object'))).toBe(expected.not_object);
    expect(await metric(server, rejected('protocol_error'))).toBe(0);
    expect(await totalRejected(server)).toBeGreaterThan(FRAMES / 2);
    expect(fuzzers.every((fuzzer) => fuzzer.socket.readyState === WebSocket.OPEN)).toBe(true);
    expect(await metric(server, 'parley_connections_terminated_total{reason="slow_consumer"}')).toBe(0);
  });
});
