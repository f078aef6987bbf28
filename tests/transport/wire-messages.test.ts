import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  MAX_LIVE_UPDATE_BYTES,
  MAX_LIVE_UPDATE_STRUCTS,
  checkLiveUpdate,
  countMissing,
  encodeAwareness,
  encodeHello,
  encodeSyncRequest,
  encodeSyncStep1,
  encodeSyncStep2,
  encodeSyncUpdate,
  parseWireMessage,
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

describe('wire messages', () => {
  it('parse back what the encoders write', () => {
    const doc = docWith(3);
    const update = Y.encodeStateAsUpdate(doc);
    expect(parseWireMessage(encodeSyncStep1(doc))).toEqual({ kind: 'sync-step1', stateVector: Y.encodeStateVector(doc) });
    expect(parseWireMessage(encodeSyncStep2(doc, new Uint8Array([0])))).toEqual({ kind: 'sync-step2', update });
    expect(parseWireMessage(encodeSyncUpdate(update))).toEqual({ kind: 'sync-update', update });
    expect(parseWireMessage(encodeAwareness(Uint8Array.of(0)))).toEqual({ kind: 'awareness', update: Uint8Array.of(0) });
    expect(parseWireMessage(encodeHello(0xffffffff))).toEqual({ kind: 'hello', clientId: 0xffffffff });
    expect(parseWireMessage(encodeSyncRequest())).toEqual({ kind: 'sync-request' });
  });

  it('name unknown types and sync steps, and refuse truncated or over-long messages', () => {
    const reason = (...bytes: number[]): unknown => {
      const parsed = parseWireMessage(Uint8Array.from(bytes));
      return parsed.kind === 'invalid' ? parsed.reason : parsed.kind;
    };
    expect(reason(4)).toBe('unknown_type');
    expect(reason(0x80, 0x80, 0x01)).toBe('unknown_type');
    expect(reason(0, 3, 0)).toBe('unknown_type');
    expect(reason()).toBe('decode');
    expect(reason(0x80)).toBe('decode');
    expect(reason(0, 2, 5, 1, 2)).toBe('decode');
    expect(reason(1, 0xff, 0xff, 0x03)).toBe('decode');
    expect(reason(2)).toBe('decode');
    expect(reason(2, 0x80, 0x80, 0x80, 0x80, 0x10)).toBe('decode');
    expect(reason(3, 0)).toBe('decode');
    expect(reason(0, 2, 1, 0, 7)).toBe('decode');
  });

  it('never throw on random bytes', () => {
    const random = createRandom(11);
    for (let i = 0; i < 2000; i++) {
      const bytes = Uint8Array.from({ length: random.int(24) }, () => random.int(256));
      expect(() => parseWireMessage(bytes)).not.toThrow();
      expect(() => checkLiveUpdate(bytes)).not.toThrow();
    }
  });

  it('let a live update of one message through and refuse one carrying more structs or bytes than a live update may', () => {
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on('update', (update: Uint8Array) => updates.push(update));
    doc.getMap('messages').set('one', { text: 'hello' });
    doc.getMap('messages').delete('one');
    expect(updates.map(checkLiveUpdate)).toEqual([null, null]);
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
  });

  it('count what a step 2 answering a state vector would carry', () => {
    const doc = docWith(50);
    expect(countMissing(doc, Y.encodeStateVector(new Y.Doc()))).toBe(50);
    expect(countMissing(doc, Y.encodeStateVector(doc))).toBe(0);
    expect(() => countMissing(doc, Uint8Array.of(3, 1))).toThrow();
  });
});
