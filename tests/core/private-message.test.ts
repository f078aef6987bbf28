import { describe, expect, it } from 'vitest';
import { fromBase64Url, toBase64Url } from '../../src/crypto/encoding.js';
import { createIdentity } from '../../src/crypto/identity.js';
import { formatStamp } from '../../src/core/hlc.js';
import { createMemberCard } from '../../src/core/member-card.js';
import {
  createPrivateEntry,
  decodePrivateEntry,
  encodePrivateEntry,
  MAX_PRIVATE_ENTRY_CHARS,
  openPrivateEntry,
  parsePrivatePayload,
  verifyPrivateEntry,
  type PrivateEntry,
} from '../../src/core/private-message.js';
import { MAX_TEXT_CHARS } from '../../src/core/message-entry.js';

const HLC = formatStamp({ wallMs: 1_700_000_000_000, counter: 0 });

async function threePeople() {
  const [ana, bo, cy] = await Promise.all([createIdentity(), createIdentity(), createIdentity()]);
  const [anaCard, boCard, cyCard] = await Promise.all([ana, bo, cy].map((identity) => createMemberCard(identity)));
  return { ana, bo, cy, anaCard: anaCard!, boCard: boCard!, cyCard: cyCard! };
}

describe('private messages', () => {
  it('round-trip: the recipient and the sender read it, a third member cannot', async () => {
    const { ana, bo, cy, anaCard, boCard, cyCard } = await threePeople();
    const entry = await createPrivateEntry(ana, { to: boCard.key, toBox: boCard.box, hlc: HLC, payload: { nick: 'Ana', text: 'the key is under the mat', auto: false } });
    const decoded = decodePrivateEntry(entry.id, encodePrivateEntry(entry));
    expect(decoded).toEqual({ ok: true, entry });
    expect(await verifyPrivateEntry(entry)).toBe(true);
    expect(encodePrivateEntry(entry)).not.toContain('mat');
    expect(openPrivateEntry(entry, bo, anaCard.box)).toEqual({ nick: 'Ana', text: 'the key is under the mat', auto: false });
    // DH is symmetric: Ana reads what she sent with Bo's box key.
    expect(openPrivateEntry(entry, ana, boCard.box)?.text).toBe('the key is under the mat');
    // Cy holds the entry but opens nothing, whichever card she tries.
    for (const box of [anaCard.box, boCard.box, cyCard.box]) expect(openPrivateEntry(entry, cy, box)).toBeNull();
  });

  it('rejects a forged or re-addressed entry, and a tampered box does not open', async () => {
    const { ana, bo, cy, anaCard, boCard, cyCard } = await threePeople();
    const entry = await createPrivateEntry(ana, { to: boCard.key, toBox: boCard.box, hlc: HLC, payload: { nick: 'Ana', text: 'hello', auto: true } });
    // Cy signs an entry naming Ana as sender.
    const forged = await createPrivateEntry(cy, { to: boCard.key, toBox: boCard.box, hlc: HLC, payload: { nick: 'Ana', text: 'send money', auto: false } });
    expect(await verifyPrivateEntry({ ...forged, from: anaCard.key })).toBe(false);
    // Re-addressed to Cy, re-dated, or a box swapped in: the signature no longer matches.
    expect(await verifyPrivateEntry({ ...entry, to: cyCard.key })).toBe(false);
    expect(await verifyPrivateEntry({ ...entry, hlc: formatStamp({ wallMs: 1_700_000_000_001, counter: 0 }) })).toBe(false);
    expect(await verifyPrivateEntry({ ...entry, box: forged.box })).toBe(false);
    const bytes = fromBase64Url(entry.box)!;
    bytes[bytes.length - 1]! ^= 1;
    const tampered: PrivateEntry = { ...entry, box: toBase64Url(bytes) };
    expect(openPrivateEntry(tampered, bo, anaCard.box)).toBeNull();
    // Opened with the wrong sender's card (someone claiming to be Cy): nothing.
    expect(openPrivateEntry(entry, bo, cyCard.box)).toBeNull();
  });

  it('refuses drafts peers would drop', async () => {
    const { ana, anaCard, boCard } = await threePeople();
    const draft = { to: boCard.key, toBox: boCard.box, hlc: HLC, payload: { nick: 'Ana', text: 'hi', auto: false } };
    await expect(createPrivateEntry(ana, { ...draft, to: anaCard.key, toBox: anaCard.box })).rejects.toThrow(RangeError);
    await expect(createPrivateEntry(ana, { ...draft, payload: { ...draft.payload, text: '' } })).rejects.toThrow(RangeError);
    await expect(createPrivateEntry(ana, { ...draft, toBox: 'short' })).rejects.toThrow(RangeError);
    await expect(createPrivateEntry(ana, { ...draft, hlc: 'yesterday' })).rejects.toThrow(RangeError);
    // The longest text fits the stored limit.
    const long = await createPrivateEntry(ana, { ...draft, payload: { ...draft.payload, text: '€'.repeat(MAX_TEXT_CHARS) } });
    expect(encodePrivateEntry(long).length).toBeLessThanOrEqual(MAX_PRIVATE_ENTRY_CHARS);
    expect(decodePrivateEntry(long.id, encodePrivateEntry(long)).ok).toBe(true);
  });

  it('decodes strictly and never throws', async () => {
    const { ana, boCard } = await threePeople();
    const entry = await createPrivateEntry(ana, { to: boCard.key, toBox: boCard.box, hlc: HLC, payload: { nick: 'Ana', text: 'hi', auto: false } });
    const good = JSON.parse(encodePrivateEntry(entry)) as Record<string, unknown>;
    const corpus: Array<[unknown, string]> = [
      [null, 'shape'],
      [42, 'shape'],
      [{ ...good }, 'shape'], // an object, not its JSON text
      ['{', 'shape'],
      ['[]', 'shape'],
      ['x'.repeat(MAX_PRIVATE_ENTRY_CHARS + 1), 'size'],
      [JSON.stringify({ ...good, extra: 1 }), 'shape'],
      [JSON.stringify({ ...good, v: 2 }), 'shape'],
      [JSON.stringify({ ...good, to: good['from'] }), 'shape'], // to oneself
      [JSON.stringify({ ...good, from: 'abc' }), 'size'],
      [JSON.stringify({ ...good, sig: 12 }), 'shape'],
      [JSON.stringify({ ...good, hlc: 'not a stamp' }), 'shape'],
      [JSON.stringify({ ...good, box: 'AAAA' }), 'size'],
      [JSON.stringify({ ...good, box: `${String(good['box']).slice(0, -4)}+/==` }), 'shape'],
      [JSON.stringify({ ...good, id: `${String(good['id']).slice(0, -1)}!` }), 'shape'],
    ];
    for (const [value, reason] of corpus) expect(decodePrivateEntry(entry.id, value)).toEqual({ ok: false, reason });
    expect(decodePrivateEntry('another-id', encodePrivateEntry(entry))).toEqual({ ok: false, reason: 'key_mismatch' });
    const hostile = new Proxy({}, { get: () => { throw new Error('boom'); } });
    expect(decodePrivateEntry(entry.id, hostile).ok).toBe(false);
  });

  it('parses the opened payload strictly', () => {
    const enc = (value: unknown): Uint8Array => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));
    expect(parsePrivatePayload(enc({ nick: 'Ana', text: 'hi', auto: false }))).toEqual({ nick: 'Ana', text: 'hi', auto: false });
    for (const bad of [{ nick: 'Ana', text: 'hi' }, { nick: 'Ana', text: 'hi', auto: 'yes' }, { nick: '', text: 'hi', auto: false }, { nick: 'Ana', text: 'a\u0000b', auto: false }, { nick: 'A\u202Ena', text: 'hi', auto: false }, { nick: 'Ana', text: 'hi', auto: false, x: 1 }, 'not json', '[]']) {
      expect(parsePrivatePayload(enc(bad))).toBeNull();
    }
    expect(parsePrivatePayload(new Uint8Array([0xff, 0xfe]))).toBeNull();
  });
});
