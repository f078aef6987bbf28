import { describe, expect, it } from 'vitest';
import { compareMessages, createClock, formatStamp } from '../../src/core/hlc.js';
import { createMessageLog } from '../../src/core/message-log.js';
import type { MessageEntry } from '../../src/core/types.js';
import { toBase64Url } from '../../src/crypto/encoding.js';
import { createRandom } from '../helpers/random.js';

const T0 = 1_700_000_000_000;
const random = createRandom(0x10c);
const randomB64 = (bytes: number): string => toBase64Url(Uint8Array.from({ length: bytes }, () => random.int(256)));
const SIG = toBase64Url(new Uint8Array(64)); // the log never checks signatures itself

function makeEntry(hlc: string, author: string, text = 'hi', id = randomB64(16)): MessageEntry {
  return { v: 1, id, author, nick: 'Quiet Owl', hlc, text, sig: SIG };
}

const isSorted = (entries: readonly MessageEntry[]): boolean => entries.every((entry, i) => i === 0 || compareMessages(entries[i - 1] as MessageEntry, entry) < 0);

describe('message log ordering', () => {
  it('orders concurrent same-wallclock messages from different authors the same way on every peer', () => {
    const [alice, bob] = [randomB64(32), randomB64(32)].sort() as [string, string];
    const aliceClock = createClock(() => T0);
    const bobClock = createClock(() => T0);
    const sent = [
      makeEntry(aliceClock.tick(), alice, 'a1'),
      makeEntry(bobClock.tick(), bob, 'b1'),
      makeEntry(bobClock.tick(), bob, 'b2'),
      makeEntry(aliceClock.tick(), alice, 'a2'),
    ];
    const peer1 = createMessageLog();
    const peer2 = createMessageLog();
    for (const entry of sent) peer1.upsert(entry);
    for (const entry of [...sent].reverse()) peer2.upsert(entry);
    const texts = peer1.slice(0, 4).map((entry) => entry.text);
    // Equal stamps (counter 0, then 1) fall back to the author key.
    expect(texts).toEqual(['a1', 'b1', 'a2', 'b2']);
    expect(peer2.slice(0, 4)).toEqual(peer1.slice(0, 4));
  });

  it('puts a reply after the message it answers even when the replier clock is behind', () => {
    const [alice, bob] = [randomB64(32), randomB64(32)];
    const aheadClock = createClock(() => T0 + 30_000);
    const behindClock = createClock(() => T0);
    const question = makeEntry(aheadClock.tick(), alice as string, 'question');
    behindClock.observe(question.hlc);
    const answer = makeEntry(behindClock.tick(), bob as string, 'answer');
    const log = createMessageLog();
    log.upsert(answer);
    log.upsert(question);
    expect(log.slice(0, 2).map((entry) => entry.text)).toEqual(['question', 'answer']);
  });

  it('inserts out-of-order arrivals in place and keeps indexOf consistent', () => {
    const author = randomB64(32);
    const entries = Array.from({ length: 300 }, (_, i) => makeEntry(formatStamp({ wallMs: T0 + random.int(50), counter: i }), author));
    const log = createMessageLog();
    for (const entry of entries) expect(log.upsert(entry)).toBe(true);
    const all = log.slice(0, log.size);
    expect(all).toHaveLength(300);
    expect(isSorted(all)).toBe(true);
    all.forEach((entry, i) => expect(log.indexOf(entry.id)).toBe(i));
    expect(log.indexOf('missing')).toBe(-1);
  });

  it('replaces an id in place, moves it when its order changes, and ignores identical repeats', () => {
    const author = randomB64(32);
    const [a, b, c] = [0, 1, 2].map((counter) => makeEntry(formatStamp({ wallMs: T0, counter }), author)) as [MessageEntry, MessageEntry, MessageEntry];
    const log = createMessageLog();
    log.upsertMany([a, b, c]);
    expect(log.upsert({ ...b })).toBe(false);
    expect(log.upsert({ ...b, text: 'edited' })).toBe(true);
    expect(log.size).toBe(3);
    expect(log.slice(1, 2)[0]?.text).toBe('edited');
    expect(log.upsert({ ...a, hlc: formatStamp({ wallMs: T0 + 1, counter: 0 }) })).toBe(true);
    expect(log.slice(0, 3).map((entry) => entry.id)).toEqual([b.id, c.id, a.id]);
    expect(log.indexOf(a.id)).toBe(2);
  });

  it('removes entries by id', () => {
    const author = randomB64(32);
    const entries = [0, 1, 2].map((counter) => makeEntry(formatStamp({ wallMs: T0, counter }), author));
    const log = createMessageLog();
    log.upsertMany(entries);
    expect(log.remove(entries[1]?.id as string)).toBe(true);
    expect(log.remove(entries[1]?.id as string)).toBe(false);
    expect(log.size).toBe(2);
    expect(log.indexOf(entries[2]?.id as string)).toBe(1);
    expect(log.statusOf(entries[1]?.id as string)).toBeUndefined();
  });
});

