import { describe, expect, it } from 'vitest';
import { createDropCounter } from '../../src/core/drop-counter.js';

describe('drop counter', () => {
  it('starts empty', () => {
    const drops = createDropCounter();
    expect(drops.total()).toBe(0);
    expect(drops.snapshot()).toEqual({});
  });

  it('counts drops by source and reason', () => {
    const drops = createDropCounter();
    drops.count('entry', 'signature');
    drops.count('entry', 'signature');
    drops.count('frame', 'decrypt');
    drops.count('presence', 'shape');
    expect(drops.snapshot()).toEqual({ 'entry.signature': 2, 'frame.decrypt': 1, 'presence.shape': 1 });
    expect(drops.total()).toBe(4);
  });

  it('returns snapshots that later counts do not change', () => {
    const drops = createDropCounter();
    drops.count('blob', 'decode');
    const before = drops.snapshot();
    drops.count('blob', 'decode');
    expect(before).toEqual({ 'blob.decode': 1 });
  });
});
