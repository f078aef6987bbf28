import { beforeAll, describe, expect, it } from 'vitest';
import { formatStamp } from '../../src/core/hlc.js';
import {
  MAX_NICK_CHARS,
  MAX_TEXT_CHARS,
  createMessageEntry,
  isValidNick,
  isValidText,
  messageSigningBytes,
  parseMessageEntry,
  verifyMessageEntry,
} from '../../src/core/message-entry.js';
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
