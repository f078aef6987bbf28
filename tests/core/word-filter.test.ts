import { describe, expect, it } from 'vitest';
import { createWordMask } from '../../src/core/word-filter.js';

describe('word filter', () => {
  it('masks whole words in spaced scripts, ignoring case, and leaves longer words alone', () => {
    const mask = createWordMask(['spam', 'كلب']);
    expect(mask('No SPAM here, spam! spammer and antispam stay.')).toBe('No ••• here, •••! spammer and antispam stay.');
    expect(mask('هذا كلب كبير')).toBe('هذا ••• كبير');
    expect(mask('الكلبة')).toBe('الكلبة');
  });

  it('masks words of unspaced scripts wherever they occur', () => {
    const mask = createWordMask(['馬鹿', 'ばか']);
    expect(mask('お前は馬鹿だ、ばかやろう')).toBe('お前は•••だ、•••やろう');
  });

  it('treats words as text, not patterns, and does nothing without words', () => {
    expect(createWordMask(['a.b', '(x)'])('a.b axb (x) x')).toBe('••• axb ••• x');
    expect(createWordMask([])('anything at all')).toBe('anything at all');
    expect(createWordMask(['  '])('  ')).toBe('  ');
  });
});
