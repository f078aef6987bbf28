/**
 * Keeps a room's stored tail (core/message-tail.ts) in step with the message log: shows it while
 * the history loads, rewrites it shortly after what is shown changes, and writes a pending
 * change at once when the room closes or the page goes away.
 */
import type { MessageLog } from '../core/message-log.js';
import { decodeTail, encodeTail, TAIL_ENTRIES } from '../core/message-tail.js';
import type { DropReason } from '../core/types.js';

/** The tail is rewritten this long after the last change, so a burst of messages costs one write. */
const SAVE_DELAY_MS = 400;

export interface TailStore {
  saveTail(payload: Uint8Array): Promise<void>;
  loadTail(): Promise<Uint8Array | null>;
}

export class StoredTail {
  readonly #log: MessageLog;
  readonly #store: TailStore;
  readonly #onDrop: (reason: DropReason) => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #shownIds: string[] = [];
  #stopped = false;

  constructor(log: MessageLog, store: TailStore, onDrop: (reason: DropReason) => void) {
    this.#log = log;
    this.#store = store;
    this.#onDrop = onDrop;
  }

  /** Reads the tail and puts its entries in the log; resolves true if any were shown. */
  async show(): Promise<boolean> {
    let bytes: Uint8Array | null;
    try {
      bytes = await this.#store.loadTail();
    } catch {
      this.#onDrop('decode');
      return false;
    }
    if (bytes === null || this.#stopped) return false;
    const { entries, dropped } = decodeTail(bytes);
    for (const reason of dropped) this.#onDrop(reason);
    if (entries.length === 0) return false;
    this.#log.upsertMany(entries);
    this.#shownIds = entries.map((entry) => entry.id);
    return true;
  }

  /** True while entries shown from the tail wait for the history. */
  get showing(): boolean {
    return this.#shownIds.length > 0;
  }

  /** Once the history is in: entries shown from the tail that `keep` refuses (deleted since) leave the log. */
  settle(keep: (id: string) => boolean): void {
    for (const id of this.#shownIds.splice(0)) if (!keep(id)) this.#log.remove(id);
    this.#stopped = true;
    globalThis.addEventListener?.('pagehide', this.flush);
  }

  schedule(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#save(), SAVE_DELAY_MS);
  }

  /** A write still waiting goes out now. */
  readonly flush = (): void => {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#save();
  };

  stop(): void {
    this.flush();
    this.#stopped = true;
    globalThis.removeEventListener?.('pagehide', this.flush);
  }

  #save(): void {
    this.#timer = undefined;
    const size = this.#log.size;
    if (size === 0) return;
    void this.#store.saveTail(encodeTail(this.#log.slice(Math.max(0, size - TAIL_ENTRIES), size))).catch(() => undefined);
  }
}
