/**
 * An inverted index of a room's messages, for the search worker: term → the numbers of the
 * messages holding it. Messages are numbered as they are added; an edit is a removal and a new
 * number, and a removal only marks the number dead (postings are cleaned in one pass once a
 * quarter of them are dead), so deleting 10k expired messages never costs 10k splices of long lists.
 * Results come newest first (by stamp), at most `limit` of them, with the count of all matches.
 */
import { buildSnippet, type SnippetPart } from './search-snippet.js';
import { analyseText, denseTerms, isEmptyQuery, type SearchQuery } from './search-text.js';

/** A message as the index takes it (the text shown: its newest edit). */
export interface SearchDoc {
  readonly id: string;
  readonly author: string;
  /** The message's HLC stamp; orders results (newest first). */
  readonly stamp: string;
  readonly text: string;
}

export interface SearchHit {
  readonly id: string;
  readonly author: string;
  readonly stamp: string;
  readonly snippet: readonly SnippetPart[];
}

export interface SearchResults {
  readonly hits: readonly SearchHit[];
  /** Every message that matches, shown or not. */
  readonly total: number;
}

export interface SearchIndex {
  /** Messages held. */
  readonly size: number;
  /** Adds messages, or replaces those with the same id (an edit); false for one refused (the index is full). */
  add(doc: SearchDoc): boolean;
  remove(id: string): void;
  /** Tidies after a batch of changes (sorts new terms for prefix lookups), so the next query need not. */
  settle(): void;
  search(query: SearchQuery, limit: number): SearchResults;
}

export interface SearchIndexLimits {
  /** Most messages held; more are refused. */
  readonly maxDocs: number;
}

export const DEFAULT_LIMITS: SearchIndexLimits = { maxDocs: 1_000_000 };
/** New terms looked through one by one before the sorted term list is rebuilt. */
const FRESH_TERMS_MAX = 4096;
const COMPACT_MIN_DEAD = 1024;

/** An empty index. */
export function createSearchIndex(limits: SearchIndexLimits = DEFAULT_LIMITS): SearchIndex {
  const docs: (SearchDoc | undefined)[] = [];
  /** By number: the doc's dense runs, normalised (see analyseText), where it has any. */
  const denseOf = new Map<number, string>();
  const numberOf = new Map<string, number>();
  const postings = new Map<string, number[]>();
  let sortedTerms: string[] = [];
  let freshTerms: string[] = [];
  let dead = 0;

  const post = (term: string, number: number): void => {
    const list = postings.get(term);
    if (list !== undefined) list.push(number);
    else {
      postings.set(term, [number]);
      freshTerms.push(term);
    }
  };

  const remove = (id: string): void => {
    const number = numberOf.get(id);
    if (number === undefined) return;
    numberOf.delete(id);
    docs[number] = undefined;
    denseOf.delete(number);
    dead++;
    if (dead >= COMPACT_MIN_DEAD && dead * 4 >= docs.length) compact();
  };

  /** Drops dead numbers from every list, and terms left with none. */
  function compact(): void {
    for (const [term, list] of postings) {
      const alive = list.filter((number) => docs[number] !== undefined);
      if (alive.length === 0) postings.delete(term);
      else postings.set(term, alive);
    }
    sortedTerms = [...postings.keys()].sort();
    freshTerms = [];
    dead = 0;
  }

  const settle = (): void => {
    if (freshTerms.length <= FRESH_TERMS_MAX) return;
    sortedTerms = [...postings.keys()].sort();
    freshTerms = [];
  };

  /** Every term starting with `prefix`. */
  function termsStartingWith(prefix: string): string[] {
    settle();
    const found: string[] = [];
    let low = 0;
    let high = sortedTerms.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((sortedTerms[middle] as string) < prefix) low = middle + 1;
      else high = middle;
    }
    for (let i = low; i < sortedTerms.length && (sortedTerms[i] as string).startsWith(prefix); i++) found.push(sortedTerms[i] as string);
    for (const term of freshTerms) if (term.startsWith(prefix)) found.push(term);
    return found;
  }

  const has = (list: readonly number[], number: number): boolean => {
    let low = 0;
    let high = list.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const at = list[middle] as number;
      if (at === number) return true;
      if (at < number) low = middle + 1;
      else high = middle;
    }
    return false;
  };

  const newer = (a: SearchDoc, b: SearchDoc): boolean => a.stamp > b.stamp || (a.stamp === b.stamp && a.id > b.id);

  return {
    get size(): number {
      return numberOf.size;
    },
    add(doc: SearchDoc): boolean {
      remove(doc.id);
      if (numberOf.size >= limits.maxDocs) return false;
      const number = docs.length;
      docs.push(doc);
      numberOf.set(doc.id, number);
      const { terms, dense } = analyseText(doc.text);
      for (const term of terms) post(term, number);
      if (dense !== '') denseOf.set(number, dense);
      return true;
    },
    remove,
    settle,
    search(query: SearchQuery, limit: number): SearchResults {
      if (isEmptyQuery(query)) return { hits: [], total: 0 };
      const exact: (readonly number[])[] = [];
      for (const word of query.words) exact.push(postings.get(word) ?? []);
      for (const run of query.runs) {
        const chars = Array.from(run);
        for (const term of chars.length === 1 ? chars : denseTerms(run).slice(chars.length)) exact.push(postings.get(term) ?? []);
      }
      if (exact.some((list) => list.length === 0)) return { hits: [], total: 0 };
      exact.sort((a, b) => a.length - b.length);
      // The word being typed: any term it begins; marked in one pass over their lists.
      let typed: Uint8Array | null = null;
      if (query.prefix !== null) {
        typed = new Uint8Array(docs.length);
        for (const term of termsStartingWith(query.prefix)) for (const number of postings.get(term) ?? []) typed[number] = 1;
      }
      const others = exact.slice(1);
      // Runs of three or more characters: bigrams found them, the text must also hold them in a row.
      const phrases = query.runs.filter((run) => Array.from(run).length > 2);
      const top: SearchDoc[] = [];
      let total = 0;
      const consider = (number: number): void => {
        const doc = docs[number];
        if (doc === undefined) return;
        if (typed !== null && typed[number] !== 1) return;
        if (!others.every((list) => has(list, number))) return;
        if (phrases.length > 0) {
          const dense = denseOf.get(number) ?? '';
          if (!phrases.every((run) => dense.includes(run))) return;
        }
        total++;
        if (limit <= 0 || (top.length >= limit && !newer(doc, top[top.length - 1] as SearchDoc))) return;
        let at = top.length;
        while (at > 0 && newer(doc, top[at - 1] as SearchDoc)) at--;
        top.splice(at, 0, doc);
        if (top.length > limit) top.pop();
      };
      // Newest numbers first: messages mostly arrive in stamp order, so the top fills at once and
      // later candidates are only counted.
      const driver = exact[0];
      if (driver !== undefined) for (let i = driver.length - 1; i >= 0; i--) consider(driver[i] as number);
      else if (typed !== null) for (let number = typed.length - 1; number >= 0; number--) if (typed[number] === 1) consider(number);
      return { total, hits: top.map((doc) => ({ id: doc.id, author: doc.author, stamp: doc.stamp, snippet: buildSnippet(doc.text, query) })) };
    },
  };
}
