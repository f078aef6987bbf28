/** What nodes say to each other through Redis, parsed without trust; and the Redis options. */
import { describe, expect, it } from 'vitest';
import { CHANNEL_PREFIX, channelOf, encodeCountEnvelope, encodePublishEnvelope, parseEnvelope, topicOf } from '../../signaling/cluster-envelope.js';
import { ConfigError, loadConfig } from '../../signaling/config.js';
import { redisRetryDelay } from '../../signaling/redis-bus.js';
import { createSignalingServer } from '../../signaling/server.js';
import { createRandom } from '../helpers/random.js';

describe('cluster envelopes', () => {
  it('round-trips publishes and counts, and splices the data untouched', () => {
    const data = JSON.stringify({ type: 'signal', to: 'peer', sdp: 'v=0\r\n', text: 'سلام 𝔘 "q"' });
    expect(parseEnvelope(Buffer.from(encodePublishEnvelope('node-1', 12, data)), 16_384)).toEqual({ kind: 'publish', node: 'node-1', count: 12, data: Buffer.from(data) });
    expect(parseEnvelope(Buffer.from(encodeCountEnvelope('n.2_x', 0, false)), 16_384)).toEqual({ kind: 'count', node: 'n.2_x', count: 0, ask: false });
    expect(parseEnvelope(Buffer.from(encodeCountEnvelope('n', 7, true)), 16_384)).toEqual({ kind: 'count', node: 'n', count: 7, ask: true });
    expect(topicOf(channelOf('room|with|bars'), 256)).toBe('room|with|bars');
    expect(topicOf('other:channel', 256)).toBeNull();
    expect(topicOf(CHANNEL_PREFIX, 256)).toBeNull();
    expect(topicOf(channelOf('x'.repeat(257)), 256)).toBeNull();
  });

  it('refuses data that is not exactly one JSON value, or larger than a frame', () => {
    for (const data of ['', '{', '{}}', '{"a":1},{"b":2}', '1 2', 'undefined', "'x'", '{"a":1}, "type":"pong"']) {
      expect(parseEnvelope(Buffer.from(`p|n|1|${data}`), 16_384), data).toBeNull();
    }
    expect(parseEnvelope(Buffer.from(`p|n|1|"${'a'.repeat(100)}"`), 50)).toBeNull();
    expect(parseEnvelope(Buffer.from('p|n|1|null'), 16_384)).toEqual({ kind: 'publish', node: 'n', count: 1, data: Buffer.from('null') });
    // Not UTF-8: a WebSocket text frame must be, so it is never relayed.
    expect(parseEnvelope(Buffer.concat([Buffer.from('p|n|1|"'), Buffer.from([0xff, 0xfe]), Buffer.from('"')]), 16_384)).toBeNull();
  });

  it('never throws on 50,000 seeded mutations, and what it accepts is well formed', () => {
    const random = createRandom(20261202);
    const seeds = [encodePublishEnvelope('node-a', 3, '{"type":"announce","from":"x"}'), encodeCountEnvelope('node-b', 2, true), encodePublishEnvelope('b', 0, '"s"')];
    const alphabet = ['|', 'p', 'c', 'a', '0', '9', '-', '{', '}', '"', '\\', '\u0000', '\ud800', '𝔘', 'ن', ' ', ',', ':'];
    let accepted = 0;
    for (let i = 0; i < 50_000; i++) {
      const chars = [...random.pick(seeds)];
      for (let edits = random.int(4) + 1; edits > 0; edits--) {
        const at = random.int(chars.length + 1);
        const roll = random.int(3);
        if (roll === 0) chars.splice(at, 1);
        else if (roll === 1) chars.splice(at, 0, random.pick(alphabet));
        else chars[at] = random.pick(alphabet);
      }
      const parsed = parseEnvelope(Buffer.from(chars.join('')), 16_384);
      if (parsed === null) continue;
      accepted++;
      expect(parsed.node).toMatch(/^[A-Za-z0-9._-]{1,64}$/);
      expect(Number.isInteger(parsed.count) && parsed.count >= 0 && parsed.count <= 1_000_000).toBe(true);
      if (parsed.kind === 'publish') expect(() => JSON.parse(parsed.data.toString())).not.toThrow();
    }
    // The mutations are near misses: some survive (an edit inside a string), most do not.
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThan(50_000);
  });
});

describe('Redis options', () => {
  it('reads REDIS_URL and NODE_ID, and refuses what is not a Redis URL or a node name', () => {
    expect(loadConfig([], { REDIS_URL: 'redis://:secret@10.0.0.5:6380/2', NODE_ID: 'eu-1' })).toMatchObject({ redisUrl: 'redis://:secret@10.0.0.5:6380/2', nodeId: 'eu-1' });
    expect(loadConfig(['--redis-url', 'rediss://redis.internal'], {}).redisUrl).toBe('rediss://redis.internal');
    expect(loadConfig([], {})).toMatchObject({ redisUrl: undefined, nodeId: undefined, redisBytesPerSecond: 67_108_864 });
    for (const url of ['http://redis:6379', 'redis://', 'localhost:6379', 'redis://host/db/x']) expect(() => loadConfig([], { REDIS_URL: url }), url).toThrow(ConfigError);
    for (const id of ['has space', 'x'.repeat(65), 'a|b', 'ü']) expect(() => loadConfig([], { NODE_ID: id }), id).toThrow(ConfigError);
    expect(() => createSignalingServer({ nodeId: 'bad id', port: 0 })).toThrow(ConfigError);
  });

  it('backs off exponentially to 5 s with jitter, so nodes do not reconnect in step', () => {
    expect(redisRetryDelay(0, () => 1)).toBe(100);
    expect(redisRetryDelay(3, () => 1)).toBe(800);
    expect(redisRetryDelay(30, () => 1)).toBe(5000);
    expect(redisRetryDelay(30, () => 0)).toBe(2500);
    const random = createRandom(7);
    const delays = new Set(Array.from({ length: 20 }, () => redisRetryDelay(4, random.next)));
    expect(delays.size).toBeGreaterThan(15);
  });
});
