/**
 * Signed presence records on the wire: what a member signs, and what a decoder makes of anything
 * a peer sends. The decoder runs over random and adversarial inputs; it must return on each (a
 * hang fails the test by its timeout: the old filter re-encoded lib0's Infinity and never did).
 */
import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import { decodePresenceUpdate, encodePresenceUpdate, MAX_PRESENCE_CLOCK, parsePresenceRecord, signPresence, verifyPresenceRecord } from '../../src/core/presence-record.js';
import { createIdentity } from '../../src/crypto/identity.js';
import { createRandom } from '../helpers/random.js';

const FIELDS = { nick: 'Calm Heron', color: '#3a6ea5', status: 'online', text: '', typing: false } as const;

/** The 287-byte update that froze every tab: a clock of 147 bytes of 0x80 then 0x01. */
function infinityClockUpdate(): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 1);
  encoding.writeVarUint(encoder, 1234);
  for (let i = 0; i < 147; i++) encoding.writeUint8(encoder, 0x80);
  encoding.writeUint8(encoder, 0x01);
  encoding.writeVarString(encoder, JSON.stringify({ nick: 'x'.repeat(123) }));
  return encoding.toUint8Array(encoder);
}

describe('signed presence records', () => {
  it('verify for the key, client id, clock and state they were signed with, and for nothing else', async () => {
    const identity = await createIdentity();
    const record = await signPresence(identity, 42, 7, FIELDS);
    expect(record.state).toEqual({ ...FIELDS, key: record.key });
    expect(await verifyPresenceRecord(record)).toBe(true);
    const decoded = decodePresenceUpdate(encodePresenceUpdate([record]));
    expect(decoded?.records).toHaveLength(1);
    expect(await verifyPresenceRecord(decoded?.records[0] as typeof record)).toBe(true);
    // The same signature under another client id, clock or state fails.
    const moved = [parsePresenceRecord(43, 7, record.json), parsePresenceRecord(42, 8, record.json), parsePresenceRecord(42, 7, record.json.replace('Calm Heron', 'Fake Heron'))];
    for (const other of moved) {
      expect(typeof other).toBe('object');
      expect(await verifyPresenceRecord(other as typeof record)).toBe(false);
    }
    const gone = await signPresence(identity, 42, 8, null);
    expect(gone.state).toBeNull();
    expect(await verifyPresenceRecord(gone)).toBe(true);
  });

  it('refuse the Infinity clock and over-long varints at once, without re-encoding anything', () => {
    const update = infinityClockUpdate();
    expect(update.length).toBe(287);
    expect(decodePresenceUpdate(update)).toBeNull();
    for (const bytes of [Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 1), Uint8Array.of(1, 0xff, 0xff, 0xff, 0xff, 0x7f), Uint8Array.of(1, 1, ...new Array<number>(9).fill(0xff), 1)]) expect(decodePresenceUpdate(bytes)).toBeNull();
    // A clock past the signed range is refused too, though JavaScript can hold it.
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, 1);
    encoding.writeVarUint(encoder, 1);
    encoding.writeVarUint(encoder, MAX_PRESENCE_CLOCK + 1);
    encoding.writeVarString(encoder, '{}');
    expect(decodePresenceUpdate(encoding.toUint8Array(encoder))).toBeNull();
  });

  it('drop records that are not records, and count each', async () => {
    const identity = await createIdentity();
    const good = await signPresence(identity, 1, 1, FIELDS);
    const bad = ['null', '[]', '{"key":1,"sig":2,"state":3}', JSON.stringify({ key: good.key, sig: good.sig, state: '{"nick":"x"}' }), JSON.stringify({ key: good.key, sig: good.sig, state: 'not json' }), JSON.stringify({ key: good.key.slice(1), sig: good.sig, state: '' }), JSON.stringify({ key: good.key, sig: good.sig, state: '', extra: 1 })];
    const decoded = decodePresenceUpdate(encodePresenceUpdate([good, ...bad.map((json, i) => ({ clientId: i + 2, clock: 1, json }))]));
    expect(decoded?.records.map((record) => record.clientId)).toEqual([1]);
    expect(decoded?.dropped).toHaveLength(bad.length);
  });

  it('return on 20,000 random and mutated updates', async () => {
    const random = createRandom(0x5eed);
    const identity = await createIdentity();
    const honest = encodePresenceUpdate([await signPresence(identity, 9, 3, FIELDS), await signPresence(identity, 10, 4, null)]);
    let parsed = 0;
    for (let i = 0; i < 20_000; i++) {
      let bytes: Uint8Array;
      if (i % 3 === 0) bytes = Uint8Array.from({ length: random.int(300) }, () => random.int(256));
      else {
        bytes = honest.slice();
        for (let flips = 1 + random.int(6); flips > 0; flips--) bytes[random.int(bytes.length)] = random.pick([0x80, 0xff, 0x00, 0x7f, random.int(256)]);
        if (random.next() < 0.2) bytes = Uint8Array.of(...bytes.subarray(0, 2), ...new Array<number>(random.int(200)).fill(0x80), ...bytes.subarray(2));
      }
      const decoded = decodePresenceUpdate(bytes);
      if (decoded !== null) parsed += decoded.records.length;
    }
    // Some mutations leave valid records (a flipped byte in the signature): they still decode, and would fail verification.
    expect(parsed).toBeGreaterThan(0);
  });
});
