/**
 * The one parser every opened message goes through: what the encoders write comes back as written,
 * and anything else (unknown, truncated, over-long, oversized, random) is a counted reason, never a
 * throw and never a hang (a hang fails the test by its timeout).
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { MAX_MEDIA_MESSAGE_BYTES } from '../../src/core/call-state.js';
import { MAX_CLIENT_ID } from '../../src/core/presence-record.js';
import { MAX_MESSAGE_BYTES } from '../../src/transport/wire-frames.js';
import {
  CHALLENGE_BYTES,
  MAX_LIVE_UPDATE_BYTES,
  MAX_LIVE_UPDATE_STRUCTS,
  MAX_PIECE_BYTES,
  MAX_PIECE_CREDITS,
  MAX_PREVIEW_BYTES,
  MAX_STATE_VECTOR_BYTES,
  checkLiveUpdate,
  countMissing,
  encodeAck,
  encodeHello,
  encodeLiveUpdate,
  encodeMedia,
  encodePiece,
  encodePresence,
  encodePreview,
  encodeProof,
  encodeStateVector,
  encodeSyncRequest,
  parseWireMessage,
  type WireMessage,
} from '../../src/transport/wire-messages.js';
import { createRandom } from '../helpers/random.js';

/** A document whose client wrote `n` map entries in one transaction. */
function docWith(n: number, value: (i: number) => unknown = (i) => i): Y.Doc {
  const doc = new Y.Doc();
  doc.transact(() => {
    for (let i = 0; i < n; i++) doc.getMap('messages').set(`k${i}`, value(i));
  });
  return doc;
}

/** The parsed kind, or the reason it was refused. */
const verdict = (bytes: Uint8Array | readonly number[]): string => {
  const parsed = parseWireMessage(bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes));
  return parsed.kind === 'invalid' ? parsed.reason : parsed.kind;
};

/** An unsigned LEB128 varint, as lib0 writes it. */
function varUint(value: number): number[] {
  const out: number[] = [];
  while (value >= 0x80) {
    out.push((value % 0x80) | 0x80);
    value = Math.floor(value / 0x80);
  }
  out.push(value);
  return out;
}

/** 147 bytes of 0x80 then 0x01: lib0's readVarUint makes Infinity of it (lib0 0.2). */
const INFINITE_VARINT: readonly number[] = [...new Array<number>(147).fill(0x80), 0x01];

const bytes = (length: number, fill = 7): Uint8Array => new Uint8Array(length).fill(fill);

