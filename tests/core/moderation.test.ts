import { beforeAll, describe, expect, it } from 'vitest';
import { formatStamp } from '../../src/core/hlc.js';
import { MAX_TEXT_CHARS, createMessageEntry } from '../../src/core/message-entry.js';
import {
  DEFAULT_RULES,
  MAX_ACTION_CHARS,
  MAX_REASON_CHARS,
  createModerationAction,
  decodeModerationAction,
  encodeModerationAction,
  hiddenReason,
  moderationSigningBytes,
  reduceModeration,
  verifyModerationAction,
  type ModerationAction,
  type ModerationDraft,
} from '../../src/core/moderation.js';
import type { MessageEntry } from '../../src/core/types.js';
import { toBase64Url, utf8 } from '../../src/crypto/encoding.js';
import { createIdentity, sign, type Identity } from '../../src/crypto/identity.js';

const T0 = 1_700_000_000_000;
const stamp = (wallMs: number, counter = 0): string => formatStamp({ wallMs, counter });

let admin: Identity;
let mallory: Identity;
let adminKey: string;
let userKey: string;
let messageId: string;

/** Ids from a counter, so action order by (hlc, id) is known in tests. */
const idFrom = (n: number): string => toBase64Url(new Uint8Array([...new Uint8Array(15), n]));

beforeAll(async () => {
  admin = await createIdentity();
  mallory = await createIdentity();
  adminKey = toBase64Url(admin.publicKey);
  userKey = toBase64Url(mallory.publicKey);
  messageId = idFrom(200);
});

const drafts = (): ModerationDraft[] => [
  { kind: 'delete', target: messageId },
  { kind: 'pin', target: messageId },
  { kind: 'unpin', target: messageId },
  { kind: 'kick', target: userKey, reason: 'cool off "a bit" \\ 请冷静' },
  { kind: 'ban', target: userKey, reason: '' },
  { kind: 'unban', target: userKey },
  { kind: 'mute', target: userKey, untilMs: T0 + 60_000 },
  { kind: 'rules', rules: { slowModeSeconds: 30, maxMessageChars: 500, lifetimeSeconds: 86_400 } },
  { kind: 'rules', rules: { slowModeSeconds: 0, maxMessageChars: 500, lifetimeSeconds: 0, videoOffFrom: 4 } },
  { kind: 'rules', rules: { slowModeSeconds: 0, maxMessageChars: 500, lifetimeSeconds: 0, maxFileBytes: 100_000_000 } },
  { kind: 'rules', rules: { slowModeSeconds: 0, maxMessageChars: 500, lifetimeSeconds: 0, videoOffFrom: 4, maxFileBytes: 10_000_000 } },
  { kind: 'filter', words: ['spam', 'كلمة', '悪い言葉'] },
  { kind: 'lock', members: [userKey, adminKey] },
  { kind: 'unlock' },
  { kind: 'name', name: 'Книжный клуб 📚' },
];

const act = (draft: ModerationDraft, wallMs: number, n: number, by: Identity = admin): Promise<ModerationAction> =>
  createModerationAction(by, draft, stamp(wallMs), () => idFrom(n));

/** The action with `changes` applied and its signature kept (types loosened: some changes break the kind's shape on purpose). */
const altered = (action: ModerationAction, changes: Record<string, unknown>): ModerationAction => ({ ...action, ...changes }) as unknown as ModerationAction;

/** A parsed stored object with `changes` applied, re-encoded as the map would hold it. */
const storedWith = (action: ModerationAction, changes: Record<string, unknown>): string =>
  JSON.stringify({ ...(JSON.parse(encodeModerationAction(action)) as Record<string, unknown>), ...changes });

