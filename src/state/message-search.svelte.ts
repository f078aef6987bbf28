/**
 * Search over the room's history for the UI: feeds the search worker (core/search.worker.ts) the
 * messages the conversation shows — the message log, which holds only what the message filter lets
 * through (no deleted, expired, blocked, banned or flooding authors' messages), each with its newest
 * edit — and asks it queries. The worker holds the index, so neither building it nor answering
 * blocks the page. Private messages are not searched: they live apart from the room's history,
 * expire, and belong to two people only (see README, Search).
 */
import type { MessageEntry } from '../core/types.js';
import { MAX_BATCH, parseFromWorker, type ToWorker } from '../core/search-protocol.js';
import type { SearchDoc, SearchHit } from '../core/search-index.js';
import { MAX_QUERY_CHARS } from '../core/search-text.js';

/** What search reads of a room (the session, in the app). */
export interface SearchSource {
  /** The messages shown now, oldest first. */
  shown(): readonly MessageEntry[];
  /** The text shown for a message (its newest edit). */
  textOf(entry: MessageEntry): string;
}

/** The worker's side, as much of a Worker as this class uses (tests and the bench may pass their own). */
export interface SearchPort {
  postMessage(message: ToWorker): void;
  onmessage: ((event: { data: unknown }) => void) | null;
  terminate(): void;
}

/** Results shown at once; the rest are counted ("N more"). */
export const SHOWN_RESULTS = 50;
/** Changes to the history are sent to the worker at most this often. */
const SYNC_DELAY_MS = 250;

const yieldToPage = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

export const createSearchWorker = (): SearchPort => new Worker(new URL('../core/search.worker.ts', import.meta.url), { type: 'module' }) as unknown as SearchPort;

export class MessageSearch {
  /** What the person typed. */
  query = $state('');
  /** Newest first, at most SHOWN_RESULTS; null before the first answer to the current query. */
  hits: readonly SearchHit[] | null = $state.raw(null);
  /** All matches of the current query, shown or not. */
  total = $state(0);
  /** Messages sent to the index so far. */
  indexed = $state(0);

  readonly #source: SearchSource;
  readonly #port: SearchPort;
  /** Id → the text the index holds for it. */
  readonly #sent = new Map<string, string>();
  #seq = 0;
  #syncTimer: ReturnType<typeof setTimeout> | undefined;
  #syncing = false;
  #again = false;
  #closed = false;

  constructor(source: SearchSource, port: SearchPort = createSearchWorker()) {
    this.#source = source;
    this.#port = port;
    port.onmessage = (event) => this.#answer(event.data);
    void this.#sync();
  }

  /** The history changed: the index follows (soon, in one pass for many changes). */
  changed(): void {
    if (this.#closed || this.#syncTimer !== undefined) return;
    this.#syncTimer = setTimeout(() => {
      this.#syncTimer = undefined;
      void this.#sync();
    }, SYNC_DELAY_MS);
  }

  /** Searches for `typed` (the results arrive in `hits`). */
  search(typed: string): void {
    this.query = typed.slice(0, MAX_QUERY_CHARS);
    this.#ask();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#syncTimer);
    this.#port.terminate();
  }

  #ask(): void {
    if (this.#closed) return;
    this.#seq++;
    if (this.query.trim() === '') {
      this.hits = [];
      this.total = 0;
      return;
    }
    this.#port.postMessage({ type: 'query', seq: this.#seq, text: this.query, limit: SHOWN_RESULTS });
  }

  #answer(data: unknown): void {
    const results = parseFromWorker(data);
    // An answer to an older query is dropped: the person has typed on.
    if (results === null || results.seq !== this.#seq || this.#closed) return;
    this.hits = results.hits;
    this.total = results.total;
  }

  /** Sends the worker what changed since the last pass, in batches between which the page answers. */
  async #sync(): Promise<void> {
    if (this.#syncing) {
      this.#again = true;
      return;
    }
    this.#syncing = true;
    try {
      const shown = this.#source.shown();
      const present = new Set<string>();
      let docs: SearchDoc[] = [];
      for (let i = 0; i < shown.length; i++) {
        const entry = shown[i] as MessageEntry;
        present.add(entry.id);
        const text = this.#source.textOf(entry);
        if (this.#sent.get(entry.id) !== text) {
          this.#sent.set(entry.id, text);
          docs.push({ id: entry.id, author: entry.author, stamp: entry.hlc, text });
        }
        if (docs.length === MAX_BATCH || (i + 1) % MAX_BATCH === 0) {
          if (docs.length > 0) this.#port.postMessage({ type: 'add', docs });
          docs = [];
          await yieldToPage();
          if (this.#closed) return;
        }
      }
      if (docs.length > 0) this.#port.postMessage({ type: 'add', docs });
      const gone = [...this.#sent.keys()].filter((id) => !present.has(id));
      for (let i = 0; i < gone.length; i += MAX_BATCH) this.#port.postMessage({ type: 'remove', ids: gone.slice(i, i + MAX_BATCH) });
      for (const id of gone) this.#sent.delete(id);
      this.indexed = this.#sent.size;
      if (this.query.trim() !== '') this.#ask();
    } finally {
      this.#syncing = false;
    }
    if (this.#again && !this.#closed) {
      this.#again = false;
      this.changed();
    }
  }
}