describe('wire messages', () => {
  it('parse back what every encoder writes', () => {
    const doc = docWith(3);
    const update = Y.encodeStateAsUpdate(doc);
    const challenge = Uint8Array.from({ length: CHALLENGE_BYTES }, (_, i) => i);
    const key = bytes(32, 1);
    const sig = bytes(64, 2);
    const cases: Array<[Uint8Array, WireMessage]> = [
      [encodeStateVector(doc), { kind: 'state-vector', stateVector: Y.encodeStateVector(doc) }],
      [encodeLiveUpdate(update), { kind: 'live-update', update }],
      [encodePresence(Uint8Array.of(0)), { kind: 'presence', update: Uint8Array.of(0) }],
      [encodeHello(challenge), { kind: 'hello', challenge }],
      [encodeProof(MAX_CLIENT_ID, key, sig), { kind: 'proof', clientId: MAX_CLIENT_ID, key, sig }],
      [encodeProof(0, key, sig), { kind: 'proof', clientId: 0, key, sig }],
      [encodeSyncRequest(), { kind: 'sync-request' }],
      [encodePiece(update, false), { kind: 'piece', last: false, update }],
      [encodePiece(update, true), { kind: 'piece', last: true, update }],
      [encodeAck(1), { kind: 'ack', pieces: 1 }],
      [encodeAck(MAX_PIECE_CREDITS), { kind: 'ack', pieces: MAX_PIECE_CREDITS }],
      [encodePreview(bytes(100)), { kind: 'preview', preview: bytes(100) }],
      [encodeMedia('{"seq":1}'), { kind: 'media', text: '{"seq":1}' }],
    ];
    for (const [encoded, expected] of cases) expect(parseWireMessage(encoded)).toEqual(expected);
  });

  it('carry the largest payload each kind allows, and refuse one byte more as size', () => {
    const stateVector = (payload: Uint8Array): Uint8Array => {
      const length = Uint8Array.from(varUint(payload.length));
      const message = new Uint8Array(2 + length.length + payload.length);
      message.set(length, 2);
      message.set(payload, 2 + length.length);
      return message;
    };
    const cases: Array<[string, (payload: Uint8Array) => Uint8Array, number]> = [
      ['live-update', encodeLiveUpdate, MAX_LIVE_UPDATE_BYTES],
      ['piece', (payload) => encodePiece(payload, false), MAX_PIECE_BYTES],
      ['preview', encodePreview, MAX_PREVIEW_BYTES],
      ['state-vector', stateVector, MAX_STATE_VECTOR_BYTES],
    ];
    for (const [kind, encode, max] of cases) {
      expect(verdict(encode(bytes(max)))).toBe(kind);
      expect(verdict(encode(bytes(max + 1)))).toBe('size');
    }
    expect(verdict(encodeMedia('m'.repeat(MAX_MEDIA_MESSAGE_BYTES)))).toBe('media');
    expect(verdict(encodeMedia('m'.repeat(MAX_MEDIA_MESSAGE_BYTES + 1)))).toBe('size');
    expect(verdict(encodeAck(MAX_PIECE_CREDITS + 1))).toBe('decode');
    expect(verdict(Uint8Array.of(5, 2, 0))).toBe('decode');
    expect(verdict(Uint8Array.of(4, ...varUint(MAX_CLIENT_ID + 1), 32, ...bytes(32), 64, ...bytes(64)))).toBe('decode');
  });

  it('refuse a challenge, key or signature of the wrong length', () => {
    expect(verdict(encodeHello(bytes(CHALLENGE_BYTES - 1)))).toBe('shape');
    expect(verdict(encodeHello(bytes(CHALLENGE_BYTES + 1)))).toBe('size');
    expect(verdict(encodeProof(1, bytes(31), bytes(64)))).toBe('shape');
    expect(verdict(encodeProof(1, bytes(32), bytes(63)))).toBe('shape');
    expect(verdict(encodeProof(1, bytes(33), bytes(64)))).toBe('size');
  });

  it('name unknown types and sync steps', () => {
    for (let type = 16; type <= 255; type++) expect(verdict(varUint(type))).toBe('unknown_type');
    for (const step of [1, 3, 255]) expect(verdict([0, step, 0])).toBe('unknown_type');
    // A type or step past one byte's range is not read as a number at all.
    expect(verdict(varUint(256))).toBe('decode');
    expect(verdict([0, ...varUint(256), 0])).toBe('decode');
  });

  it('refuse truncated messages, lengths beyond the message, and trailing bytes as decode', () => {
    const cases: number[][] = [
      [],
      [0x80],
      [0],
      [0, 0],
      [0, 2, 5, 1, 2],
      [1, 0xff, 0xff, 0x03],
      [2],
      [2, 16, 1, 2, 3],
      [4, 1, 32],
      [5],
      [5, 0],
      [6],
      [7, 3, 1],
      // Trailing bytes after a complete message.
      [3, 0],
      [6, 1, 0],
      [0, 2, 1, 0, 7],
      [1, 1, 0, 9],
    ];
    for (const message of cases) expect(verdict(message), JSON.stringify(message)).toBe('decode');
  });

  it('refuse over-long varints in every position at once, as decode', () => {
    const cases: number[][] = [
      INFINITE_VARINT as number[],
      [0, ...INFINITE_VARINT],
      [0, 2, ...INFINITE_VARINT],
      [1, ...INFINITE_VARINT],
      [2, ...INFINITE_VARINT],
      [4, ...INFINITE_VARINT, 32, ...bytes(32), 64, ...bytes(64)],
      [5, ...INFINITE_VARINT],
      [5, 1, ...INFINITE_VARINT],
      [6, ...INFINITE_VARINT],
      [7, ...INFINITE_VARINT],
      // Nine bytes carry more bits than any length may have, whatever their value.
      [1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00],
    ];
    for (const message of cases) expect(verdict(message)).toBe('decode');
  });

  it('refuse a message over MAX_MESSAGE_BYTES as size before reading it', () => {
    // type 1, a 3-byte length, the payload: exactly MAX_MESSAGE_BYTES.
    const largest = encodePresence(bytes(MAX_MESSAGE_BYTES - 4));
    expect(largest.length).toBe(MAX_MESSAGE_BYTES);
    expect(verdict(largest)).toBe('presence');
    expect(verdict(encodePresence(bytes(MAX_MESSAGE_BYTES - 3)))).toBe('size');
    // Even one that would otherwise parse, or is junk from its first byte.
    const padded = new Uint8Array(MAX_MESSAGE_BYTES + 1);
    padded[0] = 3;
    expect(verdict(padded)).toBe('size');
    expect(verdict(bytes(MAX_MESSAGE_BYTES + 1, 0x80))).toBe('size');
  });

  it('never throw on random bytes or on mutations of valid messages', () => {
    const random = createRandom(11);
    const kinds = new Set(['state-vector', 'live-update', 'presence', 'hello', 'proof', 'sync-request', 'piece', 'ack', 'preview', 'invalid']);
    const doc = docWith(5);
    const valid = [
      encodeStateVector(doc),
      encodeLiveUpdate(Y.encodeStateAsUpdate(doc)),
      encodePresence(bytes(40)),
      encodeHello(bytes(CHALLENGE_BYTES)),
      encodeProof(77, bytes(32), bytes(64)),
      encodeSyncRequest(),
      encodePiece(Y.encodeStateAsUpdate(doc), true),
      encodeAck(3),
      encodePreview(bytes(30)),
    ];
    const seen = new Set<string>();
    for (let i = 0; i < 4000; i++) {
      let input: Uint8Array;
      if (i % 2 === 0) {
        input = Uint8Array.from({ length: random.int(24) }, () => (random.next() < 0.3 ? random.int(9) : random.int(256)));
      } else {
        input = random.pick(valid).slice();
        for (let flips = 1 + random.int(3); flips > 0; flips--) input[random.int(input.length)] = random.int(256);
        if (random.next() < 0.2) input = input.subarray(0, random.int(input.length));
      }
      let parsed: WireMessage | undefined;
      expect(() => (parsed = parseWireMessage(input))).not.toThrow();
      expect(kinds.has(parsed?.kind ?? 'threw')).toBe(true);
      seen.add(parsed?.kind ?? 'threw');
      expect(() => checkLiveUpdate(input)).not.toThrow();
    }
    // The fuzz reached well-formed messages as well as refusals.
    expect(seen.size).toBeGreaterThan(5);
  });

  it('let a live update of one message through and refuse one carrying more structs or bytes than a live update may', () => {
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on('update', (update: Uint8Array) => updates.push(update));
    doc.getMap('messages').set('one', { text: 'hello' });
    doc.getMap('messages').delete('one');
    expect(updates.map(checkLiveUpdate)).toEqual([null, null]);
    expect(checkLiveUpdate(Y.encodeStateAsUpdate(new Y.Doc()))).toBeNull();
    expect(checkLiveUpdate(Y.encodeStateAsUpdate(docWith(MAX_LIVE_UPDATE_STRUCTS)))).toBeNull();
    expect(checkLiveUpdate(Y.encodeStateAsUpdate(docWith(MAX_LIVE_UPDATE_STRUCTS + 1)))).toBe('unsolicited');
    const bulky = Y.encodeStateAsUpdate(docWith(1, () => 'x'.repeat(MAX_LIVE_UPDATE_BYTES)));
    expect(checkLiveUpdate(bulky)).toBe('unsolicited');
  });

  it('count the structs of every client in an update that names several', () => {
    const few = Y.mergeUpdates([Y.encodeStateAsUpdate(docWith(100)), Y.encodeStateAsUpdate(docWith(100))]);
    expect(checkLiveUpdate(few)).toBeNull();
    // Each client is under the cap (the first one alone would pass); together they are over it.
    const many = Y.mergeUpdates([Y.encodeStateAsUpdate(docWith(150)), Y.encodeStateAsUpdate(docWith(150))]);
    expect(checkLiveUpdate(many)).toBe('unsolicited');
    expect(checkLiveUpdate(Uint8Array.of(2, 1))).toBe('decode');
    expect(checkLiveUpdate(Uint8Array.of(1, ...INFINITE_VARINT))).toBe('decode');
  });

  it('count what a history answering a state vector would carry', () => {
    const doc = docWith(50);
    expect(countMissing(doc, Y.encodeStateVector(new Y.Doc()))).toBe(50);
    expect(countMissing(doc, Y.encodeStateVector(doc))).toBe(0);
    // A peer holding other clients' entries lacks all of ours; one holding ours and more lacks nothing.
    const partial = new Y.Doc();
    Y.applyUpdate(partial, Y.encodeStateAsUpdate(docWith(1)));
    const ahead = new Y.Doc();
    Y.applyUpdate(ahead, Y.encodeStateAsUpdate(doc));
    ahead.getMap('messages').set('extra', 1);
    expect(countMissing(doc, Y.encodeStateVector(ahead))).toBe(0);
    expect(countMissing(doc, Y.encodeStateVector(partial))).toBe(50);
    // A state vector claiming more than we hold asks for nothing.
    expect(countMissing(doc, Uint8Array.of(1, ...varUint(doc.clientID), ...varUint(1000)))).toBe(0);
    expect(countMissing(doc, Uint8Array.of(1, ...varUint(doc.clientID), 20))).toBe(30);
    expect(() => countMissing(doc, Uint8Array.of(3, 1))).toThrow();
  });
});
