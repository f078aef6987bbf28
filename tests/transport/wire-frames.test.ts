import { describe, expect, it } from 'vitest';
import { deriveRoomKeys, createRoomSecret } from '../../src/crypto/keys.js';
import { CHUNK_PAYLOAD_BYTES, createReassembler, openFrame, sealAndChunk, type ChunkResult } from '../../src/transport/wire-frames.js';
import { createRandom } from '../helpers/random.js';

const key = deriveRoomKeys(createRoomSecret()).wireKey;

/** Feeds chunks to a reassembler and opens what completes, as the provider does. */
async function receiveAll(receive: (chunk: Uint8Array) => ChunkResult, chunks: readonly Uint8Array[]): Promise<Array<Uint8Array | string>> {
  const out: Array<Uint8Array | string> = [];
  for (const chunk of chunks) {
    const result = receive(chunk);
    if (result.kind === 'dropped') out.push(`dropped:${result.reason}`);
    else if (result.kind === 'complete') out.push((await openFrame(key, result.sealed)) ?? 'dropped:decrypt');
  }
  return out;
}

describe('wire frames', () => {
  it('seals and chunks under the data-channel limit, and reassembles interleaved messages', async () => {
    const random = createRandom(11);
    const messages = [0, 1, CHUNK_PAYLOAD_BYTES, 300_000, 5_000].map((length) => Uint8Array.from({ length }, () => random.int(256)));
    const chunked = await Promise.all(messages.map((message, i) => sealAndChunk(key, message, i + 1)));
    for (const chunks of chunked) for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(16 * 1024);
    expect(chunked[3]?.length).toBeGreaterThan(16);
    // Interleave the big message with a small one, as two updates in flight would be.
    const big = chunked[3] ?? [];
    const order = [...big.slice(0, 5), ...(chunked[4] ?? []), ...big.slice(5), ...(chunked[0] ?? []), ...(chunked[1] ?? []), ...(chunked[2] ?? [])];
    expect(await receiveAll(createReassembler(), order)).toEqual([messages[4], messages[3], messages[0], messages[1], messages[2]]);
  });

  it('drops chunks sealed with another key, damaged, duplicated or malformed, and keeps working', async () => {
    const receive = createReassembler();
    const foreign = await sealAndChunk(deriveRoomKeys(createRoomSecret()).wireKey, new Uint8Array(10), 1);
    expect(await receiveAll(receive, foreign)).toEqual(['dropped:decrypt']);
    const good = await sealAndChunk(key, new Uint8Array(40_000), 2);
    expect(receive(good[0] as Uint8Array).kind).toBe('pending');
    expect(receive(good[0] as Uint8Array)).toEqual({ kind: 'dropped', reason: 'chunk' });
    for (const bad of [new Uint8Array(0), new Uint8Array(13), Uint8Array.from([9, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 5])]) expect(receive(bad)).toEqual({ kind: 'dropped', reason: 'chunk' });
    const header = (index: number, count: number): Uint8Array => {
      const chunk = new Uint8Array(20);
      const view = new DataView(chunk.buffer);
      view.setUint8(0, 1);
      view.setUint32(1, 77);
      view.setUint32(5, index);
      view.setUint32(9, count);
      return chunk;
    };
    expect(receive(header(3, 2))).toEqual({ kind: 'dropped', reason: 'chunk' }); // index beyond count
    expect(receive(header(0, 0xffffffff))).toEqual({ kind: 'dropped', reason: 'chunk' }); // absurd count
    const fresh = await sealAndChunk(key, new Uint8Array(40_000), 3);
    expect(fresh.length).toBe(3);
    const damaged = (fresh[1] as Uint8Array).slice();
    damaged[100] = (damaged[100] as number) ^ 1;
    expect(await receiveAll(receive, [fresh[0] as Uint8Array, damaged, fresh[2] as Uint8Array])).toEqual(['dropped:decrypt']);
    expect(await receiveAll(receive, await sealAndChunk(key, Uint8Array.from([1, 2, 3]), 4))).toEqual([Uint8Array.from([1, 2, 3])]);
  });

  it('survives 20,000 seeded random chunks without throwing or yielding a message', async () => {
    const random = createRandom(99);
    const receive = createReassembler({ maxMessageBytes: 1024 * 1024, maxPartialMessages: 4 });
    const chunks = Array.from({ length: 20_000 }, () => {
      const chunk = Uint8Array.from({ length: random.int(64) }, () => random.int(256));
      if (chunk.length > 0 && random.next() < 0.5) chunk[0] = 1;
      return chunk;
    });
    const results = await receiveAll(receive, chunks);
    expect(results.every((result) => typeof result === 'string')).toBe(true);
  });
});
