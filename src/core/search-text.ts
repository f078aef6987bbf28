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
/** A run of word characters in the normal form (letters and digits; kana voicing marks kept). */
const WORD_RUN = /[\p{L}\p{N}\u3099\u309A]+/gu;
const DENSE_OR_NOT = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\u30FC\u3099\u309A]+|[^\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\u30FC\u3099\u309A]+/gu;

/** Longest word kept as a term (longer runs are cut: a 5,000-letter "word" is not a word). */
export const MAX_WORD_CHARS = 40;
/** Most distinct terms one text is indexed under (a hostile 10k-word message costs no more). */
export const MAX_TERMS_PER_TEXT = 1024;

/** `text` in the normal form search compares (see the module comment). */
export function normalizeText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(MARKS, '')
    .normalize('NFC')
    .toLowerCase()
    .replace(FOLD_PATTERN, (letter) => FOLDS[letter] ?? letter)
    .replace(INVISIBLE, '')
    .replace(EASTERN_DIGITS, (digit) => String((digit.charCodeAt(0) - 0x0660) % 0x90));
}

export const isDense = (text: string): boolean => DENSE.test(text);

/** One piece of a normalised text: a word, or a run of a dense script (CJK, Thai). */
export interface TextPiece {
  readonly text: string;
  readonly dense: boolean;
}

/** The words and dense runs of an already normalised text, in order. */
export function pieces(normalized: string): TextPiece[] {
  const found: TextPiece[] = [];
  for (const run of normalized.match(WORD_RUN) ?? []) {
    for (const part of run.match(DENSE_OR_NOT) ?? []) {
      const dense = DENSE.test(part);
      found.push({ text: dense ? part : part.slice(0, MAX_WORD_CHARS), dense });
    }
  }
  return found;
}

/** A dense run's terms: each character, and each pair of neighbours. */
export function denseTerms(run: string): string[] {
  const chars = Array.from(run);
  const terms = [...chars];
  for (let i = 0; i + 1 < chars.length; i++) terms.push(`${chars[i]}${chars[i + 1]}`);
  return terms;
}

/** The distinct terms `text` is indexed under, at most MAX_TERMS_PER_TEXT. */
export function indexTerms(text: string): string[] {
  const terms = new Set<string>();
  for (const piece of pieces(normalizeText(text))) {
    for (const term of piece.dense ? denseTerms(piece.text) : [piece.text]) {
      terms.add(term);
      if (terms.size >= MAX_TERMS_PER_TEXT) return [...terms];
    }
  }
  return [...terms];
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
