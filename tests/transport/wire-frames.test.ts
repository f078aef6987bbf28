import { describe, expect, it } from 'vitest';
import { deriveRoomKeys, createRoomSecret } from '../../src/crypto/keys.js';
import { CHUNK_PAYLOAD_BYTES, createReassembler, sealAndChunk } from '../../src/transport/wire-frames.js';
import { createRandom } from '../helpers/random.js';

const key = deriveRoomKeys(createRoomSecret()).wireKey;

describe('wire frames', () => {
  it('seals and chunks under the data-channel limit, and reassembles interleaved messages', () => {
    const random = createRandom(11);
    const messages = [0, 1, CHUNK_PAYLOAD_BYTES, 300_000, 5_000].map((length) => Uint8Array.from({ length }, () => random.int(256)));
    const chunked = messages.map((message, i) => sealAndChunk(key, message, i + 1));
    for (const chunks of chunked) for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(16 * 1024);
    expect(chunked[3]?.length).toBeGreaterThan(16);
    const receive = createReassembler(key);
    const out: Uint8Array[] = [];
    // Interleave the big message with a small one, as two updates in flight would be.
    const order = [...(chunked[3] ?? []).slice(0, 5), ...(chunked[4] ?? []), ...(chunked[3] ?? []).slice(5), ...(chunked[0] ?? []), ...(chunked[1] ?? []), ...(chunked[2] ?? [])];
    for (const chunk of order) {
      const result = receive(chunk);
      if (result.kind === 'message') out.push(result.message);
      expect(result.kind).not.toBe('dropped');
    }
    expect(out).toEqual([messages[4], messages[3], messages[0], messages[1], messages[2]]);
  });

  it('drops chunks sealed with another key, damaged, duplicated or malformed, and keeps working', () => {
    const receive = createReassembler(key);
    const foreign = sealAndChunk(deriveRoomKeys(createRoomSecret()).wireKey, new Uint8Array(10), 1)[0] as Uint8Array;
    expect(receive(foreign)).toEqual({ kind: 'dropped', reason: 'decrypt' });
    const good = sealAndChunk(key, new Uint8Array(40_000), 2);
    expect(receive(good[0] as Uint8Array).kind).toBe('pending');
    expect(receive(good[0] as Uint8Array)).toEqual({ kind: 'dropped', reason: 'chunk' });
    for (const bad of [new Uint8Array(0), new Uint8Array(13), Uint8Array.from([9, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 5])]) expect(receive(bad)).toEqual({ kind: 'dropped', reason: 'chunk' });
    // index beyond count, and an absurd count
    const header = (index: number, count: number): Uint8Array => {
      const chunk = new Uint8Array(20);
      const view = new DataView(chunk.buffer);
      view.setUint8(0, 1);
      view.setUint32(1, 77);
      view.setUint32(5, index);
      view.setUint32(9, count);
      return chunk;
    };
    expect(receive(header(3, 2))).toEqual({ kind: 'dropped', reason: 'chunk' });
    expect(receive(header(0, 0xffffffff))).toEqual({ kind: 'dropped', reason: 'chunk' });
    const fresh = sealAndChunk(key, new Uint8Array(40_000), 3);
    expect(fresh.length).toBe(3);
    const damaged = (fresh[1] as Uint8Array).slice();
    damaged[100] = (damaged[100] as number) ^ 1;
    const results = [fresh[0], damaged, fresh[2]].map((chunk) => receive(chunk as Uint8Array));
    expect(results).toEqual([{ kind: 'pending' }, { kind: 'pending' }, { kind: 'dropped', reason: 'decrypt' }]);
    const last = sealAndChunk(key, Uint8Array.from([1, 2, 3]), 4).map((chunk) => receive(chunk)).at(-1);
    expect(last).toEqual({ kind: 'message', message: Uint8Array.from([1, 2, 3]) });
  });

  it('survives 20,000 seeded random chunks without throwing', () => {
    const random = createRandom(99);
    const receive = createReassembler(key, { maxMessageBytes: 1024 * 1024, maxPartialMessages: 4 });
    for (let i = 0; i < 20_000; i++) {
      const chunk = Uint8Array.from({ length: random.int(64) }, () => random.int(256));
      if (chunk.length > 0 && random.next() < 0.5) chunk[0] = 1;
      expect(receive(chunk).kind).not.toBe('message');
    }
  });
});
