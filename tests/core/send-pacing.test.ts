/**
 * The pacer against the rule it runs ahead of: a person writes a burst of messages, each goes out
 * when the pacer says (wait, then sent(stamp's wall time), as the outbox does), stamped by a real
 * hybrid clock, and the flood gate every member runs over the same entries hides none of them.
 * Sending the same burst without waiting would have had some hidden, so these tests can fail.
 * Bursts are drawn from a seeded generator.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_FLOOD_POLICY, createFloodGate, policyForSlowMode, type FloodPolicy } from '../../src/core/flood-gate.js';
import { createClock, formatStamp, parseStamp } from '../../src/core/hlc.js';
import { createPacer, type Pacer } from '../../src/core/send-pacing.js';
import type { MessageEntry } from '../../src/core/types.js';
import { createRandom } from '../helpers/random.js';

const T0 = 1_700_000_000_000;
const ALICE = 'A'.repeat(43);

let serial = 0;
/** Shaped like a MessageEntry; the flood gate reads only id, author and hlc. */
const entry = (hlc: string, author = ALICE): MessageEntry => ({ v: 1, id: `m${String(serial++).padStart(21, '0')}`, author, nick: 'n', hlc, text: 'hi', sig: '' });

const wallOf = (stamp: string): number => {
  const parsed = parseStamp(stamp);
  if (parsed === null) throw new Error(`malformed stamp ${stamp}`);
  return parsed.wallMs;
};

const hiddenAmong = (entries: readonly MessageEntry[], policy: FloodPolicy): number => {
  const gate = createFloodGate(policy);
  gate.add(entries);
  return gate.hiddenCount(ALICE);
};

interface Burst {
  /** When each message is written (ms). */
  readonly writtenAt: readonly number[];
  /** A remote stamp the clock has seen before the burst, ahead of the wall clock; null if none. */
  readonly aheadMs: number | null;
}

/** 15–40 messages, 0–100 ms apart, sometimes with the clock already ahead of the wall clock. */
function drawBurst(random: ReturnType<typeof createRandom>): Burst {
  const count = 15 + random.int(26);
  const writtenAt: number[] = [];
  let at = T0 + random.int(1000);
  for (let i = 0; i < count; i++) {
    writtenAt.push(at);
    at += random.int(101);
  }
  return { writtenAt, aheadMs: random.next() < 0.3 ? 1 + random.int(120_000) : null };
}

interface Sent {
  readonly entries: MessageEntry[];
  /** Wall-clock time each message went out. */
  readonly sentAt: number[];
}

/**
 * Sends the burst the way the outbox does: each message waits while the pacer says so, then is
 * stamped and recorded. With `pace` false, each goes out the moment it is written.
 */
function send(burst: Burst, policy: FloodPolicy, pace: boolean, pacer: Pacer = createPacer()): Sent {
  let now = burst.writtenAt[0] ?? T0;
  const clock = createClock(() => now);
  if (burst.aheadMs !== null) clock.observe(formatStamp({ wallMs: now + burst.aheadMs, counter: 0 }));
  const entries: MessageEntry[] = [];
  const sentAt: number[] = [];
  for (const writtenAt of burst.writtenAt) {
    now = Math.max(now, writtenAt);
    if (pace) {
      const wait = pacer.waitMs(now, policy);
      expect(wait).toBeGreaterThanOrEqual(0);
      now += wait;
      // One wait is enough: the outbox's timer fires and the message goes.
      expect(pacer.waitMs(now, policy)).toBe(0);
    }
    const stamp = clock.tick();
    pacer.sent(wallOf(stamp), policy);
    entries.push(entry(stamp));
    sentAt.push(now);
  }
  return { entries, sentAt };
}

const POLICIES: ReadonlyArray<[string, FloodPolicy]> = [
  ['the default flood policy', DEFAULT_FLOOD_POLICY],
  ['slow mode of 5 s', policyForSlowMode(5)],
  // 49 s × 1/49 per s is 0.999… in floating point: the boundary the gate's slack is for.
  ['slow mode of 49 s', policyForSlowMode(49)],
];

