import { describe, expect, it } from 'vitest';
import { deriveRoomKeys, createRoomSecret } from '../../src/crypto/keys.js';
import { CHUNK_PAYLOAD_BYTES, LINK_PARTIAL_BYTES, MAX_CHUNKS, MAX_MESSAGE_BYTES, PARTIAL_EXPIRY_MS, ReassemblyBudget, createReassembler, openFrame, sealAndChunk, type ChunkResult, type Reassembler } from '../../src/transport/wire-frames.js';
import { rawChunk } from '../helpers/chunks.js';
import { createRandom } from '../helpers/random.js';

const key = deriveRoomKeys(createRoomSecret()).wireKey;

/** Feeds chunks to a reassembler and opens what completes, as the provider does. */
async function receiveAll(reassembler: Reassembler, chunks: readonly Uint8Array[]): Promise<Array<Uint8Array | string>> {
  const out: Array<Uint8Array | string> = [];
  for (const chunk of chunks) {
    const result: ChunkResult = reassembler.push(chunk);
    if (result.kind === 'dropped') out.push(`dropped:${result.reason}`);
    else if (result.kind === 'complete') out.push((await openFrame(key, result.sealed)) ?? 'dropped:decrypt');
  }
  return out;
}

const header = rawChunk;

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
    const reassembler = createReassembler();
    const foreign = await sealAndChunk(deriveRoomKeys(createRoomSecret()).wireKey, new Uint8Array(10), 1);
    expect(await receiveAll(reassembler, foreign)).toEqual(['dropped:decrypt']);
    const good = await sealAndChunk(key, new Uint8Array(40_000), 2);
    expect(reassembler.push(good[0] as Uint8Array).kind).toBe('pending');
    expect(reassembler.push(good[0] as Uint8Array)).toEqual({ kind: 'dropped', reason: 'chunk' });
    // The old version byte, an empty chunk, a header alone.
    for (const bad of [new Uint8Array(0), new Uint8Array(13), Uint8Array.from([1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 5])]) expect(reassembler.push(bad)).toEqual({ kind: 'dropped', reason: 'chunk' });
    expect(reassembler.push(header(77, 3, 2))).toEqual({ kind: 'dropped', reason: 'chunk' }); // index beyond count
    const fresh = await sealAndChunk(key, new Uint8Array(40_000), 3);
    expect(fresh.length).toBe(3);
    const damaged = (fresh[1] as Uint8Array).slice();
    damaged[100] = (damaged[100] as number) ^ 1;
    expect(await receiveAll(reassembler, [fresh[0] as Uint8Array, damaged, fresh[2] as Uint8Array])).toEqual(['dropped:decrypt']);
    expect(await receiveAll(reassembler, await sealAndChunk(key, Uint8Array.from([1, 2, 3]), 4))).toEqual([Uint8Array.from([1, 2, 3])]);
  });

  it('refuses a message larger than any peer sends from its first chunk, before holding or opening anything', () => {
    const reassembler = createReassembler();
    expect(reassembler.push(header(1, 0, MAX_CHUNKS + 1))).toEqual({ kind: 'dropped', reason: 'size' });
    expect(reassembler.push(header(2, 0, 0xffffffff))).toEqual({ kind: 'dropped', reason: 'size' });
    expect(reassembler.partialBytes()).toBe(0);
    expect(MAX_CHUNKS * CHUNK_PAYLOAD_BYTES).toBeGreaterThanOrEqual(MAX_MESSAGE_BYTES);
  });

  it('holds at most its link budget of partial messages (4 × N−1 of N chunks fits only twice)', () => {
    const reassembler = createReassembler();
    const results: string[] = [];
    for (let id = 1; id <= 4; id++) {
      for (let index = 0; index < MAX_CHUNKS - 1; index++) {
        const result = reassembler.push(header(id, index, MAX_CHUNKS, CHUNK_PAYLOAD_BYTES));
        if (index === 0) results.push(result.kind === 'dropped' ? result.reason : result.kind);
      }
    }
    expect(results).toEqual(['pending', 'pending', 'budget', 'budget']);
    expect(reassembler.partialBytes()).toBeLessThanOrEqual(LINK_PARTIAL_BYTES);
  });

  it('shares one page budget across links, expires what never completes, and gives the bytes back when a link closes', () => {
    let now = 0;
    const budget = new ReassemblyBudget(3 * MAX_CHUNKS * CHUNK_PAYLOAD_BYTES);
    let expired = 0;
    const links = Array.from({ length: 5 }, () => createReassembler({ budget, now: () => now, onExpired: () => void expired++ }));
    const kinds = links.map((link, id) => link.push(header(id + 1, 0, MAX_CHUNKS)).kind);
    // Three of the largest fit in the page's budget; the other links are refused until bytes come back.
    expect(kinds).toEqual(['pending', 'pending', 'pending', 'dropped', 'dropped']);
    expect(budget.used).toBe(3 * MAX_CHUNKS * CHUNK_PAYLOAD_BYTES);
    links[0]?.clear();
    expect(links[3]?.push(header(4, 0, MAX_CHUNKS)).kind).toBe('pending');
    // Nothing completes: past the expiry, any link's next chunk sweeps every stale partial message.
    now += PARTIAL_EXPIRY_MS + 1;
    expect(links[4]?.push(header(5, 0, 2)).kind).toBe('pending');
    expect(expired).toBe(3);
    expect(budget.used).toBe(2 * CHUNK_PAYLOAD_BYTES);
  });

  it('survives 20,000 seeded random chunks without throwing or yielding a message', async () => {
    const random = createRandom(99);
    const reassembler = createReassembler();
    const chunks = Array.from({ length: 20_000 }, () => {
      const chunk = Uint8Array.from({ length: random.int(64) }, () => random.int(256));
      if (chunk.length > 0 && random.next() < 0.5) chunk[0] = 2;
      return chunk;
    });
    const results = await receiveAll(reassembler, chunks);
    expect(results.every((result) => typeof result === 'string')).toBe(true);
  });
});
