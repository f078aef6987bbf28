/**
 * Text as search sees it: one normal form for the words of every script, and the terms a text is
 * indexed under. Case and diacritics do not count (Polish "żółć" is found by "zolc", Russian "ёлка"
 * by "елка"); Arabic and Persian spellings of yeh and kaf are one letter, harakat, tatweel and ZWNJ go
 * (so "می‌خواهم" and "میخواهم" are one word); Persian and Arabic digits are ASCII digits. Emoji and
 * punctuation are not words.
 *
 * Chinese and Japanese have no spaces, so their runs are indexed as overlapping character bigrams
 * (plus each single character), not with Intl.Segmenter: bigrams find any substring of two or more
 * characters, need no dictionary, and give the same terms in Node, in a worker and in every browser,
 * where a segmenter may cut the query "東京" differently alone than inside a sentence.
 */

/** Letters with no decomposition that readers treat as a base letter with a mark. */
const FOLDS: Readonly<Record<string, string>> = {
  ł: 'l', đ: 'd', ø: 'o', ß: 'ss', æ: 'ae', œ: 'oe', ı: 'i', ħ: 'h', þ: 'th', ð: 'd',
  // Arabic yeh, alef maksura and kaf are written as the Persian letters; teh marbuta as heh.
  '\u064A': '\u06CC', '\u0649': '\u06CC', '\u0643': '\u06A9', '\u0629': '\u0647', '\u06C0': '\u0647', '\u06D5': '\u0647',
};
const FOLD_PATTERN = new RegExp(`[${Object.keys(FOLDS).join('')}]`, 'gu');
/** Combining marks, except the kana voicing marks (が is not か). */
const MARKS = /(?![\u3099\u309A])\p{M}/gu;
/** Tatweel, zero-width joiners and non-joiners, soft hyphen, bidi controls. */
const INVISIBLE = /[\u0640\u200B-\u200F\u00AD\u2060\uFEFF\u202A-\u202E\u2066-\u2069]/g;
const EASTERN_DIGITS = /[\u0660-\u0669\u06F0-\u06F9]/g;

/** Scripts written without spaces between words: indexed as bigrams. */
const DENSE = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\u30FC]/u;
/** One character of a dense script (kana voicing marks with their kana), or of a word. */
const DENSE_CHAR = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\u30FC\u3099\u309A]$/u;
const WORD_CHAR = /^[\p{L}\p{N}]$/u;

/** Longest word kept as a term (longer runs are cut: a 5,000-letter "word" is not a word). */
export const MAX_WORD_CHARS = 40;
/** Most distinct terms one text is indexed under (a hostile 10k-word message costs no more). */
export const MAX_TERMS_PER_TEXT = 1024;

const ASCII = /^[\x00-\x7F]*$/;
/** Per-character results are cached up to this many distinct characters (a hostile text of every code point cannot grow it further). */
const CACHE_MAX = 50_000;
const foldCache = new Map<number, string>();
const classCache = new Map<number, CharClass>();

/** The normal form of one character (possibly empty, or several characters). */
function foldChar(char: string): string {
  return char
    .normalize('NFKD')
    .replace(MARKS, '')
    .normalize('NFC')
    .toLowerCase()
    .replace(FOLD_PATTERN, (letter) => FOLDS[letter] ?? letter)
    .replace(INVISIBLE, '')
    .replace(EASTERN_DIGITS, (digit) => String((digit.charCodeAt(0) - 0x0660) % 0x90));
}

const cached = <T,>(cache: Map<number, T>, code: number, make: () => T): T => {
  const known = cache.get(code);
  if (known !== undefined) return known;
  const made = make();
  if (cache.size < CACHE_MAX) cache.set(code, made);
  return made;
};

/**
 * `text` in the normal form search compares (see the module comment). Each character is folded on
 * its own (and remembered): chat text repeats few distinct characters, and folding a whole text
 * with NFKD, NFC and five replacements cost most of the index's build time.
 */
export function normalizeText(text: string): string {
  // Most chat text in Latin script is plain ASCII: nothing to decompose or fold.
  if (ASCII.test(text)) return text.toLowerCase();
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const code = text.codePointAt(i) as number;
    if (code > 0xffff) i++;
    out += foldCode(code);
  }
  // Half-width kana write the voicing mark apart: compose it with its kana as the whole text would.
  return out.includes('\u3099') || out.includes('\u309A') ? out.normalize('NFC') : out;
}

/** The normal form of the character `code` (empty for a mark or an invisible character). */
export function foldCode(code: number): string {
  if (code < 0x80) return code >= 0x41 && code <= 0x5a ? String.fromCharCode(code + 32) : String.fromCharCode(code);
  return cached(foldCache, code, () => foldChar(String.fromCodePoint(code)));
}

