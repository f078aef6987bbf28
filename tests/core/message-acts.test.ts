import { beforeAll, describe, expect, it } from 'vitest';
import { formatStamp } from '../../src/core/hlc.js';
import {
  actKey,
  actSigningBytes,
  createMessageAct,
  decodeMessageAct,
  deletedByAuthor,
  encodeMessageAct,
  forgedActs,
  indexActs,
  isValidReaction,
  seenBy,
  shownText,
  supersedes,
  verifyMessageAct,
  type MessageAct,
} from '../../src/core/message-acts.js';
import { createMessageEntry, decodeMessageEntry, encodeMessageEntry, verifyMessageEntry } from '../../src/core/message-entry.js';
import type { MessageEntry } from '../../src/core/types.js';
import { toBase64Url } from '../../src/crypto/encoding.js';
import { createIdentity, sign, type Identity } from '../../src/crypto/identity.js';

const stamp = (counter: number): string => formatStamp({ wallMs: 1_700_000_000_000, counter });
let ana: Identity;
let bo: Identity;
let message: MessageEntry;

beforeAll(async () => {
  ana = await createIdentity();
  bo = await createIdentity();
  message = await createMessageEntry(ana, { nick: 'Ana', text: 'Lunch at noon?', hlc: stamp(1) });
});

const roundTrip = (act: MessageAct) => decodeMessageAct(actKey(act), encodeMessageAct(act));

describe('replies (v2 message entries)', () => {
  it('signs the reply target and decodes both v1 and v2 entries', async () => {
    const reply = await createMessageEntry(bo, { nick: 'Bo', text: 'Yes!', hlc: stamp(2), re: message.id });
    expect(reply.v).toBe(2);
    const decoded = decodeMessageEntry(reply.id, encodeMessageEntry(reply));
    expect(decoded).toEqual({ ok: true, entry: reply });
    expect(await verifyMessageEntry(reply)).toBe(true);
    expect(decodeMessageEntry(message.id, encodeMessageEntry(message))).toEqual({ ok: true, entry: message });
    // Moving the reply to another target breaks its signature; dropping `re` makes a shape error.
    expect(await verifyMessageEntry({ ...reply, re: reply.id })).toBe(false);
    const { re: _re, ...withoutRe } = reply;
    expect(decodeMessageEntry(reply.id, JSON.stringify(withoutRe))).toEqual({ ok: false, reason: 'shape' });
    expect(decodeMessageEntry(message.id, JSON.stringify({ ...message, re: reply.id }))).toEqual({ ok: false, reason: 'shape' });
    expect(decodeMessageEntry(reply.id, JSON.stringify({ ...reply, re: 'not an id' }))).toEqual({ ok: false, reason: 'shape' });
  });
});

