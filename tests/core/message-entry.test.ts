import { beforeAll, describe, expect, it } from 'vitest';
import { formatStamp } from '../../src/core/hlc.js';
import {
  MAX_NICK_CHARS,
  MAX_TEXT_CHARS,
  createMessageEntry,
  decodeMessageEntry,
  encodeMessageEntry,
  isFileEntry,
  isValidNick,
  isValidText,
  messageSigningBytes,
  parseMessageEntry,
  verifyMessageEntry,
} from '../../src/core/message-entry.js';
import { MAX_FILE_NAME_CHARS, MAX_THUMB_BYTES, type FileManifest } from '../../src/core/file-manifest.js';
import type { DropReason, MessageEntry } from '../../src/core/types.js';
import { toBase64Url, utf8 } from '../../src/crypto/encoding.js';
import { createIdentity, sign, type Identity } from '../../src/crypto/identity.js';

const HLC = formatStamp({ wallMs: 1_700_000_000_000, counter: 3 });
let alice: Identity;
let mallory: Identity;
let entry: MessageEntry;

beforeAll(async () => {
  alice = await createIdentity();
  mallory = await createIdentity();
  entry = await createMessageEntry(alice, { nick: '  Brave Otter ', text: 'hello\nworld 👋 مرحبا', hlc: HLC });
});

const expectDropped = (key: string, value: unknown, reason: DropReason): void => {
  expect(parseMessageEntry(key, value)).toEqual({ ok: false, reason });
};

/** An entry with `changes` applied and re-signed by `identity`, so only the changed field is wrong. */
const resigned = async (identity: Identity, changes: Partial<MessageEntry>): Promise<MessageEntry> => {
  const unsigned = { ...entry, ...changes };
  return { ...unsigned, sig: toBase64Url(await sign(identity, messageSigningBytes(unsigned))) };
};

