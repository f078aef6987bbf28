import { beforeAll, describe, expect, it } from 'vitest';
import { utf8 } from '../../src/crypto/encoding.js';
import { createIdentity } from '../../src/crypto/identity.js';
import { formatStamp } from '../../src/core/hlc.js';
import { createMessageEntry, encodeMessageEntry } from '../../src/core/message-entry.js';
import { decodeTail, encodeTail, TAIL_ENTRIES } from '../../src/core/message-tail.js';
import type { MessageEntry } from '../../src/core/types.js';

let entries: MessageEntry[];

beforeAll(async () => {
  const identity = await createIdentity();
  entries = await Promise.all(Array.from({ length: TAIL_ENTRIES + 20 }, (_, i) =>
    createMessageEntry(identity, { nick: 'Ana', text: `message ${i} — سلام 你好`, hlc: formatStamp({ wallMs: 1_700_000_000_000 + i, counter: 0 }) })));
});

describe('message tail', () => {
  it('keeps the newest entries and reads them back exactly', () => {
    const decoded = decodeTail(encodeTail(entries));
    expect(decoded.dropped).toEqual([]);
    expect(decoded.entries).toEqual(entries.slice(-TAIL_ENTRIES));
  });

  it('drops what is not a valid entry, counting each, and keeps the rest', () => {
    const [good, other] = entries as [MessageEntry, MessageEntry];
    const items: unknown[] = [
      [good.id, encodeMessageEntry(good)],
      [good.id, encodeMessageEntry(other)], // stored under another id
      ['x', '{"v":1'],
      [other.id, { ...other }], // an object, not the stored text
      'loose string',
      [other.id],
      [other.id, encodeMessageEntry({ ...other, text: '' })],
    ];
    const decoded = decodeTail(utf8(JSON.stringify(items)));
    expect(decoded.entries).toEqual([good]);
    expect(decoded.dropped).toEqual(['key_mismatch', 'shape', 'shape', 'shape', 'shape', 'size']);
  });

  it('answers garbage with one drop and no entries, never a throw', () => {
    const garbage = [new Uint8Array([0xff, 0xfe]), utf8('{"not":"a list"}'), utf8('[1,'), utf8(JSON.stringify(Array(TAIL_ENTRIES + 1).fill(0))), new Uint8Array(0)];
    for (const bytes of garbage) {
      const decoded = decodeTail(bytes);
      expect(decoded.entries).toEqual([]);
      expect(decoded.dropped).toHaveLength(1);
    }
  });
});
