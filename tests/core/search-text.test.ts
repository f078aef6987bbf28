import { describe, expect, it } from 'vitest';
import { indexTerms, MAX_TERMS_PER_TEXT, MAX_WORD_CHARS, normalizeText, parseQuery } from '../../src/core/search-text.js';

describe('normalizeText', () => {
  it('ignores case and diacritics in Latin scripts, Polish letters included', () => {
    expect(normalizeText('Żółć')).toBe('zolc');
    expect(normalizeText('Łódź')).toBe('lodz');
    expect(normalizeText('Crème BRÛLÉE')).toBe('creme brulee');
    expect(normalizeText('Straße')).toBe('strasse');
  });

  it('reads Russian ё as е and ignores case in Cyrillic', () => {
    expect(normalizeText('Ёлка')).toBe('елка');
    expect(normalizeText('ПРИВЕТ')).toBe('привет');
  });

  it('writes Arabic yeh and kaf as the Persian letters and drops harakat, tatweel and ZWNJ', () => {
    // Arabic yeh (U+064A) and kaf (U+0643) in "كتابي" read as Persian "کتابی".
    expect(normalizeText('\u0643\u062A\u0627\u0628\u064A')).toBe('\u06A9\u062A\u0627\u0628\u06CC');
    expect(normalizeText('مَدرَسه')).toBe('مدرسه');
    expect(normalizeText('کـــتاب')).toBe('کتاب');
    expect(normalizeText('می\u200Cخواهم')).toBe('میخواهم');
    expect(normalizeText('۱۲۳ ٤٥')).toBe('123 45');
  });

  it('keeps Japanese voicing marks and folds half-width katakana', () => {
    expect(normalizeText('が')).toBe('が');
    expect(normalizeText('ｶﾞｯｺｳ')).toBe('ガッコウ'.toLowerCase());
    expect(normalizeText('ＡＢＣ')).toBe('abc');
  });
});

describe('indexTerms', () => {
  it('indexes words of spaced scripts and ignores emoji and punctuation', () => {
    expect(indexTerms('Hello, world! 👋🏽 Привет — cześć')).toEqual(['hello', 'world', 'привет', 'czesc']);
  });

  it('indexes Japanese and Chinese runs as characters and bigrams', () => {
    expect(indexTerms('東京へ')).toEqual(['東', '京', 'へ', '東京', '京へ']);
    expect(indexTerms('Tokyo東京')).toEqual(['tokyo', '東', '京', '東京']);
  });

  it('indexes Persian words whatever their keyboard wrote', () => {
    expect(indexTerms('كتاب يك')).toEqual(indexTerms('کتاب یک'));
  });

  it('bounds long words and many words (a hostile message costs no more than its cap)', () => {
    expect(indexTerms('a'.repeat(5000))).toEqual(['a'.repeat(MAX_WORD_CHARS)]);
    const many = Array.from({ length: 10_000 }, (_, i) => `w${i}`).join(' ');
    expect(indexTerms(many)).toHaveLength(MAX_TERMS_PER_TEXT);
  });

  it('treats control characters as spaces', () => {
    expect(indexTerms('one\u0000two\u0007three\u001Bfour')).toEqual(['one', 'two', 'three', 'four']);
  });
});

describe('parseQuery', () => {
  it('takes the last word as a prefix while it is typed, and whole once a space follows', () => {
    expect(parseQuery('hello wor')).toEqual({ words: ['hello'], prefix: 'wor', runs: [] });
    expect(parseQuery('hello world ')).toEqual({ words: ['hello', 'world'], prefix: null, runs: [] });
  });

  it('normalises the query like the text, and reads dense runs whole', () => {
    expect(parseQuery('ZÓŁ')).toEqual({ words: [], prefix: 'zol', runs: [] });
    expect(parseQuery('東京 駅')).toEqual({ words: [], prefix: null, runs: ['東京', '駅'] });
  });

  it('bounds the query length and its words, and finds nothing in emoji alone', () => {
    const query = parseQuery(Array.from({ length: 50 }, (_, i) => `word${i}`).join(' '));
    expect(query.words.length + (query.prefix === null ? 0 : 1)).toBe(8);
    expect(parseQuery('🎉🎉 !!')).toEqual({ words: [], prefix: null, runs: [] });
  });
});
