import { describe, expect, it } from 'vitest';
import { createIceSource, NO_ICE, parseIceConfig, rtcConfiguration } from '../../src/transport/ice-config.js';
import { FakeClock } from '../helpers/fake-clock.js';

const TURN = { urls: ['turn:relay.example.org:3478?transport=udp', 'turns:relay.example.org:443?transport=tcp'], username: '1800000000:abc', credential: 'c2VjcmV0' };
const STUN = { urls: ['stun:node.example.org:3478'] };

describe("the node's ICE servers, parsed like any input", () => {
  it('takes STUN and TURN servers and notes that a relay is offered', () => {
    expect(parseIceConfig({ iceServers: [STUN, TURN], ttlSeconds: 3600 })).toEqual({ iceServers: [STUN, TURN], ttlSeconds: 3600, hasRelay: true });
    expect(parseIceConfig({ iceServers: [STUN], ttlSeconds: 0 })).toEqual({ iceServers: [STUN], ttlSeconds: 0, hasRelay: false });
    expect(parseIceConfig({ iceServers: [], ttlSeconds: 0 })?.hasRelay).toBe(false);
  });

  it.each([
    ['not an object', 'iceServers'],
    ['null', null],
    ['an array', [STUN]],
    ['servers not an array', { iceServers: STUN, ttlSeconds: 60 }],
    ['a TURN server without credentials', { iceServers: [{ urls: TURN.urls }], ttlSeconds: 3600 }],
    ['an http URL', { iceServers: [{ urls: ['https://evil.example/'] }], ttlSeconds: 60 }],
    ['a URL with spaces', { iceServers: [{ urls: ['stun:a b'] }], ttlSeconds: 60 }],
    ['an empty URL list', { iceServers: [{ urls: [] }], ttlSeconds: 60 }],
    ['too many servers', { iceServers: new Array(9).fill(STUN), ttlSeconds: 60 }],
    ['too many URLs', { iceServers: [{ urls: new Array(17).fill('stun:a') }], ttlSeconds: 60 }],
    ['a 10 KB username', { iceServers: [{ ...TURN, username: 'x'.repeat(10_000) }], ttlSeconds: 3600 }],
    ['a negative lifetime', { iceServers: [STUN], ttlSeconds: -1 }],
    ['a lifetime that is not a whole number', { iceServers: [STUN], ttlSeconds: 1.5 }],
    ['a TURN credential that lasts under a minute', { iceServers: [TURN], ttlSeconds: 5 }],
    ['a lifetime of a year', { iceServers: [STUN], ttlSeconds: 365 * 86_400 }],
  ])('refuses %s', (_what, value) => {
    expect(parseIceConfig(value)).toBeNull();
  });

  it('asks for relay candidates only when relay-only is chosen', () => {
    const config = parseIceConfig({ iceServers: [STUN, TURN], ttlSeconds: 3600 }) ?? NO_ICE;
    expect(rtcConfiguration(config, true)).toEqual({ iceServers: [STUN, TURN], iceTransportPolicy: 'relay' });
    expect(rtcConfiguration(config, false).iceTransportPolicy).toBe('all');
  });
});

describe('the ICE source', () => {
  it('adopts the early request, then refreshes before the credentials expire', async () => {
    const clock = new FakeClock();
    const answers: unknown[] = [];
    let loads = 0;
    const source = createIceSource({
      early: Promise.resolve({ iceServers: [TURN], ttlSeconds: 1000 }),
      load: async () => {
        loads++;
        return { iceServers: [{ ...TURN, username: `fresh-${loads}` }], ttlSeconds: 1000 };
      },
      setTimeout: (callback, ms) => clock.setTimeout(callback, ms),
      clearTimeout: (handle) => clock.clearTimeout(handle),
    });
    expect(source.current()).toBe(NO_ICE);
    source.onChange((config) => answers.push(config.iceServers[0]?.username));
    await source.ready;
    expect(loads).toBe(0);
    expect(source.current().hasRelay).toBe(true);
    clock.advance(799_999);
    expect(loads).toBe(0);
    clock.advance(1);
    await Promise.resolve();
    await Promise.resolve();
    expect(loads).toBe(1);
    expect(source.current().iceServers[0]?.username).toBe('fresh-1');
    expect(answers).toEqual(['1800000000:abc', 'fresh-1']);
    source.stop();
  });

  it('keeps no servers when the node answers nonsense or nothing, and asks again later', async () => {
    const clock = new FakeClock();
    let loads = 0;
    const source = createIceSource({
      load: async () => {
        loads++;
        if (loads === 1) throw new Error('offline');
        if (loads === 2) return '<html>proxy error</html>';
        return { iceServers: [STUN], ttlSeconds: 0 };
      },
      setTimeout: (callback, ms) => clock.setTimeout(callback, ms),
      clearTimeout: (handle) => clock.clearTimeout(handle),
    });
    expect(await source.ready).toBe(NO_ICE);
    for (let i = 0; i < 2; i++) {
      clock.advance(60_000);
      for (let tick = 0; tick < 5; tick++) await Promise.resolve();
    }
    expect(loads).toBe(3);
    expect(source.current().iceServers).toEqual([STUN]);
    source.stop();
  });
});
