import { beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { formatStamp } from '../../src/core/hlc.js';
import { createModerationAction, decodeModerationAction, encodeModerationAction, reduceModeration, verifyModerationAction, type ModerationAction, type ModerationState } from '../../src/core/moderation.js';
import { MAX_ROOM_NAME_CHARS, parseRoomName, tidyRoomName } from '../../src/core/room-name.js';
import type { DropReason } from '../../src/core/types.js';
import { toBase64Url } from '../../src/crypto/encoding.js';
import { createIdentity, type Identity } from '../../src/crypto/identity.js';
import { ModerationLog } from '../../src/state/moderation-log.js';

const T0 = 1_700_000_000_000;
const stamp = (wallMs: number): string => formatStamp({ wallMs, counter: 0 });
const idFrom = (n: number): string => toBase64Url(new Uint8Array([...new Uint8Array(15), n]));

describe('room name policy', () => {
  it('accepts names in any script, emoji and Persian joiners included', () => {
    for (const name of ['Книжный клуб 📚', 'باشگاه کتاب‌خوانی', '読書会', 'Klub książki', 'a', '👩‍👩‍👧 family', '']) {
      expect(parseRoomName(name), name).toBe(name);
      expect(tidyRoomName(name)).toBe(name);
    }
  });

  it('refuses bidi overrides, embeddings and isolates, which would reorder the text around the name', () => {
    for (const code of [0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069]) {
      const name = `Admin${String.fromCodePoint(code)}gpj.exe`;
      expect(parseRoomName(name), code.toString(16)).toBeNull();
      expect(tidyRoomName(name)).toBe('Admin gpj.exe');
    }
  });

  it('refuses control characters and line breaks', () => {
    for (const name of ['two\nlines', 'tab\there', 'nul\u0000', 'bell\u0007', 'c1\u0085', 'del\u007f', 'sep\u2028x', 'para\u2029x']) {
      expect(parseRoomName(name), JSON.stringify(name)).toBeNull();
    }
    expect(tidyRoomName('two\nlines')).toBe('two lines');
  });

  it('refuses untrimmed, denormalised (non-NFC) and lone-surrogate names, which tidying fixes', () => {
    const decomposed = 'Cafe\u0301';
    expect(parseRoomName(decomposed)).toBeNull();
    expect(tidyRoomName(decomposed)).toBe('Café');
    expect(parseRoomName(' padded ')).toBeNull();
    expect(parseRoomName('double  space')).toBeNull();
    expect(parseRoomName('half \uD83D')).toBeNull();
    expect(tidyRoomName('half \uD83D')).toBe('half');
  });

  it(`refuses names longer than ${MAX_ROOM_NAME_CHARS} code points and cuts typed ones there`, () => {
    const longest = '📚'.repeat(MAX_ROOM_NAME_CHARS);
    expect(parseRoomName(longest)).toBe(longest);
    expect(parseRoomName(`${longest}x`)).toBeNull();
    expect(parseRoomName('x'.repeat(1_000_000))).toBeNull();
    expect([...tidyRoomName('😀'.repeat(100))].length).toBe(MAX_ROOM_NAME_CHARS);
  });

  it('refuses anything that is not a string', () => {
    for (const value of [null, undefined, 42, {}, ['name'], { toString: () => 'name' }, new String('name')]) expect(parseRoomName(value)).toBeNull();
  });
});

describe('signed room names', () => {
  let admin: Identity;
  let mallory: Identity;
  let adminKey: string;
  beforeAll(async () => {
    admin = await createIdentity();
    mallory = await createIdentity();
    adminKey = toBase64Url(admin.publicKey);
  });
  const nameAction = (name: string, wallMs: number, n: number, by: Identity = admin): Promise<ModerationAction> =>
    createModerationAction(by, { kind: 'name', name }, stamp(wallMs), () => idFrom(n));

  it('round-trips through the stored form and verifies; the newest name wins, the empty name removes it', async () => {
    const first = await nameAction('Книжный клуб 📚', T0, 1);
    const decoded = decodeModerationAction(first.id, encodeModerationAction(first));
    expect(decoded).toEqual({ ok: true, action: first });
    expect(await verifyModerationAction(first, adminKey)).toBe(true);
    const second = await nameAction('باشگاه کتاب', T0 + 1, 2);
    const cleared = await nameAction('', T0 + 2, 3);
    expect(reduceModeration([second, first]).roomName).toBe('باشگاه کتاب');
    expect(reduceModeration([cleared, first, second]).roomName).toBe('');
    expect(reduceModeration([]).roomName).toBe('');
  });

  it('refuses to sign a name peers would drop, and drops a stored one that breaks the policy', async () => {
    await expect(createModerationAction(admin, { kind: 'name', name: 'evil\u202Eexe' }, stamp(T0))).rejects.toThrow(RangeError);
    await expect(createModerationAction(admin, { kind: 'name', name: 'x'.repeat(MAX_ROOM_NAME_CHARS + 1) }, stamp(T0))).rejects.toThrow(RangeError);
    const good = await nameAction('Club', T0, 4);
    const stored = JSON.parse(encodeModerationAction(good)) as Record<string, unknown>;
    for (const name of ['evil\u202Eexe', 'a\nb', 42, null, ' Club ']) {
      expect(decodeModerationAction(good.id, JSON.stringify({ ...stored, name })), JSON.stringify(name)).toEqual({ ok: false, reason: 'shape' });
    }
    const { name: _name, ...without } = stored;
    expect(decodeModerationAction(good.id, JSON.stringify(without)).ok).toBe(false);
  });

  it('a forged signature does not verify: a name changed after signing, or a name signed by someone else', async () => {
    const signed = await nameAction('Club', T0, 5);
    expect(await verifyModerationAction({ ...signed, name: 'Clubs' } as ModerationAction, adminKey)).toBe(false);
    const byMallory = await nameAction('Pwned', T0, 6, mallory);
    expect(await verifyModerationAction(byMallory, adminKey)).toBe(false);
    // Claiming to be the admin with Mallory's signature fails too.
    expect(await verifyModerationAction({ ...byMallory, by: adminKey }, adminKey)).toBe(false);
  });

  it("in a room's document, only the admin's signed name counts; a member's name and a forged one are dropped and counted", async () => {
    const doc = new Y.Doc();
    const map = doc.getMap<unknown>('moderation');
    const drops: DropReason[] = [];
    let state: ModerationState | null = null;
    const log = new ModerationLog({ map, adminKey, onDrop: (reason) => drops.push(reason), onChange: (next) => (state = next) });
    const real = await nameAction('Книжный клуб 📚', T0, 7);
    map.set(real.id, encodeModerationAction(real));
    await log.start();
    expect(log.state.roomName).toBe('Книжный клуб 📚');

    // Later stamps, so either would win if it counted.
    const byMember = await nameAction('Mallory rules', T0 + 10, 8, mallory);
    const forged = { ...(await nameAction('Innocent', T0 + 11, 9)), name: 'Phishing' } as ModerationAction;
    const hostile = new Y.Doc();
    hostile.getMap('moderation').set(byMember.id, encodeModerationAction(byMember));
    hostile.getMap('moderation').set(forged.id, encodeModerationAction(forged));
    hostile.getMap('moderation').set(idFrom(10), '{"v":1,"kind":"name","name":"\u202Eevil"}');
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(hostile));
    await expect.poll(() => drops.length).toBe(3);
    expect(drops.filter((reason) => reason === 'not_admin')).toHaveLength(2);
    expect(log.state.roomName).toBe('Книжный клуб 📚');
    expect(state).not.toBeNull();
  });
});