describe('message log verification status', () => {
  it('starts pending, records verdicts, and lists pending ids in a range', () => {
    const author = randomB64(32);
    const entries = Array.from({ length: 10 }, (_, counter) => makeEntry(formatStamp({ wallMs: T0, counter }), author));
    const log = createMessageLog();
    log.upsertMany(entries);
    expect(log.pendingIn(2, 6)).toEqual(entries.slice(2, 6).map((entry) => entry.id));
    log.markVerified(entries[3]?.id as string, true);
    log.markVerified(entries[4]?.id as string, false);
    expect(log.statusOf(entries[3]?.id as string)).toBe('valid');
    expect(log.statusOf(entries[4]?.id as string)).toBe('invalid');
    expect(log.statusOf(entries[5]?.id as string)).toBe('pending');
    expect(log.pendingIn(2, 6)).toEqual([entries[2]?.id, entries[5]?.id]);
    log.markVerified('missing', true);
    expect(log.statusOf('missing')).toBeUndefined();
  });

  it('resets to pending when an entry changes, and ignores a verdict about a replaced version', () => {
    const entry = makeEntry(formatStamp({ wallMs: T0, counter: 0 }), randomB64(32));
    const log = createMessageLog();
    log.upsert(entry);
    log.markVerified(entry.id, true, entry);
    const tampered = { ...entry, text: 'tampered' };
    log.upsert(tampered);
    expect(log.statusOf(entry.id)).toBe('pending');
    log.markVerified(entry.id, true, entry); // a slow check of the old version finishing late
    expect(log.statusOf(entry.id)).toBe('pending');
    log.markVerified(entry.id, false, tampered);
    expect(log.statusOf(entry.id)).toBe('invalid');
    log.upsertMany([{ ...tampered }]);
    expect(log.statusOf(entry.id)).toBe('invalid');
  });
});

describe('message log bulk load', () => {
  it('loads 100k entries in random order into the right order', () => {
    const authors = Array.from({ length: 25 }, () => randomB64(32));
    let wall = T0;
    const clocks = authors.map(() => createClock(() => wall));
    const entries: MessageEntry[] = [];
    for (let i = 0; i < 100_000; i++) {
      if (random.next() < 0.5) wall += random.int(3);
      const who = random.int(authors.length);
      entries.push(makeEntry((clocks[who] as ReturnType<typeof createClock>).tick(), authors[who] as string, `m${i}`));
    }
    const shuffled = [...entries];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = random.int(i + 1);
      [shuffled[i], shuffled[j]] = [shuffled[j] as MessageEntry, shuffled[i] as MessageEntry];
    }
    const log = createMessageLog();
    expect(log.upsertMany(shuffled)).toBe(100_000);
    expect(log.size).toBe(100_000);
    const all = log.slice(0, log.size);
    expect(isSorted(all)).toBe(true);
    expect(all.map((entry) => entry.id)).toEqual([...entries].sort(compareMessages).map((entry) => entry.id));
    for (let k = 0; k < 200; k++) {
      const at = random.int(all.length);
      expect(log.indexOf((all[at] as MessageEntry).id)).toBe(at);
    }
    expect(log.pendingIn(99_990, 100_000)).toHaveLength(10);
    // Live messages after the bulk load still go in order.
    const live = makeEntry((clocks[0] as ReturnType<typeof createClock>).tick(), authors[0] as string, 'live');
    wall += 1;
    expect(log.upsert(live)).toBe(true);
    expect(isSorted(log.slice(0, log.size))).toBe(true);
  });
});
