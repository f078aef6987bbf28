import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_DRIFT_MS, compareMessages, createClock, formatStamp, parseStamp, sortKey } from '../../src/core/hlc.js';
import { createRandom } from '../helpers/random.js';

const T0 = 1_700_000_000_000;

describe('hlc stamps', () => {
  it('formats fixed-width stamps that parse back', () => {
    const stamp = { wallMs: T0, counter: 42 };
    const text = formatStamp(stamp);
    expect(text).toMatch(/^[0-9a-z]{9}\.[0-9a-z]{4}$/);
    expect(parseStamp(text)).toEqual(stamp);
  });

  it('sorts lexicographically in time order', () => {
    const random = createRandom(36);
    const stamps = Array.from({ length: 500 }, () => ({ wallMs: random.int(2 ** 44), counter: random.int(36 ** 4) }));
    const byTime = [...stamps].sort((a, b) => a.wallMs - b.wallMs || a.counter - b.counter).map(formatStamp);
    const byText = stamps.map(formatStamp).sort();
    expect(byText).toEqual(byTime);
  });

  it('rejects malformed stamps', () => {
    for (const bad of ['', 'lo0xmrk0.0000', 'loxmrk00.00000', 'LOXMRK000.0000', 'loxmrk000-0000', 'loxmrk000.000', ' loxmrk000.0000', 'loxmrk000.0000\n', 42, null, undefined, {}]) {
      expect(parseStamp(bad), String(bad)).toBeNull();
    }
  });
});

describe('hybrid logical clock', () => {
  it('is strictly monotonic even when the wall clock stands still or goes back', () => {
    const random = createRandom(7);
    let wall = T0;
    const clock = createClock(() => (wall += random.int(5) - 2));
    const stamps = Array.from({ length: 5000 }, () => clock.tick());
    expect(stamps.every((stamp, i) => i === 0 || stamp > (stamps[i - 1] as string))).toBe(true);
  });

  it('follows the wall clock when it moves forward', () => {
    let wall = T0;
    const clock = createClock(() => wall);
    expect(parseStamp(clock.tick())).toEqual({ wallMs: T0, counter: 0 });
    expect(parseStamp(clock.tick())).toEqual({ wallMs: T0, counter: 1 });
    wall += 10;
    expect(parseStamp(clock.tick())).toEqual({ wallMs: T0 + 10, counter: 0 });
  });

  it('ticks past an observed remote stamp from a clock that runs ahead', () => {
    const behind = createClock(() => T0);
    const remote = formatStamp({ wallMs: T0 + 60_000, counter: 5 });
    behind.observe(remote);
    const next = behind.tick();
    expect(next > remote).toBe(true);
    expect(parseStamp(next)).toEqual({ wallMs: T0 + 60_000, counter: 6 });
  });

  it('ignores remote stamps that are older than its own', () => {
    const clock = createClock(() => T0);
    clock.tick();
    clock.observe(formatStamp({ wallMs: T0 - 1000, counter: 900 }));
    expect(parseStamp(clock.tick())).toEqual({ wallMs: T0, counter: 1 });
  });

  it('ignores absurd future stamps so one peer cannot push everyone forward', () => {
    const clock = createClock(() => T0);
    clock.observe(formatStamp({ wallMs: T0 + DEFAULT_MAX_DRIFT_MS + 1, counter: 0 }));
    clock.observe('zzzzzzzzz.zzzz');
    expect(parseStamp(clock.tick())).toEqual({ wallMs: T0, counter: 0 });
    clock.observe(formatStamp({ wallMs: T0 + DEFAULT_MAX_DRIFT_MS, counter: 0 }));
    expect(parseStamp(clock.tick())?.wallMs).toBe(T0 + DEFAULT_MAX_DRIFT_MS);
  });

  it('honours a custom drift limit', () => {
    const clock = createClock(() => T0, { maxDriftMs: 1000 });
    clock.observe(formatStamp({ wallMs: T0 + 1001, counter: 0 }));
    expect(parseStamp(clock.tick())?.wallMs).toBe(T0);
  });

  it('never throws on garbage stamps or a broken wall clock', () => {
    const clock = createClock(() => Number.NaN);
    for (const bad of ['', 'nope', '\u0000', 'zzzzzzzzz.zzzz.', '-00000001.0000']) expect(() => clock.observe(bad)).not.toThrow();
    clock.observe(undefined as unknown as string);
    const a = clock.tick();
    expect(clock.tick() > a).toBe(true);
  });

  it('borrows the next millisecond when the counter is exhausted', () => {
    const clock = createClock(() => T0);
    clock.observe(formatStamp({ wallMs: T0, counter: 36 ** 4 - 1 }));
    expect(parseStamp(clock.tick())).toEqual({ wallMs: T0 + 1, counter: 0 });
  });
});

describe('message order', () => {
  const author1 = 'A'.repeat(43);
  const author2 = 'B'.repeat(43);
  it('orders by stamp, then author, then id', () => {
    const early = { hlc: formatStamp({ wallMs: T0, counter: 0 }), author: author2, id: 'b'.repeat(22) };
    const tieLow = { hlc: formatStamp({ wallMs: T0, counter: 1 }), author: author1, id: 'z'.repeat(22) };
    const tieHigh = { hlc: tieLow.hlc, author: author2, id: 'a'.repeat(22) };
    const sameAuthor = { ...tieHigh, id: 'c'.repeat(22) };
    const sorted = [sameAuthor, tieHigh, early, tieLow].sort(compareMessages);
    expect(sorted).toEqual([early, tieLow, tieHigh, sameAuthor]);
    expect([sameAuthor, tieHigh, early, tieLow].map(sortKey).sort()).toEqual(sorted.map(sortKey));
    expect(compareMessages(early, { ...early })).toBe(0);
  });
});
