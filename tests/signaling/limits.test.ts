import { afterEach, describe, expect, it } from 'vitest';
import { connect as connectTcp } from 'node:net';
import type { ClientOptions } from 'ws';
import type { SignalingServer, SignalingServerOptions } from '../../signaling/server.js';
import { TestClient, metric, refused, rejected, startNode, until, wsUrl } from '../helpers/node.js';

let node: SignalingServer | undefined;
const clients: TestClient[] = [];
async function boot(options: SignalingServerOptions): Promise<SignalingServer> {
  node = await startNode(options);
  return node;
}
async function join(server: SignalingServer, options: ClientOptions = {}): Promise<TestClient> {
  const client = await TestClient.connect(wsUrl(server), options);
  clients.push(client);
  return client;
}
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await node?.close();
  node = undefined;
});

describe('limits', () => {
  it('closes a connection that sends a frame over MAX_FRAME_BYTES with 1009 and counts it', async () => {
    const server = await boot({ maxFrameBytes: 1024 });
    const client = await join(server);
    client.send({ type: 'ping', padding: 'x'.repeat(2000) });
    expect((await client.closed).code).toBe(1009);
    await until(async () => (await metric(server, rejected('oversized'))) === 1, 5000, 'oversized count');
    const fine = await join(server);
    await fine.roundTrip();
  });

  it('accepts at most MAX_TOPICS_PER_CONNECTION topics on one connection', async () => {
    const server = await boot({ maxTopicsPerConnection: 3 });
    const client = await join(server);
    client.subscribe('a', 'b');
    client.subscribe('c', 'd', 'e');
    await client.roundTrip();
    expect(await metric(server, 'parley_topics')).toBe(3);
    expect(await metric(server, rejected('too_many_topics'))).toBe(1);
    client.publish('d', 'x');
    await client.roundTrip();
    expect(client.received.filter((frame) => frame.type === 'publish')).toEqual([]);
    // A single frame listing more topics than the limit is refused whole.
    client.send({ type: 'subscribe', topics: ['1', '2', '3', '4'] });
    await client.roundTrip();
    expect(await metric(server, rejected('too_many_topics'))).toBe(2);
  });

  it('refuses topics longer than MAX_TOPIC_LENGTH', async () => {
    const server = await boot({ maxTopicLength: 16 });
    const client = await join(server);
    client.subscribe('x'.repeat(17));
    client.publish('y'.repeat(17), 'data');
    client.subscribe('x'.repeat(16));
    await client.roundTrip();
    expect(await metric(server, rejected('topic_too_long'))).toBe(2);
    expect(await metric(server, 'parley_topics')).toBe(1);
  });

  it('admits at most MAX_SUBSCRIBERS_PER_TOPIC subscribers to one topic', async () => {
    const server = await boot({ maxSubscribersPerTopic: 2 });
    const [first, second, third] = [await join(server), await join(server), await join(server)];
    for (const client of [first, second, third]) {
      client.subscribe('room');
      await client.roundTrip();
    }
    expect(await metric(server, rejected('topic_full'))).toBe(1);
    first.publish('room', 'hi');
    expect((await first.waitFor((frame) => frame.type === 'publish')).clients).toBe(2);
    await third.roundTrip();
    expect(third.received.filter((frame) => frame.type === 'publish')).toEqual([]);
  });

  it('drops frames beyond the token bucket and lets the client continue once it refills', async () => {
    let clockMs = 0;
    const server = await boot({ rateLimitBurst: 10, rateLimitPerSecond: 2, now: () => clockMs });
    const [sender, listener] = [await join(server), await join(server)];
    listener.subscribe('room');
    await listener.roundTrip();
    sender.subscribe('room');
    for (let i = 0; i < 29; i++) sender.publish('room', i);
    // The burst is spent: 1 subscribe + 9 publishes got through, the rest were dropped.
    await until(async () => (await metric(server, 'parley_frames_in_total')) >= 32, 5000, 'frames to arrive');
    expect(await metric(server, rejected('rate_limited'))).toBe(20);
    const publishes = (): unknown[] => listener.received.filter((frame) => frame.type === 'publish').map((frame) => frame.data);
    await until(() => publishes().length >= 9, 5000, 'the first nine publishes');
    expect(publishes()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    sender.publish('room', 'still spent');
    await until(async () => (await metric(server, rejected('rate_limited'))) === 21, 5000, 'the frame over the limit');
    clockMs += 500; // 2 tokens/s: one refilled
    sender.publish('room', 'after the pause');
    await listener.waitFor((frame) => frame.data === 'after the pause');
    expect(publishes()).not.toContain('still spent');
  });

  it('refuses connections beyond MAX_CONNECTIONS_PER_IP with HTTP 429', async () => {
    const server = await boot({ maxConnectionsPerIp: 3 });
    await join(server);
    await join(server);
    const third = await join(server);
    await expect(TestClient.connect(wsUrl(server))).rejects.toThrow('HTTP 429');
    expect(await metric(server, refused('ip_limit'))).toBe(1);
    // Another address is not affected, and a closed connection frees its slot.
    const elsewhere = await join(server, { localAddress: '127.0.0.2' });
    await elsewhere.roundTrip();
    third.close();
    await until(async () => (await metric(server, 'parley_connections')) === 3, 5000, 'slot to free');
    await (await join(server)).roundTrip();
  });

  it('counts per-IP limits against the forwarded address only when TRUST_PROXY is on', async () => {
    const server = await boot({ maxConnectionsPerIp: 1, trustProxy: true });
    await join(server, { headers: { 'X-Forwarded-For': '203.0.113.7, 198.51.100.1' } });
    await join(server, { headers: { 'X-Forwarded-For': '198.51.100.2' } });
    await expect(TestClient.connect(wsUrl(server), { headers: { 'X-Forwarded-For': '198.51.100.2' } })).rejects.toThrow('HTTP 429');
  });

  it('counts IPv6 clients per /64, and IPv4-mapped clients as their IPv4 address', async () => {
    const server = await boot({ maxConnectionsPerIp: 2, trustProxy: true });
    const from = (address: string): ClientOptions => ({ headers: { 'X-Forwarded-For': address } });
    // Two addresses of one /64 take its two slots; a third address in it is refused.
    await join(server, from('2001:db8:1:2::1'));
    await join(server, from('2001:db8:1:2:ffff:ffff:ffff:fffe'));
    await expect(TestClient.connect(wsUrl(server), from('2001:db8:1:2:abcd::9'))).rejects.toThrow('HTTP 429');
    // The neighbouring /64 is someone else.
    await (await join(server, from('2001:db8:1:3::1'))).roundTrip();
    // An IPv4 client is the same client whether it arrives as IPv4 or IPv4-mapped IPv6.
    await join(server, from('198.51.100.7'));
    await join(server, from('::ffff:198.51.100.7'));
    await expect(TestClient.connect(wsUrl(server), from('198.51.100.7'))).rejects.toThrow('HTTP 429');
    await (await join(server, from('198.51.100.8'))).roundTrip();
    expect(await metric(server, refused('ip_limit'))).toBe(2);
  });

  it('refuses connections beyond MAX_CONNECTIONS with HTTP 503', async () => {
    const server = await boot({ maxConnections: 2 });
    await join(server, { localAddress: '127.0.0.3' });
    await join(server, { localAddress: '127.0.0.4' });
    await expect(TestClient.connect(wsUrl(server), { localAddress: '127.0.0.5' })).rejects.toThrow('HTTP 503');
    expect(await metric(server, refused('capacity'))).toBe(1);
  });

  it('accepts only allowed Origins, and clients that send none', async () => {
    const server = await boot({ allowedOrigins: ['https://chat.example.org'] });
    await (await join(server, { origin: 'https://chat.example.org' })).roundTrip();
    await (await join(server)).roundTrip();
    await expect(TestClient.connect(wsUrl(server), { origin: 'https://evil.example' })).rejects.toThrow('HTTP 403');
    expect(await metric(server, refused('origin'))).toBe(1);
  });

  it('closes a receiver that stops reading once MAX_BUFFERED_BYTES are queued for it', async () => {
    const server = await boot({ maxBufferedBytes: 64 * 1024, rateLimitBurst: 1000, rateLimitPerSecond: 1000, maxFrameBytes: 128 * 1024 });
    const { port } = server.address();
    // A raw client that completes the handshake, subscribes, then never reads again.
    const stalled = connectTcp({ host: '127.0.0.1', port });
    await new Promise<void>((resolve) => stalled.once('connect', () => resolve()));
    stalled.write(`GET /signal HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    await new Promise<void>((resolve) => stalled.once('data', () => resolve()));
    stalled.write(maskedTextFrame(JSON.stringify({ type: 'subscribe', topics: ['room'] })));
    stalled.pause();
    const sender = await join(server);
    sender.subscribe('room');
    await sender.roundTrip();
    const big = 'z'.repeat(60_000);
    for (let i = 0; i < 400 && (await metric(server, 'parley_connections_terminated_total{reason="slow_consumer"}')) === 0; i++) {
      sender.publish('room', big);
      if (i % 20 === 19) await sender.roundTrip();
    }
    expect(await metric(server, 'parley_connections_terminated_total{reason="slow_consumer"}')).toBe(1);
    await sender.roundTrip();
    stalled.destroy();
  });

  it('judges a slow consumer by what the kernel would not take, not by the frames of the current turn', async () => {
    const server = await boot({ maxBufferedBytes: 32 * 1024 });
    const [sender, friend] = [await join(server), await join(server)];
    sender.subscribe('pair');
    friend.subscribe('pair');
    await Promise.all([sender.roundTrip(), friend.roundTrip()]);
    // 60 KB written at once reach the node in one read, and are queued for both receivers in one
    // turn: more than MAX_BUFFERED_BYTES, but they leave at its end and both read them at once.
    for (let i = 0; i < 6; i++) sender.publish('pair', `${i}:${'z'.repeat(10_000)}`);
    await sender.roundTrip();
    await friend.roundTrip();
    expect(friend.received.filter((frame) => frame.type === 'publish')).toHaveLength(6);
    expect(await metric(server, 'parley_connections_terminated_total{reason="slow_consumer"}')).toBe(0);
  });
});

/** A client-to-server text frame (clients must mask), for payloads under 64 KiB. */
function maskedTextFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = Buffer.from([1, 2, 3, 4]);
  const header = payload.length < 126 ? Buffer.from([0x81, 0x80 | payload.length]) : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 255]);
  const masked = Buffer.from(payload.map((byte, i) => byte ^ (mask[i % 4] ?? 0)));
  return Buffer.concat([header, mask, masked]);
}
