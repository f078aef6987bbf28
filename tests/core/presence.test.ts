import { describe, expect, it } from 'vitest';
import { colorForKey, parsePresenceFields, randomNickname } from '../../src/core/presence.js';
import { isValidNick } from '../../src/core/message-entry.js';
import { toBase64Url } from '../../src/crypto/encoding.js';
import { createRandom } from '../helpers/random.js';

const random = createRandom(0x9e5);
const randomKey = (): string => toBase64Url(Uint8Array.from({ length: 32 }, () => random.int(256)));
const KEY = randomKey();
const GOOD = { nick: 'Calm Heron', color: '#3a6ea5', status: 'online', text: '', typing: false } as const;

/** WCAG 2 contrast ratio between two `#rrggbb` colours. */
function contrast(a: string, b: string): number {
  const lum = (hex: string): number => {
    const [r, g, bl] = [1, 3, 5].map((i) => {
      const c = parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    }) as [number, number, number];
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

describe('presence fields', () => {
  it('accepts a well-formed state', () => {
    expect(parsePresenceFields({ ...GOOD })).toEqual(GOOD);
    expect(parsePresenceFields({ ...GOOD, status: 'away', typing: true, nick: 'نور 🌙' })).toEqual({ ...GOOD, status: 'away', typing: true, nick: 'نور 🌙' });
    expect(parsePresenceFields({ ...GOOD, status: 'busy', text: 'في اجتماع حتى الثالثة 📅' })).toEqual({ ...GOOD, status: 'busy', text: 'في اجتماع حتى الثالثة 📅' });
  });

  it('rejects a corpus of bad states', () => {
    const { typing: _typing, ...missing } = GOOD;
    const bad: Array<[string, unknown]> = [
      ['null', null],
      ['array', [GOOD]],
      ['string', 'online'],
      ['missing field', missing],
      ['extra field', { ...GOOD, admin: true }],
      ['a key among the fields (it travels beside them, signed)', { ...GOOD, key: KEY }],
      ['unknown status', { ...GOOD, status: 'invisible' }],
      ['long status text', { ...GOOD, text: 't'.repeat(81) }],
      ['status text with a line break', { ...GOOD, text: 'a\nb' }],
      ['status text with a bidi override', { ...GOOD, text: 'x\u202Ey' }],
      ['status text not a string', { ...GOOD, text: 5 }],
      ['empty nick', { ...GOOD, nick: '' }],
      ['long nick', { ...GOOD, nick: 'n'.repeat(41) }],
      ['untrimmed nick', { ...GOOD, nick: 'Calm Heron ' }],
      ['control nick', { ...GOOD, nick: 'Calm\u0000Heron' }],
      ['named colour', { ...GOOD, color: 'red' }],
      ['short colour', { ...GOOD, color: '#abc' }],
      ['css injection', { ...GOOD, color: '#000000;background:url(x)' }],
      ['upper-case colour', { ...GOOD, color: '#3A6EA5' }],
      ['unknown status, capitalised', { ...GOOD, status: 'Online' }],
      ['string typing', { ...GOOD, typing: 'false' }],
      ['numeric typing', { ...GOOD, typing: 0 }],
    ];
    for (const [name, value] of bad) expect(parsePresenceFields(value), name).toBeNull();
  });

  it('carries a call part only as exactly three booleans', () => {
    const call = { mic: true, cam: false, screen: true };
    expect(parsePresenceFields({ ...GOOD, call })).toEqual({ ...GOOD, call });
    const bad: Array<[string, unknown]> = [
      ['null call', null],
      ['call as a boolean', true],
      ['call missing screen', { mic: true, cam: true }],
      ['call with an extra field (someone else\'s camera)', { ...call, target: KEY }],
      ['call field as a string', { ...call, cam: 'true' }],
      ['call as an array', [true, true, true]],
    ];
    for (const [name, value] of bad) expect(parsePresenceFields({ ...GOOD, call: value }), name).toBeNull();
  });

  it('never throws on hostile values', () => {
    const hostile = new Proxy({}, { ownKeys: () => { throw new Error('boom'); } });
    expect(parsePresenceFields(hostile)).toBeNull();
  });
});

describe('random nicknames', () => {
  it('are friendly two-word names that pass nickname validation', () => {
    const seeded = createRandom(3);
    for (let i = 0; i < 200; i++) {
      const nick = randomNickname(seeded.next);
      expect(nick).toMatch(/^[A-Z][a-z]+ [A-Z][a-z]+$/);
      expect(isValidNick(nick)).toBe(true);
    }
    expect(randomNickname(() => 0.999999999)).toMatch(/ /);
  });

  it('are reproducible from the same seed', () => {
    const a = createRandom(11);
    const b = createRandom(11);
    expect(Array.from({ length: 5 }, () => randomNickname(a.next))).toEqual(Array.from({ length: 5 }, () => randomNickname(b.next)));
  });
});

describe('key colours', () => {
  it('are deterministic #rrggbb values that a presence state accepts', () => {
    expect(colorForKey(KEY)).toBe(colorForKey(KEY));
    expect(parsePresenceFields({ ...GOOD, color: colorForKey(KEY) })).not.toBeNull();
  });

  it('read on both light and dark backgrounds', () => {
    for (let i = 0; i < 500; i++) {
      const color = colorForKey(randomKey());
      expect(color).toMatch(/^#[0-9a-f]{6}$/);
      expect(contrast(color, '#ffffff'), color).toBeGreaterThanOrEqual(4);
      expect(contrast(color, '#000000'), color).toBeGreaterThanOrEqual(4);
      expect(contrast(color, '#1e1e1e'), color).toBeGreaterThanOrEqual(3);
    }
  });

  it('spread over many hues', () => {
    const colors = new Set(Array.from({ length: 200 }, () => colorForKey(randomKey())));
    expect(colors.size).toBeGreaterThan(150);
  });
});
