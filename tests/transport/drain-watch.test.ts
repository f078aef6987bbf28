// A writer that reports full waits for 'bufferedamountlow'; if that event never comes (seen with a
// Node peer on @roamhq/wrtc: a 1 GiB transfer stalled for good), the buffer is checked anyway.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DRAIN_CHECK_MS, watchDrain } from '../../src/transport/files-channel.js';
import { CHANNEL_HIGH_WATER, CHANNEL_LOW_WATER } from '../../src/transport/simple-peer-factory.js';

describe('a full data channel writer', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('resumes when the buffer has drained even if bufferedamountlow never fires', () => {
    const channel = { bufferedAmount: CHANNEL_HIGH_WATER, readyState: 'open' };
    let resumed = 0;
    const drain = watchDrain(channel, () => resumed++);
    drain.await();
    vi.advanceTimersByTime(DRAIN_CHECK_MS * 5);
    expect(resumed).toBe(0);
    channel.bufferedAmount = CHANNEL_LOW_WATER;
    vi.advanceTimersByTime(DRAIN_CHECK_MS);
    expect(resumed).toBe(1);
    // The check stops once drained: no further wake-ups.
    vi.advanceTimersByTime(DRAIN_CHECK_MS * 10);
    expect(resumed).toBe(1);
  });

  it('resumes once when the event does come, and stops checking', () => {
    const channel = { bufferedAmount: CHANNEL_HIGH_WATER, readyState: 'open' };
    let resumed = 0;
    const drain = watchDrain(channel, () => resumed++);
    drain.await();
    drain.drained();
    channel.bufferedAmount = 0;
    vi.advanceTimersByTime(DRAIN_CHECK_MS * 10);
    expect(resumed).toBe(1);
  });

  it('lets the writer go on when the channel closes while it is full', () => {
    const channel = { bufferedAmount: CHANNEL_HIGH_WATER, readyState: 'open' };
    let resumed = 0;
    const drain = watchDrain(channel, () => resumed++);
    drain.await();
    channel.readyState = 'closed';
    vi.advanceTimersByTime(DRAIN_CHECK_MS);
    expect(resumed).toBe(1);
  });
});