describe('send pacing', () => {
  for (const [name, policy] of POLICIES) {
    it(`keeps every message of a burst visible under ${name}, where sending at once would not`, () => {
      const random = createRandom(name.length * 7919);
      for (let run = 0; run < 60; run++) {
        const burst = drawBurst(random);
        const paced = send(burst, policy, true);
        expect(paced.entries).toHaveLength(burst.writtenAt.length);
        expect(hiddenAmong(paced.entries, policy)).toBe(0);
        expect(hiddenAmong(send(burst, policy, false).entries, policy)).toBeGreaterThan(0);
      }
    });
  }

  it('lets a paste of fifteen lines send the burst at once and the rest at the policy rate, no later', () => {
    const writtenAt = new Array<number>(15).fill(T0);
    const { sentAt } = send({ writtenAt, aheadMs: null }, DEFAULT_FLOOD_POLICY, true);
    const { burst, perSecond } = DEFAULT_FLOOD_POLICY;
    for (const [i, at] of sentAt.entries()) {
      const earliest = T0 + Math.max(0, i + 1 - burst) * (1000 / perSecond);
      // Each wait is rounded up to a whole millisecond, so a message may go out up to 1 ms per wait later.
      expect(at).toBeGreaterThanOrEqual(earliest);
      expect(at).toBeLessThanOrEqual(earliest + i);
    }
    expect((sentAt.at(-1) ?? 0) - T0).toBeLessThan(3000);
    const slow = policyForSlowMode(5);
    const paced = send({ writtenAt: new Array<number>(5).fill(T0), aheadMs: null }, slow, true);
    paced.sentAt.forEach((at, i) => {
      expect(at).toBeGreaterThanOrEqual(T0 + 5000 * i);
      expect(at).toBeLessThanOrEqual(T0 + 5000 * i + i);
    });
  });

  it('waits until the wall clock has passed the last stamp when the clock runs ahead of it', () => {
    const policy = policyForSlowMode(5);
    let now = T0;
    const clock = createClock(() => now);
    // A peer's stamp a minute ahead (within the clock's drift bound) moved this clock forward.
    clock.observe(formatStamp({ wallMs: T0 + 60_000, counter: 0 }));
    const pacer = createPacer();
    const first = clock.tick();
    expect(wallOf(first)).toBe(T0 + 60_000);
    pacer.sent(wallOf(first), policy);
    // Five seconds after the stamp, not after the wall clock.
    expect(pacer.waitMs(now, policy)).toBe(65_000);
    expect(pacer.waitMs(T0 + 64_999, policy)).toBe(1);
    now = T0 + 65_000;
    expect(pacer.waitMs(now, policy)).toBe(0);
    const second = clock.tick();
    pacer.sent(wallOf(second), policy);
    expect(hiddenAmong([entry(first), entry(second)], policy)).toBe(0);
    // Had it gone five seconds after the wall clock instead, the stamp would still be a minute
    // ahead, right after the first, and every member would hide it.
    const early = createClock(() => T0 + 5000);
    early.observe(first);
    expect(hiddenAmong([entry(first), entry(early.tick())], policy)).toBe(1);
  });

  it('does not wait because the clock is ahead while tokens are left', () => {
    const pacer = createPacer();
    pacer.sent(T0 + 60_000, DEFAULT_FLOOD_POLICY);
    expect(pacer.waitMs(T0, DEFAULT_FLOOD_POLICY)).toBe(0);
  });

  it('keeps a burst visible after a reload when told of the messages sent before it', () => {
    const policy = DEFAULT_FLOOD_POLICY;
    const before = send({ writtenAt: new Array<number>(12).fill(T0), aheadMs: null }, policy, true);
    const reloadAt = (before.sentAt.at(-1) ?? T0) + 200;
    const after: Burst = { writtenAt: new Array<number>(15).fill(reloadAt), aheadMs: null };
    const seeded = createPacer();
    for (const earlier of before.entries) seeded.sent(wallOf(earlier.hlc), policy);
    const informed = send(after, policy, true, seeded);
    expect(hiddenAmong([...before.entries, ...informed.entries], policy)).toBe(0);
    // The messages before the reload may come in any order (they are read from the document).
    const reversed = createPacer();
    for (const earlier of [...before.entries].reverse()) reversed.sent(wallOf(earlier.hlc), policy);
    const unordered = send(after, policy, true, reversed);
    expect(hiddenAmong([...before.entries, ...unordered.entries], policy)).toBe(0);
    // A fresh pacer after the reload would spend tokens the room already counted.
    const forgetful = send(after, policy, true, createPacer());
    expect(hiddenAmong([...before.entries, ...forgetful.entries], policy)).toBeGreaterThan(0);
  });
});