export const isDense = (text: string): boolean => DENSE.test(text);

/** Separator, a word's letter or digit, or a character of a dense script. */
export const CharClass = { Separator: 0, Word: 1, Dense: 2 } as const;
export type CharClass = (typeof CharClass)[keyof typeof CharClass];

/** The class of a character of normalised text. */
export function classOf(code: number): CharClass {
  if (code < 0x80) return (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) ? CharClass.Word : CharClass.Separator;
  return cached(classCache, code, () => {
    const char = String.fromCodePoint(code);
    return DENSE_CHAR.test(char) ? CharClass.Dense : WORD_CHAR.test(char) ? CharClass.Word : CharClass.Separator;
  });
}

/** One piece of a normalised text: a word, or a run of a dense script (CJK, Thai). */
export interface TextPiece {
  readonly text: string;
  readonly dense: boolean;
}

/** The words and dense runs of an already normalised text, in order. */
export function pieces(normalized: string): TextPiece[] {
  const found: TextPiece[] = [];
  let start = 0;
  let current: CharClass = CharClass.Separator;
  const flush = (end: number): void => {
    if (current === CharClass.Word) found.push({ text: normalized.slice(start, Math.min(end, start + MAX_WORD_CHARS)), dense: false });
    else if (current === CharClass.Dense) found.push({ text: normalized.slice(start, end), dense: true });
  };
  for (let i = 0; i < normalized.length; i++) {
    const code = normalized.codePointAt(i) as number;
    const kind = classOf(code);
    if (kind !== current) {
      flush(i);
      start = i;
      current = kind;
    }
    if (code > 0xffff) i++;
  }
  flush(normalized.length);
  return found;
}

/** A dense run's terms: each character, and each pair of neighbours. */
export function denseTerms(run: string): string[] {
  const chars = Array.from(run);
  const terms = [...chars];
  for (let i = 0; i + 1 < chars.length; i++) terms.push(`${chars[i]}${chars[i + 1]}`);
  return terms;
}

/** What the index keeps of a text: its distinct terms (at most MAX_TERMS_PER_TEXT), and its dense runs, normalised (to check a phrase). */
export interface TextAnalysis {
  readonly terms: string[];
  /** The dense runs, each followed by a line break; empty for a text with none. */
  readonly dense: string;
}

/** Analyses `text` for the index. */
export function analyseText(text: string): TextAnalysis {
  const terms = new Set<string>();
  let dense = '';
  for (const piece of pieces(normalizeText(text))) {
    if (piece.dense) dense += `${piece.text}\n`;
    if (terms.size >= MAX_TERMS_PER_TEXT) continue;
    for (const term of piece.dense ? denseTerms(piece.text) : [piece.text]) {
      terms.add(term);
      if (terms.size >= MAX_TERMS_PER_TEXT) break;
    }
  }
  return { terms: [...terms], dense };
}

/** The distinct terms `text` is indexed under, at most MAX_TERMS_PER_TEXT. */
export function indexTerms(text: string): string[] {
  return analyseText(text).terms;
}

/** Longest query read, in characters; the rest is ignored. */
export const MAX_QUERY_CHARS = 200;
/** Most words a query is made of; more are ignored. */
export const MAX_QUERY_WORDS = 8;

/** What a query asks: every word (the last one as a prefix while it is being typed) and dense run. */
export interface SearchQuery {
  /** Whole words that must appear. */
  readonly words: readonly string[];
  /** A word that some word must start with (the one being typed), or null. */
  readonly prefix: string | null;
  /** Dense runs that must appear as written (each at least one character). */
  readonly runs: readonly string[];
}

/** Reads what someone typed into a query; empty words and runs mean nothing to look for. */
export function parseQuery(typed: string): SearchQuery {
  const clipped = typed.slice(0, MAX_QUERY_CHARS);
  const found = pieces(normalizeText(clipped)).slice(0, MAX_QUERY_WORDS);
  const words: string[] = [];
  const runs: string[] = [];
  for (const piece of found) (piece.dense ? runs : words).push(piece.text);
  // The last word is still being typed unless the query ends with a space or punctuation.
  const typing = found.at(-1);
  const open = typing !== undefined && !typing.dense && /[\p{L}\p{N}]$/u.test(clipped.normalize('NFKD').replace(MARKS, ''));
  const prefix = open ? (words.pop() ?? null) : null;
  return { words: [...new Set(words)], prefix, runs: [...new Set(runs)] };
}

export const isEmptyQuery = (query: SearchQuery): boolean => query.words.length === 0 && query.prefix === null && query.runs.length === 0;