describe('moderation actions', () => {
  it('round-trips every kind through its stored form, and verifies', async () => {
    for (const draft of drafts()) {
      const action = await createModerationAction(admin, draft, stamp(T0));
      expect(action).toMatchObject({ ...draft, v: 1, by: adminKey });
      expect(action.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
      const decoded = decodeModerationAction(action.id, encodeModerationAction(action));
      expect(decoded, draft.kind).toEqual({ ok: true, action });
      expect(await verifyModerationAction(action, adminKey), draft.kind).toBe(true);
    }
  });

  it('signs the call size only when the rules carry one, so rules signed before calls keep their signatures', async () => {
    const without = await act({ kind: 'rules', rules: DEFAULT_RULES }, T0, 7);
    const withSize = await act({ kind: 'rules', rules: { ...DEFAULT_RULES, videoOffFrom: 8 } }, T0, 8);
    expect(await verifyModerationAction(without, adminKey)).toBe(true);
    expect(await verifyModerationAction(withSize, adminKey)).toBe(true);
    // Taking the size away from a signed action (or adding one) breaks its signature.
    expect(await verifyModerationAction(altered(withSize, { rules: DEFAULT_RULES }), adminKey)).toBe(false);
    expect(await verifyModerationAction(altered(without, { rules: { ...DEFAULT_RULES, videoOffFrom: 2 } }), adminKey)).toBe(false);
  });

  it('signs the largest file only when the rules carry one, and never reads it as a call size', async () => {
    const files = await act({ kind: 'rules', rules: { ...DEFAULT_RULES, maxFileBytes: 10_000_000 } }, T0, 9);
    expect(await verifyModerationAction(files, adminKey)).toBe(true);
    expect(await verifyModerationAction(altered(files, { rules: DEFAULT_RULES }), adminKey)).toBe(false);
    expect(await verifyModerationAction(altered(files, { rules: { ...DEFAULT_RULES, maxFileBytes: 100_000_000 } }), adminKey)).toBe(false);
    expect(await verifyModerationAction(altered(files, { rules: { ...DEFAULT_RULES, videoOffFrom: 8 } }), adminKey)).toBe(false);
  });

  it('stores only the fields of its kind', async () => {
    const action = await act({ kind: 'pin', target: messageId, reason: 'sneaky' } as unknown as ModerationDraft, T0, 1);
    expect(Object.keys(JSON.parse(encodeModerationAction(action)) as object)).toEqual(['v', 'id', 'kind', 'hlc', 'by', 'target', 'sig']);
    expect(decodeModerationAction(action.id, encodeModerationAction(altered(action, { extra: 1 }))).ok).toBe(true);
  });

  it('refuses to sign a draft that peers would drop', async () => {
    const bad: unknown[] = [
      { kind: 'delete', target: userKey },
      { kind: 'ban', target: messageId, reason: '' },
      { kind: 'ban', target: userKey, reason: 'x'.repeat(MAX_REASON_CHARS + 1) },
      { kind: 'kick', target: userKey, reason: 'line\nbreak' },
      { kind: 'mute', target: userKey, untilMs: 1.5 },
      { kind: 'rules', rules: { ...DEFAULT_RULES, lifetimeSeconds: 60 } },
      { kind: 'shout', target: messageId },
      { kind: 'toString', target: messageId },
    ];
    for (const draft of bad) await expect(createModerationAction(admin, draft as ModerationDraft, stamp(T0)), JSON.stringify(draft)).rejects.toThrow(RangeError);
    await expect(createModerationAction(admin, { kind: 'pin', target: messageId }, 'now')).rejects.toThrow(RangeError);
  });

  it('encodes signing bytes unambiguously across kinds and fields', async () => {
    const ban = await act({ kind: 'ban', target: userKey, reason: '' }, T0, 1);
    const unban = altered(ban, { kind: 'unban' });
    expect(moderationSigningBytes(ban)).not.toEqual(moderationSigningBytes(unban));
    const a = await act({ kind: 'kick', target: userKey, reason: 'ab' }, T0, 1);
    expect(moderationSigningBytes(a)).not.toEqual(moderationSigningBytes(altered(a, { reason: 'abc' })));
    expect(Array.from(moderationSigningBytes(a).subarray(0, 21))).toEqual(Array.from(utf8('parley/v1/moderation\u0000')));
  });

  it('drops a corpus of malformed actions with a reason, never throwing', async () => {
    const ban = await act({ kind: 'ban', target: userKey, reason: 'spam' }, T0, 1);
    const pin = await act({ kind: 'pin', target: messageId }, T0, 2);
    const mute = await act({ kind: 'mute', target: userKey, untilMs: T0 }, T0, 3);
    const rules = await act({ kind: 'rules', rules: DEFAULT_RULES }, T0, 4);
    const { sig: _sig, ...unsigned } = JSON.parse(encodeModerationAction(ban)) as Record<string, unknown>;
    const nested = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const cases: Array<[string, string, unknown, string]> = [
      ['not a string', ban.id, JSON.parse(encodeModerationAction(ban)), 'shape'],
      ['number', ban.id, 42, 'shape'],
      ['null', ban.id, null, 'shape'],
      ['bad JSON', ban.id, '{"v":1,', 'shape'],
      ['JSON array', ban.id, '[1,2]', 'shape'],
      ['JSON null', ban.id, 'null', 'shape'],
      ['deeply nested JSON', ban.id, nested(1000), 'shape'],
      ['deeply nested JSON, oversized', ban.id, nested(100_000), 'size'],
      ['nested rules value', rules.id, storedWith(rules, { rules: { slowModeSeconds: JSON.parse(nested(300)) as unknown, maxMessageChars: 1, lifetimeSeconds: 0 } }), 'shape'],
      ['1 MB string', ban.id, 'x'.repeat(1_000_000), 'size'],
      ['1 MB reason', ban.id, storedWith(ban, { reason: 'x'.repeat(1_000_000) }), 'size'],
      ['missing sig', ban.id, JSON.stringify(unsigned), 'shape'],
      ['extra field', ban.id, storedWith(ban, { extra: true }), 'shape'],
      ['field of another kind', pin.id, storedWith(pin, { reason: 'x' }), 'shape'],
      ['ban without reason', ban.id, JSON.stringify({ ...unsigned, reason: undefined, sig: ban.sig }), 'shape'],
      ['unknown kind', ban.id, storedWith(ban, { kind: 'nuke' }), 'shape'],
      ['prototype kind', ban.id, storedWith(ban, { kind: '__proto__' }), 'shape'],
      ['version 2', ban.id, storedWith(ban, { v: 2 }), 'shape'],
      ['version as string', ban.id, storedWith(ban, { v: '1' }), 'shape'],
      ['numeric target', ban.id, storedWith(ban, { target: 7 }), 'shape'],
      ['null reason', ban.id, storedWith(ban, { reason: null }), 'shape'],
      ['array id', ban.id, storedWith(ban, { id: [ban.id] }), 'shape'],
      ['oversized reason', ban.id, storedWith(ban, { reason: 'x'.repeat(MAX_REASON_CHARS + 1) }), 'size'],
      ['control char in reason', ban.id, storedWith(ban, { reason: 'a\u0007b' }), 'shape'],
      ['bidi override in reason', ban.id, storedWith(ban, { reason: 'evil\u202Eredli' }), 'shape'],
      ['lone surrogate in reason', ban.id, storedWith(ban, { reason: 'x\uD800' }), 'shape'],
      ['message id as ban target', ban.id, storedWith(ban, { target: messageId }), 'size'],
      ['author key as pin target', pin.id, storedWith(pin, { target: userKey }), 'size'],
      ['bad base64 target', ban.id, storedWith(ban, { target: `${userKey.slice(0, -1)}+` }), 'shape'],
      // The 22nd char of a 16-byte id holds 2 data bits; 'B' sets a padding bit.
      ['non-canonical id', `${'A'.repeat(21)}B`, storedWith(ban, { id: `${'A'.repeat(21)}B` }), 'shape'],
      ['non-canonical by', ban.id, storedWith(ban, { by: `${adminKey.slice(0, -1)}${adminKey.endsWith('B') ? 'C' : 'B'}` }), 'shape'],
      ['short sig', ban.id, storedWith(ban, { sig: ban.sig.slice(1) }), 'size'],
      ['bad hlc', ban.id, storedWith(ban, { hlc: '2024-01-01T00:00:00Z' }), 'shape'],
      ['fractional untilMs', mute.id, storedWith(mute, { untilMs: T0 + 0.5 }), 'shape'],
      ['negative untilMs', mute.id, storedWith(mute, { untilMs: -1 }), 'shape'],
      ['untilMs as string', mute.id, storedWith(mute, { untilMs: String(T0) }), 'shape'],
      ['slow mode over an hour', rules.id, storedWith(rules, { rules: { ...DEFAULT_RULES, slowModeSeconds: 3601 } }), 'shape'],
      ['fractional slow mode', rules.id, storedWith(rules, { rules: { ...DEFAULT_RULES, slowModeSeconds: 1.5 } }), 'shape'],
      ['zero max chars', rules.id, storedWith(rules, { rules: { ...DEFAULT_RULES, maxMessageChars: 0 } }), 'shape'],
      ['max chars over the text limit', rules.id, storedWith(rules, { rules: { ...DEFAULT_RULES, maxMessageChars: MAX_TEXT_CHARS + 1 } }), 'shape'],
      ['lifetime not offered', rules.id, storedWith(rules, { rules: { ...DEFAULT_RULES, lifetimeSeconds: 7200 } }), 'shape'],
      ['call size not offered', rules.id, storedWith(rules, { rules: { ...DEFAULT_RULES, videoOffFrom: 5 } }), 'shape'],
      ['largest file not offered', rules.id, storedWith(rules, { rules: { ...DEFAULT_RULES, maxFileBytes: 12345 } }), 'shape'],
      ['largest file as a string', rules.id, storedWith(rules, { rules: { ...DEFAULT_RULES, maxFileBytes: '10000000' } }), 'shape'],
      ['call size as a string', rules.id, storedWith(rules, { rules: { ...DEFAULT_RULES, videoOffFrom: '6' } }), 'shape'],
      ['rules with extra field', rules.id, storedWith(rules, { rules: { ...DEFAULT_RULES, admin: userKey } }), 'shape'],
      ['rules missing a field', rules.id, storedWith(rules, { rules: { slowModeSeconds: 0, maxMessageChars: 10 } }), 'shape'],
      ['rules as array', rules.id, storedWith(rules, { rules: [0, 10, 0] }), 'shape'],
      ['key is not the id', idFrom(99), encodeModerationAction(ban), 'key_mismatch'],
    ];
    for (const [name, key, value, reason] of cases) {
      expect(() => decodeModerationAction(key, value), name).not.toThrow();
      expect(decodeModerationAction(key, value), name).toEqual({ ok: false, reason });
    }
    // Control: the same builder without changes decodes, so each drop above is the change.
    expect(decodeModerationAction(ban.id, storedWith(ban, {})).ok).toBe(true);
    expect(decodeModerationAction(rules.id, storedWith(rules, { rules: { ...DEFAULT_RULES } })).ok).toBe(true);
    expect(MAX_ACTION_CHARS).toBeGreaterThan(encodeModerationAction(await act({ kind: 'ban', target: userKey, reason: '"'.repeat(MAX_REASON_CHARS) }, T0, 5)).length);
  });

  it('rejects forged and altered actions at verification', async () => {
    const ban = await act({ kind: 'ban', target: userKey, reason: 'spam' }, T0, 1);
    const forgedUnsigned = altered(ban, { target: adminKey });
    const forged: Array<[string, ModerationAction]> = [
      ['signed by another key, claiming admin', { ...forgedUnsigned, sig: toBase64Url(await sign(mallory, moderationSigningBytes(forgedUnsigned))) }],
      ['target altered', altered(ban, { target: adminKey })],
      ['reason altered', altered(ban, { reason: 'spam!' })],
      ['hlc altered', altered(ban, { hlc: stamp(T0, 1) })],
      ['id altered', altered(ban, { id: idFrom(2) })],
      ['kind altered', altered(ban, { kind: 'kick' })],
      ['zero signature', altered(ban, { sig: toBase64Url(new Uint8Array(64)) })],
    ];
    for (const [name, action] of forged) expect(await verifyModerationAction(action, adminKey), name).toBe(false);
    // A correct signature by someone other than the admin.
    const byMallory = await act({ kind: 'ban', target: adminKey, reason: 'coup' }, T0, 3, mallory);
    expect(await verifyModerationAction(byMallory, adminKey)).toBe(false);
    expect(await verifyModerationAction(byMallory, userKey)).toBe(true);
    expect(await verifyModerationAction(ban, userKey)).toBe(false);
    expect(await verifyModerationAction(altered(ban, { sig: 'not base64!' }), adminKey)).toBe(false);
    expect(await verifyModerationAction(ban, adminKey)).toBe(true);
  });
});

describe('moderation state', () => {
  const entry = (author: string, wallMs: number, text = 'hi', n = 0): MessageEntry => ({ v: 1, id: idFrom(n), author, nick: 'n', hlc: stamp(wallMs), text, sig: '' });

  it('is the same for every arrival order', async () => {
    const actions: ModerationAction[] = [];
    let n = 0;
    for (const draft of [...drafts(), ...drafts(), { kind: 'pin', target: idFrom(201) } as const]) actions.push(await act(draft, T0 + (n % 5) * 1000, ++n));
    const expected = reduceModeration(actions);
    expect(expected.pinned).toEqual([idFrom(201)]); // the last pin is the unshared one, so order matters
    let seed = 7;
    const random = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 20; round++) {
      const shuffled = [...actions];
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [shuffled[i], shuffled[j]] = [shuffled[j] as ModerationAction, shuffled[i] as ModerationAction];
      }
      expect(reduceModeration(shuffled)).toEqual(expected);
    }
    expect(reduceModeration([])).toEqual({ deleted: new Set(), pinned: [], bans: new Map(), kicks: new Map(), mutes: new Map(), rules: DEFAULT_RULES, filterWords: [], locked: null, roomName: '' });
  });

  it('lifts a ban with a later unban, not an earlier one', async () => {
    const ban = await act({ kind: 'ban', target: userKey, reason: 'spam' }, T0 + 1000, 1);
    const laterUnban = await act({ kind: 'unban', target: userKey }, T0 + 2000, 2);
    const earlierUnban = await act({ kind: 'unban', target: userKey }, T0, 3);
    expect(reduceModeration([laterUnban, ban]).bans.size).toBe(0);
    expect(reduceModeration([ban, earlierUnban]).bans.get(userKey)).toEqual({ hlc: ban.hlc, reason: 'spam' });
    const again = await act({ kind: 'ban', target: userKey, reason: 'again' }, T0 + 3000, 4);
    expect(reduceModeration([again, laterUnban, ban]).bans.get(userKey)).toEqual({ hlc: again.hlc, reason: 'again' });
  });

  it('orders pins most recent first, unpins, and drops deleted messages', async () => {
    const [a, b, c] = [idFrom(201), idFrom(202), idFrom(203)];
    const actions = [
      await act({ kind: 'pin', target: a }, T0 + 1000, 1),
      await act({ kind: 'pin', target: b }, T0 + 2000, 2),
      await act({ kind: 'pin', target: c }, T0 + 3000, 3),
      await act({ kind: 'pin', target: a }, T0 + 4000, 4),
    ];
    expect(reduceModeration(actions).pinned).toEqual([a, c, b]);
    expect(reduceModeration([...actions, await act({ kind: 'unpin', target: c }, T0 + 5000, 5)]).pinned).toEqual([a, b]);
    expect(reduceModeration([await act({ kind: 'unpin', target: c }, T0, 6), ...actions]).pinned).toEqual([a, c, b]);
    expect(reduceModeration([...actions, await act({ kind: 'delete', target: b }, T0, 7)]).pinned).toEqual([a, c]);
  });

  it('takes the latest rules, mute and kick', async () => {
    const strict = { slowModeSeconds: 60, maxMessageChars: 100, lifetimeSeconds: 3600 };
    const relaxed = { slowModeSeconds: 0, maxMessageChars: 2000, lifetimeSeconds: 0 };
    const state = reduceModeration([
      await act({ kind: 'rules', rules: relaxed }, T0 + 2000, 1),
      await act({ kind: 'rules', rules: strict }, T0 + 1000, 2),
      await act({ kind: 'mute', target: userKey, untilMs: T0 + 9000 }, T0 + 2000, 3),
      await act({ kind: 'mute', target: userKey, untilMs: T0 + 5000 }, T0 + 1000, 4),
      await act({ kind: 'kick', target: userKey, reason: 'first' }, T0 + 1000, 5),
      await act({ kind: 'kick', target: userKey, reason: 'second' }, T0 + 2000, 6),
    ]);
    expect(state.rules).toEqual(relaxed);
    expect(state.mutes.get(userKey)).toEqual({ hlc: stamp(T0 + 2000), untilMs: T0 + 9000 });
    expect(state.kicks.get(userKey)).toEqual({ hlc: stamp(T0 + 2000), reason: 'second' });
  });

  it('gives the reason a message is hidden', async () => {
    const other = adminKey;
    const state = reduceModeration([
      await act({ kind: 'delete', target: idFrom(50) }, T0, 1),
      await act({ kind: 'ban', target: userKey, reason: 'spam' }, T0 + 10_000, 2),
      await act({ kind: 'mute', target: other, untilMs: T0 + 60_000 }, T0 + 20_000, 3),
      await act({ kind: 'rules', rules: { slowModeSeconds: 0, maxMessageChars: 10, lifetimeSeconds: 3600 } }, T0, 4),
    ]);
    const now = T0 + 30_000;
    expect(hiddenReason(entry(other, T0 + 1000, 'hi', 50), state, now)).toBe('deleted');
    expect(hiddenReason(entry(userKey, T0 + 10_000), state, now)).toBe('banned');
    expect(hiddenReason(entry(userKey, T0 + 9_999), state, now)).toBeNull(); // before the ban
    expect(hiddenReason(entry(other, T0 + 25_000), state, now)).toBe('muted');
    expect(hiddenReason(entry(other, T0 + 19_999), state, now)).toBeNull(); // before the mute
    expect(hiddenReason(entry(other, T0 + 60_000), state, now + 60_000)).toBeNull(); // mute over
    expect(hiddenReason(entry(other, T0 + 1000, 'x'.repeat(11)), state, now)).toBe('too_long');
    expect(hiddenReason(entry(other, T0 + 1000, 'x'.repeat(10)), state, now)).toBeNull();
    expect(hiddenReason(entry(other, T0, 'hi'), state, T0 + 3_600_001)).toBe('expired');
    expect(hiddenReason(entry(other, T0, 'hi'), state, T0 + 3_600_000)).toBeNull();
    expect(hiddenReason(entry(other, T0, 'hi'), reduceModeration([]), T0 + 10 * 3_600_000)).toBeNull();
  });

  it('takes the latest word filter and lock, and hides newcomers while locked', async () => {
    const filter = await act({ kind: 'filter', words: ['spam'] }, T0, 1);
    const laterFilter = await act({ kind: 'filter', words: ['eggs', 'ham'] }, T0 + 1000, 2);
    const lock = await act({ kind: 'lock', members: [adminKey] }, T0 + 2000, 3);
    expect(reduceModeration([laterFilter, filter]).filterWords).toEqual(['eggs', 'ham']);
    const locked = reduceModeration([lock]);
    expect(hiddenReason(entry(userKey, T0 + 3000), locked, T0 + 4000)).toBe('locked');
    expect(hiddenReason(entry(adminKey, T0 + 3000), locked, T0 + 4000)).toBeNull();
    const unlock = await act({ kind: 'unlock' }, T0 + 5000, 4);
    expect(reduceModeration([unlock, lock]).locked).toBeNull();
    // Bad lists are dropped: a key that is not one, a word with a line break, too many words.
    for (const [changes, reason] of [
      [{ members: ['not-a-key'] }, 'size'],
      [{ members: 'everyone' }, 'shape'],
    ] as const) expect(decodeModerationAction(lock.id, storedWith(lock, changes)), JSON.stringify(changes)).toEqual({ ok: false, reason });
    for (const words of [['two\nlines'], [' padded'], Array(101).fill('w'), ['x'.repeat(41)], [7]]) {
      expect(decodeModerationAction(filter.id, storedWith(filter, { words })).ok, JSON.stringify(words).slice(0, 40)).toBe(false);
    }
  });

  it('hides real signed messages by a banned author', async () => {
    const before = await createMessageEntry(mallory, { nick: 'M', text: 'hello', hlc: stamp(T0) });
    const after = await createMessageEntry(mallory, { nick: 'M', text: 'spam', hlc: stamp(T0 + 5000, 2) });
    const state = reduceModeration([await act({ kind: 'ban', target: userKey, reason: '' }, T0 + 5000, 1)]);
    expect(hiddenReason(before, state, T0 + 6000)).toBeNull();
    expect(hiddenReason(after, state, T0 + 6000)).toBe('banned');
  });
});
