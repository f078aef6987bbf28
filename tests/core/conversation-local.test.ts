import 'fake-indexeddb/auto';
import { get, set } from 'idb-keyval';
import { describe, expect, it } from 'vitest';
import { mentionOf, mentions } from '../../src/core/mentions.js';
import { expandShortcut, isValidShortcutName, withShortcut } from '../../src/core/shortcuts.js';
import { decodeProfile, DEFAULT_AUTO_REPLY, EMPTY_PROFILE, encodeProfile, PROFILE_COLORS, type Profile } from '../../src/core/profile.js';
import { nicknameForKey } from '../../src/core/presence.js';
import { isValidNick } from '../../src/core/message-entry.js';
import { loadProfile, saveProfile } from '../../src/persistence/profile-store.js';
import { PROFILE_KEY } from '../../src/persistence/database.js';
import { RoomAlerts } from '../../src/state/room-alerts.js';
import type { Person } from '../../src/state/people.js';
import { freshStore } from '../persistence/fixtures.js';

describe('mentions', () => {
  it('finds @nick in any script, case-insensitively, not inside a longer word or name', () => {
    expect(mentions('hi @ana, lunch?', 'Ana')).toBe(true);
    expect(mentions('@Calm Heron look', 'Calm Heron')).toBe(true);
    expect(mentions('سلام @نور!', 'نور')).toBe(true);
    expect(mentions('@さくら さん', 'さくら')).toBe(true);
    expect(mentions('hi @anabel', 'Ana')).toBe(false);
    expect(mentions('mail me: x@ana', 'Ana')).toBe(false);
    expect(mentions('hi ana', 'Ana')).toBe(false);
    expect(mentions('@Calm Herons', 'Calm Heron')).toBe(false);
    expect(mentions('@anabel and @ana', 'Ana')).toBe(true);
  });
  it('a click inserts "@nick " ready for more text', () => {
    expect(mentionOf('Calm Heron')).toBe('@Calm Heron ');
    expect(mentions(`${mentionOf('Calm Heron')}hello`, 'Calm Heron')).toBe(true);
  });
});

describe('canned replies', () => {
  const list = [{ name: 'hello', text: 'Hi! How can I help? 🙂' }, { name: 'سلام', text: 'سلام، خوش آمدید' }];
  it('expand "/name" at the caret, case-insensitively, and put the caret after the text', () => {
    expect(expandShortcut('/hello', 6, list)).toEqual({ text: 'Hi! How can I help? 🙂', caret: 'Hi! How can I help? 🙂'.length });
    expect(expandShortcut('ok /HELLO there', 9, list)).toEqual({ text: 'ok Hi! How can I help? 🙂 there', caret: 3 + 'Hi! How can I help? 🙂'.length });
    expect(expandShortcut('/سلام', 5, list)?.text).toBe('سلام، خوش آمدید');
  });
  it('leave Tab alone when there is nothing to expand', () => {
    expect(expandShortcut('/nope', 5, list)).toBeNull();
    expect(expandShortcut('a/hello', 7, list)).toBeNull();
    expect(expandShortcut('/hello', 3, list)).toBeNull();
    expect(expandShortcut('', 0, list)).toBeNull();
  });
  it('names are one word; adding a name again replaces it', () => {
    expect(isValidShortcutName('hello')).toBe(true);
    expect(isValidShortcutName('two words')).toBe(false);
    expect(isValidShortcutName('')).toBe(false);
    expect(isValidShortcutName('x'.repeat(25))).toBe(false);
    const next = withShortcut(list, { name: 'HELLO', text: 'Hey' });
    expect(next.filter((item) => item.name.toLowerCase() === 'hello')).toEqual([{ name: 'HELLO', text: 'Hey' }]);
  });
});

