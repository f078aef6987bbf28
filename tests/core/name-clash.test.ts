import { describe, expect, it } from 'vitest';
import { MAX_NAME_PAIRS, NameRegistry, nameSkeleton } from '../../src/core/name-clash.js';

describe('names people would read as one', () => {
  it('ignores case, accents, invisible characters, spacing, punctuation and Cyrillic or Greek lookalikes', () => {
    const ana = nameSkeleton('Ana');
    for (const same of ['ana', 'ANA', 'Āna', 'A n a', 'Ana\u200d', '\u202eAna', 'Ana.', '\u0410na' /* Cyrillic А */, 'An\u0430' /* Cyrillic а */, '\u0391na' /* Greek Α */, 'Ａｎａ' /* fullwidth */]) {
      expect(nameSkeleton(same), JSON.stringify(same)).toBe(ana);
    }
    expect(nameSkeleton('Paypal')).toBe(nameSkeleton('PayPaI'));
    expect(nameSkeleton('Quiet Otter')).toBe(nameSkeleton('quiet 0tter'));
    expect(nameSkeleton('Marta')).toBe(nameSkeleton('Mаrta'));
  });

  it('keeps different names apart, in every script', () => {
    const names = ['Ana', 'Anna', 'Ania', 'Анна', 'Аня', 'Żaneta', 'Zuzanna', 'さくら', 'サクラ', '桜', 'نرگس', 'نازنین', '🙂', '🙃'];
    const skeletons = names.map(nameSkeleton);
    expect(new Set(skeletons).size).toBe(names.length);
  });

  it('treats Persian letter variants and ZWNJ as the same name', () => {
    expect(nameSkeleton('علی\u200cرضا')).toBe(nameSkeleton('علیرضا'));
    expect(nameSkeleton('\u0639\u0644\u064A')).toBe(nameSkeleton('\u0639\u0644\u06CC')); // Arabic yeh vs Persian yeh
  });
});

describe('the room\'s name registry', () => {
  it('flags a name only when a second key uses it, and both sides of it', () => {
    const names = new NameRegistry();
    expect(names.note('alice-key', 'Ana')).toBe(false);
    expect(names.isShared('alice-key', 'Ana')).toBe(false);
    expect(names.note('alice-key', 'Ana')).toBe(false);
    expect(names.note('mallory-key', 'Аna')).toBe(true);
    expect(names.isShared('alice-key', 'Ana')).toBe(true);
    expect(names.isShared('mallory-key', 'Аna')).toBe(true);
    expect(names.isShared('bob-key', 'Bob')).toBe(false);
    // A third key on the same name changes nothing more; one key's own two names are no clash.
    expect(names.note('eve-key', 'ana')).toBe(false);
    names.note('bob-key', 'Bob');
    names.note('bob-key', 'Bobby');
    expect(names.isShared('bob-key', 'Bobby')).toBe(false);
    expect(names.sharedNames).toBe(1);
  });

  it('remembers a name after its owner renamed: taking someone\'s old name is still flagged', () => {
    const names = new NameRegistry();
    names.note('alice-key', 'Ana');
    names.note('alice-key', 'Ana K.');
    names.note('mallory-key', 'Ana');
    expect(names.isShared('mallory-key', 'Ana')).toBe(true);
  });

  it('stays bounded under a member renaming in a loop, and keeps the names noted again (the people present)', () => {
    const names = new NameRegistry();
    names.note('alice-key', 'Ana');
    for (let i = 0; i < MAX_NAME_PAIRS * 2; i++) {
      names.note('mallory-key', `name ${i}`);
      if (i % 1000 === 0) names.note('alice-key', 'Ana');
    }
    expect(names.note('mallory-key', 'Ana')).toBe(true);
    expect(names.isShared('alice-key', 'Ana')).toBe(true);
    // The oldest of Mallory's names went: only the bound's worth is kept.
    names.note('zed-key', 'name 0');
    expect(names.isShared('zed-key', 'name 0')).toBe(false);
  });

  it('un-flags a name when eviction leaves it with one key', () => {
    const names = new NameRegistry();
    names.note('a', 'Same');
    names.note('b', 'Same');
    expect(names.sharedNames).toBe(1);
    let changed = false;
    for (let i = 0; i < MAX_NAME_PAIRS - 1; i++) changed = names.note('c', `other ${i}`) || changed;
    expect(changed).toBe(true);
    expect(names.sharedNames).toBe(0);
    expect(names.isShared('b', 'Same')).toBe(false);
  });

  it('takes hostile names without throwing: huge, control characters, lone surrogates, only emoji', () => {
    const names = new NameRegistry();
    for (const nick of ['x'.repeat(100_000), '\u0000\u0001', '\ud800', '\udc00abc', '🙂🙂', '', ' ', '\u200d\u200d']) {
      expect(() => names.note('k1', nick)).not.toThrow();
      expect(typeof nameSkeleton(nick)).toBe('string');
    }
    expect(nameSkeleton('🙂')).not.toBe(nameSkeleton('🙃'));
  });
});
