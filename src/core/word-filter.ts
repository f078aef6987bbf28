/**
 * The room's word filter: listed words are masked in every message (the message itself stays,
 * as people expect from a filter rather than a deletion). Matching ignores case; in scripts
 * written with spaces a word only matches whole (so "ass" leaves "class" alone), while in scripts
 * written without spaces (Chinese, Japanese, Thai...) it matches anywhere.
 */
const MASK = '•••';
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;

const escape = (word: string): string => word.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/** A masking function for `words` (built once per filter change, used for every message shown). */
export function createWordMask(words: readonly string[]): (text: string) => string {
  const patterns = words
    .map((word) => word.trim())
    .filter((word) => word.length > 0)
    .map((word) => (UNSPACED.test(word) ? escape(word) : `(?<![\\p{L}\\p{N}\\p{M}])${escape(word)}(?![\\p{L}\\p{N}\\p{M}])`));
  if (patterns.length === 0) return (text) => text;
  const matcher = new RegExp(patterns.join('|'), 'giu');
  return (text) => text.replace(matcher, MASK);
}
