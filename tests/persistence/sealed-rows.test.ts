import { describe, expect, it } from 'vitest';
import { createRoomSecret, deriveRoomKeys } from '../../src/crypto/keys.js';
import { concatBytes } from '../../src/crypto/encoding.js';
import { openRow, ROW_TAIL, ROW_UPDATE, sealRow } from '../../src/persistence/sealed-rows.js';
import { createRandom } from '../helpers/random.js';

const { storeKey } = deriveRoomKeys(createRoomSecret());
const MiB = 1 << 20;
/** Sealed bytes of one full 1 MiB segment: 16-byte header, 1 MiB, IV and tag. */
const SEGMENT = 16 + MiB + 28;

function payload(bytes: number, seed: number): Uint8Array {
  const random = createRandom(seed);
  const data = new Uint8Array(bytes);
  const words = new Uint32Array(data.buffer, 0, bytes >>> 2);
  for (let i = 0; i < words.length; i++) words[i] = random.int(2 ** 32);
  for (let i = words.length * 4; i < bytes; i++) data[i] = random.int(256);
  return data;
}

/** Byte equality without a deep-equality walk over megabytes. */
const same = (a: unknown, b: Uint8Array): boolean => a instanceof Uint8Array && Buffer.from(a).equals(Buffer.from(b));

describe('sealed rows', () => {
  it('round-trips small and multi-segment payloads, and keeps no plaintext', async () => {
    for (const size of [0, 1, MiB - 2, MiB - 1, 3.5 * MiB]) {
      const data = payload(size, size);
      const sealed = await sealRow(storeKey, ROW_UPDATE, data);
      expect(same(await openRow(storeKey, ROW_UPDATE, sealed), data), `size ${size}`).toBe(true);
      expect(await openRow(storeKey, ROW_TAIL, sealed), 'another kind').toBe('unknown_type');
    }
    const text = new TextEncoder().encode('a secret message '.repeat(10_000));
    const sealed = await sealRow(storeKey, ROW_UPDATE, text);
    expect(Buffer.from(sealed).includes(Buffer.from('secret'))).toBe(false);
  });

  it('refuses a long row with segments dropped, swapped, cut or mixed with another row', async () => {
    const first = await sealRow(storeKey, ROW_UPDATE, payload(2.5 * MiB, 1));
    const second = await sealRow(storeKey, ROW_UPDATE, payload(2.5 * MiB, 2));
    const segments = (row: Uint8Array): Uint8Array[] => [row.subarray(0, SEGMENT), row.subarray(SEGMENT, 2 * SEGMENT), row.subarray(2 * SEGMENT)];
    const [a0, a1, a2] = segments(first) as [Uint8Array, Uint8Array, Uint8Array];
    const [b0, b1, b2] = segments(second) as [Uint8Array, Uint8Array, Uint8Array];
    // Control: the segments put back together open.
    expect(same(await openRow(storeKey, ROW_UPDATE, concatBytes(a0, a1, a2)), payload(2.5 * MiB, 1))).toBe(true);
    const damaged: Array<[string, Uint8Array]> = [
      ['last segment dropped', concatBytes(a0, a1)],
      ['middle segments swapped', concatBytes(a1, a0, a2)],
      ['a segment of another row', concatBytes(a0, b1, a2)],
      ['another row\'s tail', concatBytes(a0, a1, b2)],
      ['first segment of another row', concatBytes(b0, a1, a2)],
    ];
    for (const [name, bytes] of damaged) expect(await openRow(storeKey, ROW_UPDATE, bytes), name).not.toBeInstanceOf(Uint8Array);
    const cut = first.slice(0, first.length - 5);
    expect(await openRow(storeKey, ROW_UPDATE, cut)).toBe('decrypt');
    const { storeKey: otherKey } = deriveRoomKeys(createRoomSecret());
    expect(await openRow(otherKey, ROW_UPDATE, first)).toBe('decrypt');
    expect(await openRow(storeKey, ROW_UPDATE, new Uint8Array(0))).toBe('shape');
    expect(await openRow(storeKey, ROW_UPDATE, 'text')).toBe('shape');
  });
});
