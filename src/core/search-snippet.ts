/**
 * The part of a found message shown in the results: a window of its text around the first match,
 * cut into plain and matched pieces (the UI renders each as a text node, a match inside <mark>).
 * A word matches when its normal form is a query word or begins with the word being typed; in
 * Chinese and Japanese, the characters of a query run match where they appear in a row.
 */
import { isDense, MAX_WORD_CHARS, normalizeText, type SearchQuery } from './search-text.js';

export interface SnippetPart {
  readonly text: string;
  readonly hit: boolean;
}

/** Characters shown around the first match. */
export const SNIPPET_CHARS = 160;
const LEAD_CHARS = 40;
/** Characters of a text looked through for matches (texts are at most 8,000; a match further on is found but not marked). */
const SCAN_CHARS = 8000;

const WORD = /[\p{L}\p{N}\p{M}\u200C\u200D\u0640]+/gu;
const CONTROLS = /\p{Cc}+/gu;
/** Bidi overrides and isolates would reorder the rest of the row. */
const BIDI = /[\u202A-\u202E\u2066-\u2069]/g;

/** Marks, in `hits`, the characters of `text` (from `offset`) that match `query`. */
function markRun(run: string, offset: number, query: SearchQuery, hits: Uint8Array): void {
  // Split the run where it moves between dense scripts and the rest, keeping UTF-16 offsets.
  const chars = Array.from(run);
  let at = 0;
  let i = 0;
  while (i < chars.length) {
    const dense = isDense(chars[i] as string);
    let j = i;
    let width = 0;
    while (j < chars.length && isDense(chars[j] as string) === dense) width += (chars[j++] as string).length;
    const part = chars.slice(i, j);
    if (dense) markDense(part, offset + at, query, hits);
    else {
      const word = normalizeText(part.join('')).slice(0, MAX_WORD_CHARS);
      if (query.words.includes(word) || (query.prefix !== null && word.startsWith(query.prefix))) hits.fill(1, offset + at, offset + at + width);
    }
    at += width;
    i = j;
  }
}

function markDense(chars: readonly string[], offset: number, query: SearchQuery, hits: Uint8Array): void {
  const normal = chars.map((char) => normalizeText(char));
  const starts: number[] = [];
  let sum = offset;
  for (const char of chars) {
    starts.push(sum);
    sum += char.length;
  }
  for (const run of query.runs) {
    const wanted = Array.from(run);
    for (let i = 0; i + wanted.length <= chars.length; i++) {
      if (!wanted.every((char, k) => normal[i + k] === char)) continue;
      const last = i + wanted.length - 1;
      hits.fill(1, starts[i] as number, (starts[last] as number) + (chars[last] as string).length);
    }
  }
}

/** The snippet of `text` for `query`: at most SNIPPET_CHARS characters, matches marked. */
export function buildSnippet(text: string, query: SearchQuery): SnippetPart[] {
  const scanned = text.slice(0, SCAN_CHARS);
  const hits = new Uint8Array(scanned.length);
  for (const match of scanned.matchAll(WORD)) markRun(match[0], match.index, query, hits);
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
