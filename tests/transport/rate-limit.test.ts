import { describe, expect, it } from 'vitest';
import { createStrikeCounter, createTokenBucket } from '../../src/transport/rate-limit.js';

/** A clock the test moves by hand. */
function manualClock(): { now: () => number; advance: (ms: number) => void } {
  let at = 1000;
  return { now: () => at, advance: (ms) => void (at += ms) };
}

describe('token bucket', () => {
  it('lets a full burst through, then refuses until tokens come back at the sustained rate', () => {
    const clock = manualClock();
    const bucket = createTokenBucket({ burst: 5, perSecond: 10, now: clock.now });
    for (let i = 0; i < 5; i++) expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
    expect(bucket.waitMs()).toBe(100);
    clock.advance(99);
    expect(bucket.take()).toBe(false);
    clock.advance(1);
    expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
  });

  it('never holds more than the burst, however long it was idle', () => {
    const clock = manualClock();
    const bucket = createTokenBucket({ burst: 3, perSecond: 1, now: clock.now });
    clock.advance(3_600_000);
    const taken = Array.from({ length: 10 }, () => bucket.take()).filter(Boolean).length;
    expect(taken).toBe(3);
  });

  it('charges a cost in tokens and spends nothing when it cannot pay', () => {
    const clock = manualClock();
    const bucket = createTokenBucket({ burst: 10, perSecond: 1, now: clock.now });
    expect(bucket.take(5)).toBe(true);
    expect(bucket.take(5)).toBe(true);
    expect(bucket.take(5)).toBe(false);
    expect(bucket.waitMs(5)).toBe(5000);
    clock.advance(4000);
    expect(bucket.take()).toBe(true);
    expect(bucket.take(5)).toBe(false);
    // A cost above the burst is charged as a full bucket, so it can still be paid.
    clock.advance(60_000);
    expect(bucket.take(50)).toBe(true);
    expect(bucket.take()).toBe(false);
  });

  it('adds nothing when the clock steps back', () => {
    let at = 10_000;
    const bucket = createTokenBucket({ burst: 2, perSecond: 1, now: () => at });
    bucket.take();
    bucket.take();
    at = 0;
    expect(bucket.take()).toBe(false);
    at = 999;
    expect(bucket.take()).toBe(false);
    at = 1000;
    expect(bucket.take()).toBe(true);
  });

  it('refuses options that could never let anything through', () => {
    expect(() => createTokenBucket({ burst: 0, perSecond: 1 })).toThrow(RangeError);
    expect(() => createTokenBucket({ burst: 1, perSecond: 0 })).toThrow(RangeError);
  });
});

describe('strike counter', () => {
  it('reports over once more than the limit fall within one window, and starts afresh after it', () => {
    const clock = manualClock();
    const strikes = createStrikeCounter({ limit: 3, windowMs: 1000, now: clock.now });
    expect([strikes.strike(), strikes.strike(), strikes.strike()]).toEqual([false, false, false]);
    expect(strikes.strike()).toBe(true);
    clock.advance(1001);
    expect(strikes.strike()).toBe(false);
  });

  it('does not add up strikes spread over many windows', () => {
    const clock = manualClock();
    const strikes = createStrikeCounter({ limit: 2, windowMs: 1000, now: clock.now });
    for (let i = 0; i < 20; i++) {
      expect(strikes.strike()).toBe(false);
      clock.advance(600);
    }
  });
});