describe('message entries', () => {
  it('creates a signed entry that parses and verifies', async () => {
    expect(entry.nick).toBe('Brave Otter');
    expect(entry.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(entry.author).toBe(toBase64Url(alice.publicKey));
    const parsed = parseMessageEntry(entry.id, JSON.parse(JSON.stringify(entry)));
    expect(parsed).toEqual({ ok: true, entry });
    expect(await verifyMessageEntry(entry)).toBe(true);
  });

  it('uses the injected id source and fresh random ids otherwise', async () => {
    const fixed = await createMessageEntry(alice, { nick: 'a', text: 'b', hlc: HLC }, () => 'x'.repeat(22));
    expect(fixed.id).toBe('x'.repeat(22));
    const ids = new Set((await Promise.all(Array.from({ length: 50 }, () => createMessageEntry(alice, { nick: 'a', text: 'b', hlc: HLC })))).map((made) => made.id));
    expect(ids.size).toBe(50);
  });

  it('refuses to sign a draft that peers would drop', async () => {
    await expect(createMessageEntry(alice, { nick: '   ', text: 'hi', hlc: HLC })).rejects.toThrow(RangeError);
    await expect(createMessageEntry(alice, { nick: 'a', text: '', hlc: HLC })).rejects.toThrow(RangeError);
    await expect(createMessageEntry(alice, { nick: 'a', text: 'x'.repeat(MAX_TEXT_CHARS + 1), hlc: HLC })).rejects.toThrow(RangeError);
    await expect(createMessageEntry(alice, { nick: 'a', text: 'hi', hlc: 'soon' })).rejects.toThrow(RangeError);
  });

  it('encodes signing bytes unambiguously across field boundaries', () => {
    const a = messageSigningBytes({ ...entry, nick: 'ab', text: 'c' });
    const b = messageSigningBytes({ ...entry, nick: 'a', text: 'bc' });
    expect(a).not.toEqual(b);
    expect(Array.from(a.subarray(0, 18))).toEqual(Array.from(utf8('parley/v1/message\u0000')));
  });

  it('accepts nicks in any script and text at the limits', () => {
    for (const nick of ['Zoë', 'مريم', 'שָׁלוֹם', '李小龙', '👩‍🚀 Ada', 'a'.repeat(MAX_NICK_CHARS)]) expect(isValidNick(nick), nick).toBe(true);
    for (const text of ['x', 'x'.repeat(MAX_TEXT_CHARS), 'line\nline\ttab', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢']) expect(isValidText(text)).toBe(true);
  });

  it('rejects malformed entries by shape', () => {
    const { sig: _sig, ...withoutSig } = entry;
    const cases: Array<[string, unknown]> = [
      ['null', null],
      ['string', JSON.stringify(entry)],
      ['array', [entry]],
      ['number', 1],
      ['missing field', withoutSig],
      ['extra field', { ...entry, extra: true }],
      ['version 2', { ...entry, v: 2 }],
      ['version string', { ...entry, v: '1' }],
      ['numeric text', { ...entry, text: 42 }],
      ['null nick', { ...entry, nick: null }],
      ['array id', { ...entry, id: [entry.id] }],
      ['bad base64 id', { ...entry, id: `${entry.id.slice(0, -1)}+` }],
      ['bad base64 author', { ...entry, author: `${'!'.repeat(43)}` }],
      ['bad base64 sig', { ...entry, sig: `${entry.sig.slice(0, -2)}==` }],
      // The 22nd char of a 16-byte id holds 2 data bits; 'B' sets a padding bit.
      ['non-canonical id', { ...entry, id: `${'A'.repeat(21)}B` }],
      ['bad hlc', { ...entry, hlc: '2024-01-01T00:00:00Z' }],
      ['untrimmed nick', { ...entry, nick: ' Brave Otter' }],
      ['control char in nick', { ...entry, nick: 'Brave\u0007Otter' }],
      ['newline in nick', { ...entry, nick: 'Brave\nOtter' }],
      ['bidi override in nick', { ...entry, nick: 'evil\u202Eredli' }],
      ['NUL in text', { ...entry, text: 'hi\u0000' }],
      ['lone surrogate in text', { ...entry, text: 'hi\uD800' }],
      ['class instance', Object.assign(new (class Fake {})(), entry)],
    ];
    for (const [name, value] of cases) expect(parseMessageEntry(entry.id, value), name).toEqual({ ok: false, reason: 'shape' });
  });

  it('rejects entries with out-of-range sizes', () => {
    expectDropped(entry.id, { ...entry, text: '' }, 'size');
    expectDropped(entry.id, { ...entry, text: 'x'.repeat(MAX_TEXT_CHARS + 1) }, 'size');
    expectDropped(entry.id, { ...entry, text: 'x'.repeat(1_000_000) }, 'size');
    expectDropped(entry.id, { ...entry, nick: '' }, 'size');
    expectDropped(entry.id, { ...entry, nick: 'n'.repeat(MAX_NICK_CHARS + 1) }, 'size');
    expectDropped(entry.id.slice(1), { ...entry, id: entry.id.slice(1) }, 'size');
    expectDropped(entry.id, { ...entry, author: `${entry.author}A` }, 'size');
    expectDropped(entry.id, { ...entry, sig: entry.sig.slice(0, 85) }, 'size');
  });

  it('rejects an entry stored under another key', () => {
    expectDropped('A'.repeat(22), entry, 'key_mismatch');
  });

  it('never throws on hostile values', () => {
    const hostile = new Proxy({}, { ownKeys: () => { throw new Error('boom'); } });
    expect(parseMessageEntry(entry.id, hostile)).toEqual({ ok: false, reason: 'shape' });
    const getter = { ...entry };
    Object.defineProperty(getter, 'text', { enumerable: true, get: () => { throw new Error('boom'); } });
    expect(parseMessageEntry(entry.id, getter)).toEqual({ ok: false, reason: 'shape' });
  });

  it('parses forged entries but fails their signature check', async () => {
    const forged: Array<[string, MessageEntry]> = [
      ['signed by another key, claiming alice', await resigned(mallory, { text: 'send me your keys' })],
      ['text altered after signing', { ...entry, text: `${entry.text}!` }],
      ['hlc altered after signing', { ...entry, hlc: formatStamp({ wallMs: 1_700_000_000_000, counter: 4 }) }],
      ['nick altered after signing', { ...entry, nick: 'Calm Heron' }],
      ['id altered after signing', { ...entry, id: 'A'.repeat(22) }],
      ['author swapped, signature kept', { ...entry, author: toBase64Url(mallory.publicKey) }],
      ['signature of another entry', { ...entry, sig: (await createMessageEntry(alice, { nick: 'x', text: 'y', hlc: HLC })).sig }],
      ['zero signature', { ...entry, sig: toBase64Url(new Uint8Array(64)) }],
      ['zero author key', { ...entry, author: toBase64Url(new Uint8Array(32)) }],
    ];
    for (const [name, value] of forged) {
      const parsed = parseMessageEntry(value.id, value);
      expect(parsed.ok, name).toBe(true);
      if (parsed.ok) expect(await verifyMessageEntry(parsed.entry), name).toBe(false);
    }
    // Control: the same re-signing by the real author verifies, so each failure above is the forgery.
    expect(await verifyMessageEntry(await resigned(alice, { text: 'send me your keys' }))).toBe(true);
  });
});

describe('stored form', () => {
  it('round-trips an entry through its JSON text, and drops anything else', async () => {
    const { encodeMessageEntry, decodeMessageEntry, MAX_ENTRY_CHARS } = await import('../../src/core/message-entry.js');
    const identity = await createIdentity();
    const signed = await createMessageEntry(identity, { nick: 'Ana', text: 'say "hi" \\ سلام', hlc: HLC });
    const stored = encodeMessageEntry(signed);
    expect(typeof stored).toBe('string');
    expect(decodeMessageEntry(signed.id, stored)).toEqual({ ok: true, entry: signed });
    expect(decodeMessageEntry(signed.id, { ...signed })).toEqual({ ok: false, reason: 'shape' });
    expect(decodeMessageEntry(signed.id, '{"v":1,')).toEqual({ ok: false, reason: 'shape' });
    expect(decodeMessageEntry(signed.id, 'x'.repeat(MAX_ENTRY_CHARS + 1))).toEqual({ ok: false, reason: 'size' });
    expect(decodeMessageEntry('another-id-entirely-22', stored)).toEqual({ ok: false, reason: 'key_mismatch' });
    // The longest valid text, made of characters JSON must escape, still fits.
    const escaped = await createMessageEntry(identity, { nick: 'Ana', text: '"'.repeat(MAX_TEXT_CHARS), hlc: HLC });
    expect(decodeMessageEntry(escaped.id, encodeMessageEntry(escaped)).ok).toBe(true);
  });
});

describe('file entries (v3)', () => {
  const jpeg = (length: number): Uint8Array => Uint8Array.from({ length }, (_, i) => [0xff, 0xd8, 0xff][i] ?? i & 255);
  const FILE: FileManifest = { size: 123_456, type: 'application/pdf', key: toBase64Url(new Uint8Array(32).fill(1)), root: toBase64Url(new Uint8Array(32).fill(2)) };
  const WITH_THUMB: FileManifest = { size: 5_000_000, type: 'image/jpeg', key: FILE.key, root: FILE.root, thumb: toBase64Url(jpeg(500)) };
  let fileEntry: MessageEntry;

  beforeAll(async () => {
    fileEntry = await createMessageEntry(alice, { nick: 'Ana', text: 'Q3 report.pdf', hlc: HLC, file: FILE });
  });

  it('creates a v3 entry whose text is the file name, which round-trips and verifies', async () => {
    expect(fileEntry.v).toBe(3);
    expect(fileEntry.file).toEqual(FILE);
    expect(isFileEntry(fileEntry)).toBe(true);
    expect(isFileEntry(entry)).toBe(false);
    expect(await verifyMessageEntry(fileEntry)).toBe(true);
    const stored = encodeMessageEntry(fileEntry);
    expect(stored).toBe(`{"v":3,"id":"${fileEntry.id}","author":"${fileEntry.author}","nick":"Ana","hlc":"${HLC}","text":"Q3 report.pdf","file":{"size":123456,"type":"application/pdf","key":"${FILE.key}","root":"${FILE.root}"},"sig":"${fileEntry.sig}"}`);
    expect(decodeMessageEntry(fileEntry.id, stored)).toEqual({ ok: true, entry: fileEntry });
    const thumbed = await createMessageEntry(alice, { nick: 'Ana', text: 'cat.jpg', hlc: HLC, file: WITH_THUMB });
    expect(decodeMessageEntry(thumbed.id, encodeMessageEntry(thumbed))).toEqual({ ok: true, entry: thumbed });
    expect(await verifyMessageEntry(thumbed)).toBe(true);
  });

  it('stores the largest file entry within MAX_ENTRY_CHARS', async () => {
    const { MAX_ENTRY_CHARS } = await import('../../src/core/message-entry.js');
    const file = { ...WITH_THUMB, size: 2 * 1024 ** 3, type: `a/${'b'.repeat(98)}`, thumb: toBase64Url(jpeg(MAX_THUMB_BYTES)) };
    const largest = await createMessageEntry(alice, { nick: 'n'.repeat(40), text: '"'.repeat(MAX_FILE_NAME_CHARS), hlc: HLC, file });
    const stored = encodeMessageEntry(largest);
    expect(stored.length).toBeGreaterThan(22_000);
    expect(stored.length).toBeLessThanOrEqual(MAX_ENTRY_CHARS);
    expect(decodeMessageEntry(largest.id, stored)).toEqual({ ok: true, entry: largest });
  });

  it('refuses a manifest with fields beyond the five', async () => {
    const sloppy = { ...FILE, name: 'extra' } as FileManifest;
    await expect(createMessageEntry(alice, { nick: 'Ana', text: 'a.pdf', hlc: HLC, file: sloppy })).rejects.toThrow(RangeError);
  });

  it('refuses file drafts peers would drop', async () => {
    const draft = { nick: 'Ana', text: 'a.pdf', hlc: HLC, file: FILE };
    await expect(createMessageEntry(alice, { ...draft, text: 'dir/a.pdf' })).rejects.toThrow(RangeError);
    await expect(createMessageEntry(alice, { ...draft, text: 'x'.repeat(MAX_FILE_NAME_CHARS + 1) })).rejects.toThrow(RangeError);
    await expect(createMessageEntry(alice, { ...draft, text: 'two\nlines' })).rejects.toThrow(RangeError);
    await expect(createMessageEntry(alice, { ...draft, file: { ...FILE, size: 0 } })).rejects.toThrow(RangeError);
    await expect(createMessageEntry(alice, { ...draft, file: { ...FILE, type: 'Image/PNG' } })).rejects.toThrow(RangeError);
    await expect(createMessageEntry(alice, { ...draft, re: entry.id })).rejects.toThrow(RangeError);
    // Control: the same draft without the fault signs.
    expect((await createMessageEntry(alice, draft)).v).toBe(3);
  });

  it('signs the v1 fields, then size, type, key, root and thumb (empty when none), each length-prefixed', () => {
    const lengthPrefixed = (value: string): number[] => {
      const bytes = Array.from(utf8(value));
      return [0, 0, bytes.length >> 8, bytes.length & 255, ...bytes];
    };
    const values = ['3', fileEntry.id, fileEntry.author, 'Ana', HLC, 'Q3 report.pdf', '123456', 'application/pdf', FILE.key, FILE.root, ''];
    const expected = [...utf8('parley/v1/message\u0000'), ...values.flatMap(lengthPrefixed)];
    expect(Array.from(messageSigningBytes(fileEntry))).toEqual(expected);
    expect(() => messageSigningBytes({ ...entry, v: 3 })).toThrow(RangeError);
  });

  it('signs every manifest field: changing any one breaks the signature', async () => {
    const thumbed = await createMessageEntry(alice, { nick: 'Ana', text: 'cat.jpg', hlc: HLC, file: WITH_THUMB });
    const { thumb: _thumb, ...noThumb } = WITH_THUMB;
    const changes: Array<[string, FileManifest]> = [
      ['size', { ...WITH_THUMB, size: WITH_THUMB.size + 1 }],
      ['type', { ...WITH_THUMB, type: 'image/png' }],
      ['key', { ...WITH_THUMB, key: toBase64Url(new Uint8Array(32).fill(9)) }],
      ['root', { ...WITH_THUMB, root: toBase64Url(new Uint8Array(32).fill(9)) }],
      ['thumb', { ...WITH_THUMB, thumb: toBase64Url(jpeg(501)) }],
      ['thumb removed', noThumb],
    ];
    for (const [name, file] of changes) {
      const altered = { ...thumbed, file };
      const parsed = decodeMessageEntry(altered.id, encodeMessageEntry(altered));
      expect(parsed.ok, name).toBe(true);
      if (parsed.ok) expect(await verifyMessageEntry(parsed.entry), name).toBe(false);
    }
    expect(await verifyMessageEntry({ ...thumbed, text: 'dog.jpg' })).toBe(false);
    // Claimed as a v1 or v2 entry with the same text and signature: other bytes, no match.
    const { file: _file, ...plain } = thumbed;
    expect(await verifyMessageEntry({ ...plain, v: 1 })).toBe(false);
    expect(await verifyMessageEntry({ ...plain, v: 2, re: entry.id })).toBe(false);
    expect(await verifyMessageEntry({ ...plain, v: 3 })).toBe(false);
    expect(await verifyMessageEntry(thumbed)).toBe(true);
  });

  it('drops malformed v3 entries with a reason', () => {
    const { file: _file, ...withoutFile } = fileEntry;
    const cases: Array<[string, unknown, DropReason]> = [
      ['v3 without file', withoutFile, 'shape'],
      ['v3 with re', { ...fileEntry, re: entry.id }, 'shape'],
      ['v1 with file', { ...fileEntry, v: 1 }, 'shape'],
      ['v2 with file', { ...fileEntry, v: 2 }, 'shape'],
      ['file name with slash', { ...fileEntry, text: 'a/b.pdf' }, 'shape'],
      ['file name with newline', { ...fileEntry, text: 'a\nb.pdf' }, 'shape'],
      ['file name with bidi override', { ...fileEntry, text: 'gpj.\u202Eexe' }, 'shape'],
      ['file name with lone surrogate', { ...fileEntry, text: 'a\uD800.pdf' }, 'shape'],
      ['file name ..', { ...fileEntry, text: '..' }, 'shape'],
      ['file name of 256 chars', { ...fileEntry, text: 'x'.repeat(MAX_FILE_NAME_CHARS + 1) }, 'size'],
      ['file as JSON text', { ...fileEntry, file: JSON.stringify(FILE) }, 'shape'],
      ['file with extra field', { ...fileEntry, file: { ...FILE, name: 'x' } }, 'shape'],
      ['file too large', { ...fileEntry, file: { ...FILE, size: 2 * 1024 ** 3 + 1 } }, 'size'],
      ['file thumb not JPEG', { ...fileEntry, file: { ...FILE, thumb: toBase64Url(new Uint8Array(10)) } }, 'shape'],
      ['file thumb too big', { ...fileEntry, file: { ...FILE, thumb: toBase64Url(jpeg(MAX_THUMB_BYTES + 1)) } }, 'size'],
      ['version 4', { ...fileEntry, v: 4 }, 'shape'],
    ];
    for (const [name, value, reason] of cases) expect(parseMessageEntry(fileEntry.id, value), name).toEqual({ ok: false, reason });
    // Control: the unaltered entry parses.
    expect(parseMessageEntry(fileEntry.id, JSON.parse(encodeMessageEntry(fileEntry)))).toEqual({ ok: true, entry: fileEntry });
  });
});
