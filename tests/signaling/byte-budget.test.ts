/**
 * The delivered-bytes budget: each publish costs its frame's bytes × the subscribers it reaches,
 * from a second token bucket per connection, so one member cannot turn big frames into a flood
 * of the whole room. The node runs with its default limits on a clock moved by hand.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { defaultConfig } from '../../signaling/config.js';
import type { SignalingServer, SignalingServerOptions } from '../../signaling/server.js';
import { metric, rejected, startNode, until } from '../helpers/node.js';
import { FULL_ROOM, manualClock, subscribeMembers, type CountingMember } from './full-room.js';

const DEFAULTS = defaultConfig();
const slowConsumers = 'parley_connections_terminated_total{reason="slow_consumer"}';

let node: SignalingServer | undefined;
const clients: CountingMember[] = [];
async function boot(options: SignalingServerOptions): Promise<SignalingServer> {
  node = await startNode(options);
  return node;
}
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await node?.close();
  node = undefined;
});

/** A publish frame of exactly `bytes` bytes as sent, its data starting with `tag`. */
function publishOfSize(topic: string, tag: string, bytes: number): string {
  const bare = JSON.stringify({ type: 'publish', topic, data: tag });
  return JSON.stringify({ type: 'publish', topic, data: tag + '.'.repeat(bytes - bare.length) });
}

describe('delivered-bytes budget', () => {
  it('cuts a byte flood into a full room to the budget, while an honest member keeps getting through and nobody is cut off', async () => {
    const clock = manualClock();
    const server = await boot({ now: clock.now });
    const [attacker, honest, ...members] = (await subscribeMembers(server, 'room', FULL_ROOM, clients)) as [CountingMember, CountingMember, ...CountingMember[]];
    // Exported before anything was refused, so a dashboard can alert on its first increase.
    expect(await metric(server, rejected('byte_budget'))).toBe(0);

    // 16 KB frames: 4 MB of output each to a full room. Fewer than the frame limit (200), so only the byte budget can stop them.
    const flood = publishOfSize('room', 'flood:', 16_000);
    const cost = Buffer.byteLength(flood) * FULL_ROOM;
    const inBurst = Math.floor(DEFAULTS.deliveredBytesBurst / cost);
    expect(inBurst).toBeLessThan(50);
    for (let i = 0; i < 100; i++) {
      attacker.send(flood);
      // An honest publish the size of a sealed offer (~1 KB) after every tenth flood frame.
      if (i % 10 === 9) honest.send(publishOfSize('room', `honest:${i}`, 1000));
    }
    await Promise.all([attacker.roundTrip(), honest.roundTrip()]);
    await Promise.all(members.map((member) => member.roundTrip()));

    expect(await metric(server, rejected('byte_budget'))).toBe(100 - inBurst);
    for (const member of members) {
      expect(member.received('flood:')).toBe(inBurst);
      expect(member.received('honest:')).toBe(10);
    }
    expect(await metric(server, slowConsumers)).toBe(0);
    expect([attacker, honest, ...members].every((client) => client.socket.readyState === WebSocket.OPEN)).toBe(true);

    // A second later the attacker gets only what a second refills.
    clock.advance(1000);
    for (let i = 0; i < 10; i++) attacker.send(flood);
    honest.send(publishOfSize('room', 'after:', 1000));
    await Promise.all([attacker.roundTrip(), honest.roundTrip()]);
    await Promise.all(members.map((member) => member.roundTrip()));
    const refilled = Math.floor((DEFAULTS.deliveredBytesBurst - inBurst * cost + DEFAULTS.deliveredBytesPerSecond) / cost);
    expect(refilled).toBeLessThan(10);
    for (const member of members) {
      expect(member.received('flood:')).toBe(inBurst + refilled);
      expect(member.received('after:')).toBe(1);
    }
    expect(await metric(server, rejected('byte_budget'))).toBe(100 - inBurst + 10 - refilled);
    expect(await metric(server, rejected('rate_limited'))).toBe(0);
    expect(await metric(server, slowConsumers)).toBe(0);
  });

  it('never bites before the frame limit in a full room for frames up to 2 KiB (Parley sends 0.2–1.5 KB)', async () => {
    const clock = manualClock();
    const server = await boot({ now: clock.now });
    const [joiner, ...members] = (await subscribeMembers(server, 'room', FULL_ROOM, clients)) as [CountingMember, ...CountingMember[]];
    const framesBefore = server.stats.framesIn;
    // The joiner spent 2 of its RATE_LIMIT_BURST frames (subscribe, ping); it sends the rest and one more, all 2 KiB.
    const allowed = DEFAULTS.rateLimitBurst - 2;
    for (let i = 0; i <= allowed; i++) joiner.send(publishOfSize('room', `offer:${i}:`, 2048));
    // The joiner has no frame left for a ping: wait for the node to have read them all.
    await until(() => server.stats.framesIn === framesBefore + allowed + 1, 10_000, 'every frame read');
    await Promise.all(members.map((member) => member.roundTrip()));
    for (const member of members) expect(member.received('offer:')).toBe(allowed);
    expect(await metric(server, rejected('rate_limited'))).toBe(1);
    expect(await metric(server, rejected('byte_budget'))).toBe(0);
  });

  it('charges by receivers: big frames a full room would refuse all reach a room of two, whose receivers keep up', async () => {
    const server = await boot({ now: manualClock().now });
    const [sender, friend] = (await subscribeMembers(server, 'pair', 2, clients)) as [CountingMember, CountingMember];
    const big = publishOfSize('pair', 'file-offer:', 16_000);
    const inFullRoom = Math.floor(DEFAULTS.deliveredBytesBurst / (Buffer.byteLength(big) * FULL_ROOM));
    const sent = 2 * inFullRoom + 10;
    for (let i = 0; i < sent; i++) sender.send(big);
    await sender.roundTrip();
    await friend.roundTrip();
    expect(friend.received('file-offer:')).toBe(sent);
    expect(await metric(server, rejected('byte_budget'))).toBe(0);
    // Hundreds of KB reach each receiver within a turn or two; only a backlog the kernel would not take marks a slow consumer.
    expect(await metric(server, slowConsumers)).toBe(0);
  });
});
