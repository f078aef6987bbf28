import { describe, expect, it } from 'vitest';
import { fromBase64Url, toBase64Url } from '../../src/crypto/encoding.js';
import { createIdentity } from '../../src/crypto/identity.js';
import { formatStamp } from '../../src/core/hlc.js';
import { createMemberCard } from '../../src/core/member-card.js';
import {
  createPrivateEntry,
  decodePrivateEntry,
  encodePrivateEntry,
  MAX_PAYLOAD_BYTES,
  MAX_PRIVATE_ENTRY_CHARS,
  openPrivateEntry,
  parsePrivatePayload,
  verifyPrivateEntry,
  type PrivateEntry,
} from '../../src/core/private-message.js';
import { MAX_TEXT_CHARS } from '../../src/core/message-entry.js';
import { MAX_FILE_NAME_CHARS, MAX_THUMB_BYTES, type FileManifest } from '../../src/core/file-manifest.js';

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

describe('private files', () => {
  const jpeg = (length: number): Uint8Array => Uint8Array.from({ length }, (_, i) => [0xff, 0xd8, 0xff][i] ?? i & 255);
  const FILE: FileManifest = { size: 42, type: 'text/plain', key: toBase64Url(new Uint8Array(32).fill(3)), root: toBase64Url(new Uint8Array(32).fill(4)) };
  const enc = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));

  it('seals the manifest in the box: only the two ends read the file key', async () => {
    const { ana, bo, cy, anaCard, boCard } = await threePeople();
    const entry = await createPrivateEntry(ana, { to: boCard.key, toBox: boCard.box, hlc: HLC, payload: { nick: 'Ana', text: 'notes.txt', auto: false, file: FILE } });
    expect(encodePrivateEntry(entry)).not.toContain(FILE.key);
    expect(decodePrivateEntry(entry.id, encodePrivateEntry(entry))).toEqual({ ok: true, entry });
    expect(await verifyPrivateEntry(entry)).toBe(true);
    expect(openPrivateEntry(entry, bo, anaCard.box)).toEqual({ nick: 'Ana', text: 'notes.txt', auto: false, file: FILE });
    expect(openPrivateEntry(entry, ana, boCard.box)?.file).toEqual(FILE);
    expect(openPrivateEntry(entry, cy, anaCard.box)).toBeNull();
  });

  it('keeps payloads without a file byte-identical and parseable as before', () => {
    const old = '{"nick":"Ana","text":"hi","auto":false}';
    expect(parsePrivatePayload(new TextEncoder().encode(old))).toEqual({ nick: 'Ana', text: 'hi', auto: false });
    expect(MAX_PAYLOAD_BYTES).toBe(3 * (8000 + 40) + 64);
  });

  it('fits the largest file payload (longest name, largest thumbnail) in the limits', async () => {
    const { ana, bo, anaCard, boCard } = await threePeople();
    const file = { size: 2 * 1024 ** 3, type: `a/${'b'.repeat(98)}`, key: FILE.key, root: FILE.root, thumb: toBase64Url(jpeg(MAX_THUMB_BYTES)) };
    const payload = { nick: '€'.repeat(40), text: '€'.repeat(MAX_FILE_NAME_CHARS), auto: false, file };
    expect(enc(payload).length).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
    const entry = await createPrivateEntry(ana, { to: boCard.key, toBox: boCard.box, hlc: HLC, payload });
    expect(encodePrivateEntry(entry).length).toBeLessThanOrEqual(MAX_PRIVATE_ENTRY_CHARS);
    expect(decodePrivateEntry(entry.id, encodePrivateEntry(entry)).ok).toBe(true);
    expect(openPrivateEntry(entry, bo, anaCard.box)).toEqual(payload);
  });

  it('refuses file drafts peers would drop', async () => {
    const { ana, boCard } = await threePeople();
    const draft = { to: boCard.key, toBox: boCard.box, hlc: HLC, payload: { nick: 'Ana', text: 'a.txt', auto: false, file: FILE } };
    await expect(createPrivateEntry(ana, { ...draft, payload: { ...draft.payload, text: 'a/b.txt' } })).rejects.toThrow(RangeError);
    await expect(createPrivateEntry(ana, { ...draft, payload: { ...draft.payload, text: 'x'.repeat(MAX_FILE_NAME_CHARS + 1) } })).rejects.toThrow(RangeError);
    await expect(createPrivateEntry(ana, { ...draft, payload: { ...draft.payload, file: { ...FILE, size: -1 } } })).rejects.toThrow(RangeError);
    await expect(createPrivateEntry(ana, { ...draft, payload: { ...draft.payload, file: { ...FILE, thumb: 'AAAA' } } })).rejects.toThrow(RangeError);
    expect((await createPrivateEntry(ana, draft)).v).toBe(1);
  });

  it('parses file payloads strictly', () => {
    const good = { nick: 'Ana', text: 'a.txt', auto: false, file: FILE };
    expect(parsePrivatePayload(enc(good))).toEqual(good);
    const bad = [
      { ...good, file: null },
      { ...good, file: JSON.stringify(FILE) },
      { ...good, file: { ...FILE, extra: 1 } },
      { ...good, file: { ...FILE, size: 0 } },
      { ...good, file: { ...FILE, key: 'short' } },
      { ...good, text: 'dir\\a.txt' },
      { ...good, text: '.' },
      { ...good, text: 'x'.repeat(MAX_FILE_NAME_CHARS + 1) },
      { ...good, x: 1 },
    ];
    for (const value of bad) expect(parsePrivatePayload(enc(value)), JSON.stringify(value).slice(0, 80)).toBeNull();
  });
});
