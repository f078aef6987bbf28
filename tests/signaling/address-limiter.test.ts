import { describe, expect, it } from 'vitest';
import { createAddressLimiter } from '../../signaling/address-limiter.js';

describe('address limiter', () => {
  const make = (maxKeys = 100): { limiter: ReturnType<typeof createAddressLimiter>; advance: (ms: number) => void } => {
    let time = 0;
    const limiter = createAddressLimiter({ perSecond: 0.5, burst: 3, maxKeys, now: () => time });
    return { limiter, advance: (ms) => (time += ms) };
  };

  it('allows a burst, then says how long until the next token', () => {
    const { limiter, advance } = make();
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([0, 0, 0]);
    expect(limiter.take('a')).toBe(2000);
    advance(500);
    expect(limiter.take('a')).toBe(1500);
    advance(1500);
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('b')).toBe(0); // keys are independent
  });

  it('never holds more than maxKeys, dropping the oldest (which only gets a fresh bucket)', () => {
    const { limiter } = make(4);
    for (let i = 0; i < 1000; i++) limiter.take(`198.51.100.${i}`);
    expect(limiter.size()).toBe(4);
  });

  it('sweeps keys whose bucket has refilled, and keeps the others', () => {
    const { limiter, advance } = make();
    limiter.take('old');
    advance(5000);
    limiter.take('new');
    advance(1000); // 'old' has had 6 s (3 tokens' worth), 'new' 1 s
    limiter.sweep();
    expect(limiter.size()).toBe(1);
    // 'new' kept its bucket: 2 tokens left at 5 s, +0.5 by 6 s.
    expect([limiter.take('new'), limiter.take('new'), limiter.take('new')]).toEqual([0, 0, 1000]);
  });
});
