/**
 * The part of a found message shown in the results: a window of its text around the first match,
 * cut into plain and matched pieces (the UI renders each as a text node, a match inside <mark>).
 * A word matches when its normal form is a query word or begins with the word being typed; in
 * Chinese and Japanese, the characters of a query run match where they appear in a row.
 */
import { CharClass, classOf, foldCode, MAX_WORD_CHARS, type SearchQuery } from './search-text.js';

export interface SnippetPart {
  readonly text: string;
  readonly hit: boolean;
}

/** Characters shown around the first match. */
export const SNIPPET_CHARS = 160;
const LEAD_CHARS = 40;

const CONTROLS = /\p{Cc}+/gu;
/** Bidi overrides and isolates would reorder the rest of the row. */
const BIDI = /[\u202A-\u202E\u2066-\u2069]/g;

/** Marks in `hits` the characters of a dense run that spell one of the query's runs. */
function markDense(normal: readonly string[], starts: readonly number[], end: number, query: SearchQuery, hits: Uint8Array): boolean {
  let marked = false;
  for (const run of query.runs) {
    const wanted = Array.from(run);
    for (let i = 0; i + wanted.length <= normal.length; i++) {
      let k = 0;
      while (k < wanted.length && normal[i + k] === wanted[k]) k++;
      if (k < wanted.length) continue;
      const after = i + wanted.length;
      hits.fill(1, starts[i] as number, after < starts.length ? (starts[after] as number) : end);
      marked = true;
    }
  }
  return marked;
}

/** Marks, in a `hits` array as long as `text`, the characters that match `query`; stops once a snippet's length lies past the first match. */
function markHits(text: string, query: SearchQuery, hits: Uint8Array): void {
  let firstHit = -1;
  let kind: CharClass = CharClass.Separator;
  let start = 0;
  let word = '';
  let normal: string[] = [];
  let starts: number[] = [];
  const flush = (end: number): void => {
    let marked = false;
    if (kind === CharClass.Word) {
      const key = word.slice(0, MAX_WORD_CHARS);
      marked = query.words.includes(key) || (query.prefix !== null && key.startsWith(query.prefix));
      if (marked) hits.fill(1, start, end);
    } else if (kind === CharClass.Dense) marked = markDense(normal, starts, end, query, hits);
    if (marked && firstHit < 0) firstHit = start;
  };
  for (let i = 0; i < text.length; i++) {
    const code = text.codePointAt(i) as number;
    const width = code > 0xffff ? 2 : 1;
    const folded = foldCode(code);
    // A mark or an invisible character (ZWNJ) folds to nothing: it belongs to the run it is in.
    const next: CharClass = folded === '' ? kind : classOf(folded.codePointAt(0) as number);
    if (next !== kind) {
      flush(i);
      if (firstHit >= 0 && i > firstHit + SNIPPET_CHARS) return;
      kind = next;
      start = i;
      word = '';
      normal = [];
      starts = [];
    }
    if (kind === CharClass.Word) word += folded;
    else if (kind === CharClass.Dense && folded !== '') {
      normal.push(folded);
      starts.push(i);
    }
    i += width - 1;
  }
  flush(text.length);
}

/** The snippet of `text` for `query`: at most SNIPPET_CHARS characters, matches marked. */
export function buildSnippet(text: string, query: SearchQuery): SnippetPart[] {
  const hits = new Uint8Array(text.length);
  markHits(text, query, hits);
  const first = hits.indexOf(1);
  let start = first <= LEAD_CHARS ? 0 : first - LEAD_CHARS;
  // Start at a word where one begins close by; never start or end inside a surrogate pair.
  const space = start > 0 ? text.slice(start, start + 16).search(/\s/) : -1;
  if (space >= 0) start += space + 1;
  if (start > 0 && /[\uDC00-\uDFFF]/.test(text[start] ?? '')) start--;
  let end = Math.min(text.length, start + SNIPPET_CHARS);
  if (end < text.length && /[\uDC00-\uDFFF]/.test(text[end] ?? '')) end++;
  const parts: SnippetPart[] = [];
  const push = (piece: string, hit: boolean): void => {
    const clean = piece.replace(BIDI, '').replace(CONTROLS, ' ').replace(/\s+/g, ' ');
    if (clean === '') return;
    const previous = parts[parts.length - 1];
    if (previous !== undefined && previous.hit === hit) parts[parts.length - 1] = { text: previous.text + clean, hit };
    else parts.push({ text: clean, hit });
  };
  if (start > 0) push('…', false);
  let from = start;
  for (let i = start + 1; i <= end; i++) {
    if (i === end || hits[i] !== hits[from]) {
      push(text.slice(from, i), hits[from] === 1);
      from = i;
    }
  }
  if (end < text.length) push('…', false);
  return parts;
}