describe('device profile', () => {
  const profile: Profile = { nick: 'Ana 🌙', color: '#3d6fd6', shortcuts: [{ name: 'hi', text: 'Hello there' }], autoReply: { enabled: true, text: 'Back at five, sorry!' } };
  it('round-trips, and drops (counting) only the parts that do not pass', () => {
    expect(decodeProfile(encodeProfile(profile))).toEqual({ profile, dropped: 0 });
    const bad = JSON.stringify({ v: 1, nick: 'a\u202Eb', color: '#123456', shortcuts: [{ name: 'ok', text: 'fine' }, { name: 'bad name', text: 'x' }, 7, { name: 'ctl', text: 'a\u0000' }] });
    expect(decodeProfile(bad)).toEqual({ profile: { nick: null, color: null, shortcuts: [{ name: 'ok', text: 'fine' }], autoReply: DEFAULT_AUTO_REPLY }, dropped: 5 });
    expect(decodeProfile(JSON.stringify({ v: 1, nick: null, color: null, shortcuts: [], autoReply: { enabled: true, text: 'x'.repeat(301) } }))).toEqual({ profile: EMPTY_PROFILE, dropped: 1 });
    expect(decodeProfile('{').dropped).toBe(1);
    expect(decodeProfile('[]').profile).toEqual(EMPTY_PROFILE);
  });
  it('is stored sealed: the stored bytes hold neither the nickname nor the canned text', async () => {
    const store = freshStore();
    await saveProfile(profile, store);
    const stored = (await get(PROFILE_KEY, store)) as Uint8Array;
    const text = new TextDecoder().decode(stored);
    expect(text).not.toContain('Hello there');
    expect(text).not.toContain('Ana');
    expect(text).not.toContain('Back at five');
    expect(await loadProfile(store)).toEqual({ profile, dropped: 0 });
    // A tampered record is dropped and counted; the page still gets a usable profile.
    stored[stored.length - 1] = (stored[stored.length - 1] ?? 0) ^ 1;
    await set(PROFILE_KEY, stored, store);
    expect(await loadProfile(store)).toEqual({ profile: EMPTY_PROFILE, dropped: 1 });
  });
  it('offers colours that read on both themes, and a stable nickname per key', () => {
    const lum = (hex: string): number => {
      const [r, g, b] = [1, 3, 5].map((i) => {
        const c = parseInt(hex.slice(i, i + 2), 16) / 255;
        return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      }) as [number, number, number];
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    for (const color of Object.keys(PROFILE_COLORS)) {
      expect((1.05 / (lum(color) + 0.05))).toBeGreaterThan(4); // on white
      expect((lum(color) + 0.05) / 0.05).toBeGreaterThan(4); // on black
    }
    const key = Uint8Array.from({ length: 32 }, (_, i) => (i * 37) % 256);
    expect(nicknameForKey(key)).toBe(nicknameForKey(key.slice()));
    expect(isValidNick(nicknameForKey(key))).toBe(true);
    const names = new Set(Array.from({ length: 50 }, (_, n) => nicknameForKey(Uint8Array.from({ length: 32 }, (_, i) => (n * 31 + i * 7) % 256))));
    expect(names.size).toBeGreaterThan(20);
  });
});

describe('room alerts', () => {
  const person = (key: string, isSelf = false): Person => ({ id: `1:${key}`, key, nick: key, color: '#000000', status: 'online', statusText: '', typing: false, call: null, safetyCode: '', isSelf });
  const entry = (text: string) => ({ v: 1 as const, id: 'i', author: 'a', nick: 'Bo', hlc: '0', text, sig: 's' });
  it('a mention of this person is a mention, anything else a message', () => {
    const events: string[] = [];
    const alerts = new RoomAlerts(() => 'Ana');
    alerts.listener = (event) => events.push(event);
    alerts.arrived([entry('hello all')]);
    alerts.arrived([entry('hi'), entry('@ana look')]);
    alerts.arrived([]);
    expect(events).toEqual(['message', 'mention']);
  });
  it('people already here are not joins; someone new after that is, once', () => {
    const events: string[] = [];
    const alerts = new RoomAlerts(() => 'Ana');
    alerts.listener = (event) => events.push(event);
    alerts.people([person('me', true), person('bo'), person('cy')], 1000);
    alerts.people([person('me', true), person('bo'), person('cy'), person('di')], 2000);
    expect(events).toEqual([]);
    alerts.people([person('me', true), person('bo'), person('cy'), person('di'), person('eve')], 5000);
    alerts.people([person('me', true), person('eve')], 6000);
    alerts.people([person('me', true), person('eve'), person('bo')], 7000);
    expect(events).toEqual(['join']);
  });
  it('a failing listener does not break the room', () => {
    const alerts = new RoomAlerts(() => 'Ana');
    alerts.listener = () => {
      throw new Error('no audio');
    };
    expect(() => alerts.arrived([entry('x')])).not.toThrow();
  });
});
