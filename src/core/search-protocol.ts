/**
 * What the page and the search worker say to each other. Both sides parse what they receive into
 * these shapes or drop it: a message posted to a worker is still input from elsewhere.
 */
import type { SearchDoc, SearchResults } from './search-index.js';
import type { SnippetPart } from './search-snippet.js';

/** Longest text indexed: message-entry.ts's MAX_DOC_CHARS, not imported, so the worker does not carry the signing code. */
export const MAX_DOC_CHARS = 8000;
/** Most messages in one `add` or `remove`. */
export const MAX_BATCH = 5000;
/** Most results a query asks for. */
export const MAX_RESULTS = 200;

export type ToWorker =
  | { readonly type: 'add'; readonly docs: readonly SearchDoc[] }
  | { readonly type: 'remove'; readonly ids: readonly string[] }
  | { readonly type: 'query'; readonly seq: number; readonly text: string; readonly limit: number };

export type FromWorker = { readonly type: 'results'; readonly seq: number } & SearchResults;

type Loose = Record<string, unknown>;
const isRecord = (value: unknown): value is Loose => typeof value === 'object' && value !== null && !Array.isArray(value);
const isShortString = (value: unknown, max: number): value is string => typeof value === 'string' && value.length <= max;
const isCount = (value: unknown, max: number): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= max;

function parseDoc(value: unknown): SearchDoc | null {
  if (!isRecord(value)) return null;
  const { id, author, stamp, text } = value;
  if (!isShortString(id, 64) || !isShortString(author, 64) || !isShortString(stamp, 64) || typeof text !== 'string') return null;
  return { id, author, stamp, text: text.slice(0, MAX_DOC_CHARS) };
}

/** A message for the worker, or null. */
export function parseToWorker(value: unknown): ToWorker | null {
  if (!isRecord(value)) return null;
  if (value['type'] === 'add' && Array.isArray(value['docs']) && value['docs'].length <= MAX_BATCH) {
    return { type: 'add', docs: value['docs'].flatMap((doc: unknown) => parseDoc(doc) ?? []) };
  }
  if (value['type'] === 'remove' && Array.isArray(value['ids']) && value['ids'].length <= MAX_BATCH) {
    return { type: 'remove', ids: value['ids'].filter((id: unknown): id is string => isShortString(id, 64)) };
  }
  if (value['type'] === 'query' && isCount(value['seq'], Number.MAX_SAFE_INTEGER) && typeof value['text'] === 'string' && isCount(value['limit'], MAX_RESULTS)) {
    return { type: 'query', seq: value['seq'], text: value['text'], limit: value['limit'] };
  }
  return null;
}

function parsePart(value: unknown): SnippetPart | null {
  return isRecord(value) && isShortString(value['text'], MAX_DOC_CHARS) && typeof value['hit'] === 'boolean' ? { text: value['text'], hit: value['hit'] } : null;
}

/** Results from the worker, or null. */
export function parseFromWorker(value: unknown): FromWorker | null {
  if (!isRecord(value) || value['type'] !== 'results' || !isCount(value['seq'], Number.MAX_SAFE_INTEGER) || !isCount(value['total'], Number.MAX_SAFE_INTEGER)) return null;
  const hits = value['hits'];
  if (!Array.isArray(hits) || hits.length > MAX_RESULTS) return null;
  const parsed = hits.flatMap((hit: unknown) => {
    if (!isRecord(hit) || !Array.isArray(hit['snippet']) || hit['snippet'].length > 512) return [];
    const doc = parseDoc({ ...hit, text: '' });
    return doc === null ? [] : [{ id: doc.id, author: doc.author, stamp: doc.stamp, snippet: hit['snippet'].flatMap((part: unknown) => parsePart(part) ?? []) }];
  });
  return { type: 'results', seq: value['seq'], total: value['total'], hits: parsed };
}