describe('message acts', () => {
  it('creates edits, deletes, reactions and receipts that decode and verify', async () => {
    const acts = [
      await createMessageAct(ana, { k: 'e', target: message.id, text: 'Lunch at one?' }, stamp(2)),
      await createMessageAct(ana, { k: 'd', target: message.id }, stamp(3)),
      await createMessageAct(bo, { k: 'r', target: message.id, emoji: '👍', on: true }, stamp(4)),
      await createMessageAct(bo, { k: 's', upTo: message.hlc }, stamp(5)),
    ];
    for (const act of acts) {
      expect(roundTrip(act)).toEqual({ ok: true, value: act });
      expect(await verifyMessageAct(act)).toBe(true);
    }
    expect(acts.map(actKey)).toEqual([`e:${message.id}:${toBase64Url(ana.publicKey)}`, `d:${message.id}:${toBase64Url(ana.publicKey)}`, `r:${message.id}:${toBase64Url(bo.publicKey)}:👍`, `s:${toBase64Url(bo.publicKey)}`]);
  });

  it('rejects forged signatures, a changed kind or text, and keys of another author', async () => {
    const edit = (await createMessageAct(bo, { k: 'e', target: message.id, text: 'FORGED' }, stamp(2))) as Extract<MessageAct, { k: 'e' }>;
    expect(await verifyMessageAct({ ...edit, text: 'changed' })).toBe(false);
    expect(await verifyMessageAct({ ...edit, author: toBase64Url(ana.publicKey) })).toBe(false);
    // Same bytes as a delete? No: the kind is signed.
    const asDelete = { v: 1, k: 'd', target: message.id, author: edit.author, hlc: edit.hlc, sig: edit.sig } as const;
    expect(await verifyMessageAct(asDelete)).toBe(false);
    // Stored under Ana's slot, it does not decode.
    expect(decodeMessageAct(`e:${message.id}:${toBase64Url(ana.publicKey)}`, encodeMessageAct(edit))).toEqual({ ok: false, reason: 'key_mismatch' });
    const resigned = { ...edit, sig: toBase64Url(await sign(bo, actSigningBytes({ ...edit, text: 'other' }))) };
    expect(await verifyMessageAct(resigned)).toBe(false);
  });

  it('drops a malformed corpus without throwing', () => {
    const key = `e:${message.id}:${toBase64Url(ana.publicKey)}`;
    const corpus: unknown[] = [
      null, 42, {}, [], 'not json', '{"k":"e"}', '[]', 'null', JSON.stringify({ k: 'x' }), 'x'.repeat(40_000),
      JSON.stringify({ v: 1, k: 'e', target: message.id, author: toBase64Url(ana.publicKey), hlc: stamp(1), text: '', sig: 'A'.repeat(86) }),
      JSON.stringify({ v: 2, k: 'd', target: message.id, author: toBase64Url(ana.publicKey), hlc: stamp(1), sig: 'A'.repeat(86) }),
      JSON.stringify({ v: 1, k: 'd', target: message.id, author: toBase64Url(ana.publicKey), hlc: 'yesterday', sig: 'A'.repeat(86) }),
      JSON.stringify({ v: 1, k: 'd', target: message.id, author: toBase64Url(ana.publicKey), hlc: stamp(1), sig: 'A'.repeat(86), extra: 1 }),
      JSON.stringify({ v: 1, k: 'r', target: message.id, author: toBase64Url(ana.publicKey), hlc: stamp(1), emoji: 'lol', on: true, sig: 'A'.repeat(86) }),
      JSON.stringify({ v: 1, k: 'r', target: message.id, author: toBase64Url(ana.publicKey), hlc: stamp(1), emoji: '👍', on: 'yes', sig: 'A'.repeat(86) }),
      JSON.stringify({ v: 1, k: 's', author: toBase64Url(ana.publicKey), hlc: stamp(1), upTo: 7, sig: 'A'.repeat(86) }),
      JSON.stringify({ v: 1, k: 'e', target: 'short', author: toBase64Url(ana.publicKey), hlc: stamp(1), text: 'hi', sig: 'A'.repeat(86) }),
      `{"v":1,"k":"e","__proto__":{"x":1}}`,
    ];
    for (const value of corpus) {
      const decoded = decodeMessageAct(key, value);
      expect(decoded.ok, String(value).slice(0, 60)).toBe(false);
    }
  });

  it('accepts single emoji as reactions and nothing else', () => {
    for (const emoji of ['👍', '❤️', '😂', '😮', '😢', '🎉', '👍🏽', '🇫🇷', '👩‍💻']) expect(isValidReaction(emoji), emoji).toBe(true);
    for (const emoji of ['', 'a', '👍👍', '<b>', '👍 ', '1']) expect(isValidReaction(emoji), emoji).toBe(false);
  });

  it('shows only the author\'s newest edit and delete, and counts others\' as forgeries', async () => {
    const first = await createMessageAct(ana, { k: 'e', target: message.id, text: 'Lunch at one?' }, stamp(2));
    const second = await createMessageAct(ana, { k: 'e', target: message.id, text: 'Lunch at two?' }, stamp(3));
    const forged = await createMessageAct(bo, { k: 'e', target: message.id, text: 'FORGED' }, stamp(9));
    expect(shownText(message, indexActs([]))).toEqual({ text: 'Lunch at noon?', edited: false });
    expect(shownText(message, indexActs([second, first, forged]))).toEqual({ text: 'Lunch at two?', edited: true });
    expect(shownText(message, indexActs([forged]))).toEqual({ text: 'Lunch at noon?', edited: false });
    // An edit the room's rules refuse (made while muted, say) leaves the message as it was.
    expect(shownText(message, indexActs([second]), (edit) => edit.hlc < stamp(3))).toEqual({ text: 'Lunch at noon?', edited: false });
    expect(shownText(message, indexActs([second]), (edit) => edit.hlc <= stamp(3))).toEqual({ text: 'Lunch at two?', edited: true });
    expect(forgedActs(message, indexActs([first, forged]))).toEqual([forged]);
    const forgedDelete = await createMessageAct(bo, { k: 'd', target: message.id }, stamp(4));
    expect(deletedByAuthor(message, indexActs([forgedDelete]))).toBe(false);
    expect(deletedByAuthor(message, indexActs([await createMessageAct(ana, { k: 'd', target: message.id }, stamp(4))]))).toBe(true);
  });

  it('lets the newest act win under one key', async () => {
    const older = await createMessageAct(ana, { k: 'e', target: message.id, text: 'older' }, stamp(2));
    const newer = await createMessageAct(ana, { k: 'e', target: message.id, text: 'newer' }, stamp(3));
    expect(supersedes(older, newer)).toBe(true);
    expect(supersedes(newer, older)).toBe(false);
    expect(supersedes(newer, newer)).toBe(true);
  });

  it('toggles reactions per person and emoji, in the order people reacted', async () => {
    const boOn = await createMessageAct(bo, { k: 'r', target: message.id, emoji: '👍', on: true }, stamp(2));
    const anaOn = await createMessageAct(ana, { k: 'r', target: message.id, emoji: '👍', on: true }, stamp(3));
    const anaParty = await createMessageAct(ana, { k: 'r', target: message.id, emoji: '🎉', on: true }, stamp(4));
    const index = indexActs([anaParty, anaOn, boOn]);
    expect([...(index.reactions.get(message.id) ?? [])]).toEqual([['👍', [boOn.author, anaOn.author]], ['🎉', [anaOn.author]]]);
    const boOff = await createMessageAct(bo, { k: 'r', target: message.id, emoji: '👍', on: false }, stamp(5));
    expect(supersedes(boOn, boOff)).toBe(true);
    expect([...(indexActs([anaOn, boOff]).reactions.get(message.id) ?? [])]).toEqual([['👍', [anaOn.author]]]);
  });

  it('reads receipts as watermarks, never counting the author', async () => {
    const later = await createMessageEntry(ana, { nick: 'Ana', text: 'Anyone?', hlc: stamp(6) });
    const boSaw = await createMessageAct(bo, { k: 's', upTo: message.hlc }, stamp(7));
    const anaSaw = await createMessageAct(ana, { k: 's', upTo: later.hlc }, stamp(8));
    const index = indexActs([boSaw, anaSaw]);
    expect(seenBy(message, index)).toEqual([boSaw.author]);
    expect(seenBy(later, index)).toEqual([]);
  });
});
