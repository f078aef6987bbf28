import { describe, expect, it } from 'vitest';
import { DEFAULT_FLOOD_POLICY, FILE_BYTES_POLICY, createFloodGate, policyForSlowMode, type FloodGate } from '../../src/core/flood-gate.js';
import { formatStamp } from '../../src/core/hlc.js';
import type { MessageEntry } from '../../src/core/types.js';

const T0 = 1_700_000_000_000;
const ALICE = 'A'.repeat(43);
const BOB = 'B'.repeat(43);

let serial = 0;
/** A fixed-width unique id (22 chars like real ones), increasing with creation order. */
const nextId = (): string => `m${String(serial++).padStart(21, '0')}`;

/** Shaped like a MessageEntry; the flood gate reads only id, author and hlc. */
const entry = (author: string, wallMs: number, counter = 0): MessageEntry => ({
  v: 1,
  id: nextId(),
  author,
  nick: 'n',
  hlc: formatStamp({ wallMs, counter }),
  text: 'hi',
  sig: '',
});

/** Seeded, so a failure reproduces. */
function shuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

const hiddenIds = (gate: FloodGate, entries: readonly MessageEntry[]): string[] => entries.filter((e) => gate.isHidden(e.id)).map((e) => e.id);

describe('flood gate', () => {
  it('never hides a steady typist', () => {
    const gate = createFloodGate();
    const messages = Array.from({ length: 600 }, (_, i) => entry(ALICE, T0 + i * 1000));
    for (const message of messages) expect(gate.add([message])).toEqual([]);
    expect(hiddenIds(gate, messages)).toEqual([]);
    expect(gate.hiddenCount(ALICE)).toBe(0);
  });

  it('lets a short paste through', () => {
    const gate = createFloodGate();
    const paste = Array.from({ length: DEFAULT_FLOOD_POLICY.burst }, (_, i) => entry(ALICE, T0, i));
    expect(gate.add(paste)).toEqual([]);
    expect(gate.hiddenCount(ALICE)).toBe(0);
  });

  it('hides all but the burst of a flood within one millisecond, and leaves others alone', () => {
    const gate = createFloodGate();
    const flood = Array.from({ length: 10_000 }, (_, i) => entry(ALICE, T0, i));
    const bob = Array.from({ length: 20 }, (_, i) => entry(BOB, T0 + i * 500));
    const changed = gate.add([...flood, ...bob]);
    expect(gate.hiddenCount(ALICE)).toBe(10_000 - DEFAULT_FLOOD_POLICY.burst);
    expect(flood.slice(0, DEFAULT_FLOOD_POLICY.burst).every((e) => !gate.isHidden(e.id))).toBe(true);
    expect(new Set(changed)).toEqual(new Set(flood.slice(DEFAULT_FLOOD_POLICY.burst).map((e) => e.id)));
    expect(gate.hiddenCount(BOB)).toBe(0);
    expect(hiddenIds(gate, bob)).toEqual([]);
  });

  it('lets a flood spread over a second show only the burst plus that second of refill', () => {
    const gate = createFloodGate();
    // Ten messages in each millisecond from T0 to T0 + 999.
    const flood = Array.from({ length: 10_000 }, (_, i) => entry(ALICE, T0 + Math.floor(i / 10), i % 10));
    gate.add(flood);
    // 999 ms at 2 tokens/s refill 1.998 tokens: one message beyond the burst, the first at T0 + 500.
    const visible = flood.filter((e) => !gate.isHidden(e.id));
    expect(visible.length).toBe(DEFAULT_FLOOD_POLICY.burst + 1);
    expect(gate.hiddenCount(ALICE)).toBe(10_000 - visible.length);
    expect(visible.at(-1)?.hlc).toBe(formatStamp({ wallMs: T0 + 500, counter: 0 }));
  });

  it('reaches the same verdicts for any insertion order', () => {
    const messages = [
      ...Array.from({ length: 300 }, (_, i) => entry(ALICE, T0 + Math.floor(i / 3) * 137, i % 3)),
      ...Array.from({ length: 200 }, (_, i) => entry(BOB, T0 + i * 400)),
    ];
    const reference = createFloodGate();
    reference.add([...messages].sort((a, b) => (a.hlc < b.hlc ? -1 : a.hlc > b.hlc ? 1 : 0)));
    const expected = hiddenIds(reference, messages);
    expect(expected.length).toBeGreaterThan(50);
    for (let seed = 1; seed <= 5; seed++) {
      const shuffled = shuffle(messages, seed);
      const oneByOne = createFloodGate();
      for (const message of shuffled) oneByOne.add([message]);
      expect(hiddenIds(oneByOne, messages), `one by one, seed ${seed}`).toEqual(expected);
      const batched = createFloodGate();
      for (let i = 0; i < shuffled.length; i += 37) batched.add(shuffled.slice(i, i + 37));
      expect(hiddenIds(batched, messages), `batches, seed ${seed}`).toEqual(expected);
      expect(batched.hiddenCount(ALICE) + batched.hiddenCount(BOB)).toBe(expected.length);
    }
  });

  it('reports verdicts changed by a late, backdated entry', () => {
    const gate = createFloodGate({ burst: 1, perSecond: 1 });
    const first = entry(ALICE, T0 + 1000);
    const second = entry(ALICE, T0 + 2000);
    gate.add([first, second]);
    expect(gate.hiddenCount(ALICE)).toBe(0);
    // Claimed at T0 + 500: it takes the token the first message would have had.
    const backdated = entry(ALICE, T0 + 500);
    expect(new Set(gate.add([backdated]))).toEqual(new Set([first.id]));
    expect([gate.isHidden(backdated.id), gate.isHidden(first.id), gate.isHidden(second.id)]).toEqual([false, true, false]);
    expect(gate.add([backdated])).toEqual([]); // known ids are ignored
  });

  it('recomputes the author after a removal', () => {
    const gate = createFloodGate({ burst: 1, perSecond: 1 });
    const [a, b, c] = [entry(ALICE, T0), entry(ALICE, T0 + 100), entry(ALICE, T0 + 1100)];
    gate.add([a, b, c]);
    expect([gate.isHidden(a.id), gate.isHidden(b.id), gate.isHidden(c.id)]).toEqual([false, true, false]);
    expect(gate.remove(a.id)).toEqual([b.id]);
    expect([gate.isHidden(b.id), gate.isHidden(c.id)]).toEqual([false, false]);
    expect(gate.remove(b.id)).toEqual([]);
    expect(gate.remove('unknown')).toEqual([]);
    expect(gate.remove(c.id)).toEqual([]);
    expect(gate.hiddenCount(ALICE)).toBe(0);
  });

  it('applies slow mode: one message per interval, none saved up', () => {
    expect(policyForSlowMode(0)).toBe(DEFAULT_FLOOD_POLICY);
    expect(policyForSlowMode(30)).toEqual({ burst: 1, perSecond: 1 / 30 });
    expect(() => policyForSlowMode(-1)).toThrow(RangeError);
    // 49 × (1/49) is 0.9999… in floating point: a message exactly on the boundary still passes.
    const gate = createFloodGate(policyForSlowMode(49));
    const messages = [0, 10, 48.999, 49, 60, 98, 500, 500.5].map((seconds) => entry(ALICE, T0 + Math.round(seconds * 1000)));
    gate.add(messages);
    expect(messages.map((e) => gate.isHidden(e.id))).toEqual([false, true, true, false, true, false, false, true]);
  });

  it('recomputes everything on setPolicy and reports the changes', () => {
    const gate = createFloodGate();
    const messages = Array.from({ length: 10 }, (_, i) => entry(ALICE, T0 + i * 1000));
    const bob = entry(BOB, T0);
    gate.add([...messages, bob]);
    expect(gate.hiddenCount(ALICE)).toBe(0);
    const slowed = gate.setPolicy(policyForSlowMode(3));
    // Visible at 0, 3, 6 and 9 seconds.
    expect(new Set(slowed)).toEqual(new Set(messages.filter((_, i) => i % 3 !== 0).map((e) => e.id)));
    expect(gate.hiddenCount(ALICE)).toBe(6);
    expect(gate.isHidden(bob.id)).toBe(false);
    expect(new Set(gate.setPolicy(DEFAULT_FLOOD_POLICY))).toEqual(new Set(slowed));
    expect(gate.hiddenCount(ALICE)).toBe(0);
    expect(() => gate.setPolicy({ burst: 0, perSecond: 1 })).toThrow(RangeError);
    expect(() => createFloodGate({ burst: 1, perSecond: 0 })).toThrow(RangeError);
  });

  it('ignores entries with a malformed stamp', () => {
    const gate = createFloodGate({ burst: 1, perSecond: 1 });
    const bad = { ...entry(ALICE, T0), hlc: 'yesterday' };
    expect(gate.add([bad])).toEqual([]);
    const good = entry(ALICE, T0);
    gate.add([good]);
    expect(gate.isHidden(good.id)).toBe(false);
  });

  it('handles 100k entries from 8 authors, live and shuffled', () => {
    const authors = Array.from({ length: 8 }, (_, i) => String.fromCharCode(67 + i).repeat(43));
    // Each author sends one message every 400 ms on average, with bursts: some get limited.
    const messages = Array.from({ length: 100_000 }, (_, i) => entry(authors[i % 8] as string, T0 + Math.floor(i / 8) * 400 - (i % 40 < 16 ? 399 : 0), 0));
    const live = createFloodGate();
    for (const message of messages) live.add([message]);
    const loaded = createFloodGate();
    loaded.add(shuffle(messages, 42));
    const hidden = authors.map((author) => live.hiddenCount(author));
    expect(authors.map((author) => loaded.hiddenCount(author))).toEqual(hidden);
    expect(hiddenIds(loaded, messages)).toEqual(hiddenIds(live, messages));
  });

  it('prices files by their bytes: 4 GiB at once, then 2 GiB an hour, the same verdict in any order', () => {
    const GIB = 1024 ** 3;
    const sizes = new Map<string, number>();
    const file = (author: string, wallMs: number, size: number): MessageEntry => {
      const made = entry(author, wallMs);
      sizes.set(made.id, size);
      return made;
    };
    const entries = [
      file(ALICE, T0, 2 * GIB),
      file(ALICE, T0 + 1000, 2 * GIB),
      // Over the burst: hidden.
      file(ALICE, T0 + 2000, GIB),
      // Half an hour later, 1 GiB has come back.
      file(ALICE, T0 + 1_800_000 + 5000, GIB),
      // Bob has his own allowance.
      file(BOB, T0 + 2000, 2 * GIB),
    ];
    const verdicts = [1, 2, 3].map((seed) => {
      const gate = createFloodGate(FILE_BYTES_POLICY, (e) => sizes.get(e.id) ?? 0);
      gate.add(shuffle(entries, seed));
      return hiddenIds(gate, entries);
    });
    expect(verdicts[0]).toEqual([entries[2]!.id]);
    expect(verdicts[1]).toEqual(verdicts[0]);
    expect(verdicts[2]).toEqual(verdicts[0]);
  });
});
