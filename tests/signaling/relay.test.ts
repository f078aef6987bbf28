import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SignalingServer } from '../../signaling/server.js';
import { TestClient, metric, rejected, startNode, until, wsUrl } from '../helpers/node.js';

describe('y-webrtc signaling protocol', () => {
  let node: SignalingServer;
  const clients: TestClient[] = [];
  const connect = async (): Promise<TestClient> => {
    const client = await TestClient.connect(wsUrl(node));
    clients.push(client);
    return client;
  };

  beforeEach(async () => {
    node = await startNode();
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await node.close();
  });

  it('relays a publish to every subscriber, the sender included, with the subscriber count', async () => {
    const [alice, bob, carol] = [await connect(), await connect(), await connect()];
    alice.subscribe('room-1');
    bob.subscribe('room-1');
    carol.subscribe('room-2');
    await Promise.all([alice.roundTrip(), bob.roundTrip(), carol.roundTrip()]);

    alice.publish('room-1', { type: 'announce', from: 'alice' });
    const expected = { type: 'publish', topic: 'room-1', data: { type: 'announce', from: 'alice' }, clients: 2 };
    expect(await bob.waitFor((frame) => frame.type === 'publish')).toEqual(expected);
    expect(await alice.waitFor((frame) => frame.type === 'publish')).toEqual(expected);
    await carol.roundTrip();
    expect(carol.received.filter((frame) => frame.type === 'publish')).toEqual([]);
  });

  it('answers ping with pong', async () => {
    const client = await connect();
    client.send({ type: 'ping' });
    expect(await client.waitFor((frame) => frame.type === 'pong')).toEqual({ type: 'pong' });
  });

  it('stops relaying to a client after it unsubscribes, and forgets empty topics', async () => {
    const [alice, bob] = [await connect(), await connect()];
    alice.subscribe('room');
    bob.subscribe('room');
    await Promise.all([alice.roundTrip(), bob.roundTrip()]);
    expect(node.stats.connectionsAccepted).toBe(2);

    bob.send({ type: 'unsubscribe', topics: ['room'] });
    await bob.roundTrip();
    alice.publish('room', 'hello');
    const relayed = await alice.waitFor((frame) => frame.type === 'publish');
    expect(relayed.clients).toBe(1);
    await bob.roundTrip();
    expect(bob.received.filter((frame) => frame.type === 'publish')).toEqual([]);

    alice.send({ type: 'unsubscribe', topics: ['room'] });
    await alice.roundTrip();
    expect(await metric(node, 'parley_topics')).toBe(0);
  });

  it('drops a publish to a topic the sender has not subscribed to, and counts it', async () => {
    const [member, stranger] = [await connect(), await connect()];
    member.subscribe('private-room');
    await member.roundTrip();
    stranger.publish('private-room', { forged: true });
    await stranger.roundTrip();
    await member.roundTrip();
    expect(member.received.filter((frame) => frame.type === 'publish')).toEqual([]);
    expect(await metric(node, rejected('not_subscribed'))).toBe(1);
  });

  it('removes a closed connection from its topics', async () => {
    const [alice, bob] = [await connect(), await connect()];
    alice.subscribe('room');
    bob.subscribe('room');
    await Promise.all([alice.roundTrip(), bob.roundTrip()]);
    bob.close();
    await until(async () => (await metric(node, 'parley_connections')) === 1, 5000, 'bob to be gone');
    alice.publish('room', 'anyone?');
    expect((await alice.waitFor((frame) => frame.type === 'publish')).clients).toBe(1);
  });

  it('counts frames in and frames out', async () => {
    const [alice, bob] = [await connect(), await connect()];
    alice.subscribe('room');
    bob.subscribe('room');
    await bob.roundTrip();
    alice.publish('room', 1);
    await bob.waitFor((frame) => frame.type === 'publish');
    await alice.waitFor((frame) => frame.type === 'publish');
    // in: 2 subscribes, 1 ping, 1 publish; out: 1 pong, the publish to both subscribers.
    expect(await metric(node, 'parley_frames_in_total')).toBe(4);
    expect(await metric(node, 'parley_frames_out_total')).toBe(3);
  });

  it('relays payloads of every WebSocket length class intact, in order', async () => {
    await node.close();
    node = await startNode({ maxFrameBytes: 256 * 1024 });
    const [alice, bob] = [await connect(), await connect()];
    alice.subscribe('room');
    bob.subscribe('room');
    await Promise.all([alice.roundTrip(), bob.roundTrip()]);
    // 7-bit, 16-bit and 64-bit length headers, with multi-byte UTF-8 so bytes and characters differ.
    const payloads = ['é', 'ש'.repeat(60), 'x'.repeat(125), '日本'.repeat(20_000), 'y'.repeat(70_000)];
    for (const payload of payloads) alice.publish('room', payload);
    await until(() => bob.received.filter((frame) => frame.type === 'publish').length === payloads.length, 5000, 'all payloads');
    expect(bob.received.filter((frame) => frame.type === 'publish').map((frame) => frame.data)).toEqual(payloads);
  });
});
