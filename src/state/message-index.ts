/**
 * Reads the shared document's `messages` map into the message filter and log: decodes and
 * validates every entry (dropping and counting the rest), checks signatures (live messages
 * before they count, histories lazily as they scroll into view), and puts back messages that a
 * member removed or overwrote without the admin's say.
 */
import type * as Y from 'yjs';
import { decodeMessageEntry, encodeMessageEntry, verifyMessageEntry } from '../core/message-entry.js';
import type { MessageLog } from '../core/message-log.js';
import type { DropReason, MessageEntry } from '../core/types.js';
import type { MessageFilter } from './message-filter.js';

export interface MessageIndexHost {
  drop(reason: DropReason): void;
  /** What is shown changed. */
  changed(): void;
  /** Entries newly hidden as a flood (for the calm note). */
  flooded(entries: readonly MessageEntry[]): void;
  /** Every entry indexed, shown or hidden, signature checked or not yet (the names in the room). */
  indexed(entries: readonly MessageEntry[]): void;
  observeStamp(hlc: string): void;
  /** Live messages from others, checked and shown (for the unread count). */
  arrived(entries: readonly MessageEntry[]): void;
  closed(): boolean;
  /** Transaction origin for removing entries whose signature fails (not put back, see follow()). */
  readonly removalOrigin: string;
}

/** Up to this many new entries at once are checked before they count (live messages); more is a history. */
const LIVE_CHECK_MAX = 256;
/** Entries decoded between yields while indexing a loaded history, so the page keeps answering. */
const INDEX_BATCH = 5000;
const VERIFY_BATCH = 200;

const nextTask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

export class MessageIndex {
  readonly #messages: Y.Map<unknown>;
  readonly #log: MessageLog;
  readonly #filter: MessageFilter;
  readonly #host: MessageIndexHost;
  /** Id → signature of the messages this device signed (their check can be skipped). */
  readonly #signedHere = new Map<string, string>();
  #liveChecks: Promise<void> = Promise.resolve();
  #verifying = false;

  constructor(messages: Y.Map<unknown>, log: MessageLog, filter: MessageFilter, host: MessageIndexHost) {
    this.#messages = messages;
    this.#log = log;
    this.#filter = filter;
    this.#host = host;
  }

  /** Records a message signed on this device. */
  signedHere(entry: MessageEntry): void {
    this.#signedHere.set(entry.id, entry.sig);
  }

  /** Indexes everything in the map (the stored history), yielding between batches. */
  async indexAll(): Promise<void> {
    const entries: MessageEntry[] = [];
    let sinceYield = 0;
    for (const [key, value] of this.#messages) {
      const parsed = decodeMessageEntry(key, value);
      if (parsed.ok) entries.push(parsed.entry);
      else this.#host.drop(parsed.reason);
      if (++sinceYield === INDEX_BATCH) {
        sinceYield = 0;
        await nextTask();
      }
    }
    this.#filter.upsert(entries);
    this.#host.indexed(entries);
    for (const entry of entries) this.#host.observeStamp(entry.hlc);
    this.#host.changed();
  }

  /** Follows the map's changes; removals made with `allowedOrigin` (moderation) are not put back. */
  follow(allowedOrigin: string): void {
    this.#messages.observe((event) => this.#indexChanges(event.keysChanged, event.transaction.origin === allowedOrigin));
  }

  /** Messages in [start, end) that passed signature checks; starts checks for the rest. */
  visible(start: number, end: number): MessageEntry[] {
    const pending = this.#log.pendingIn(start, end);
    if (pending.length > 0) void this.#verify(pending);
    return this.#log.slice(start, end).filter((entry) => this.#log.statusOf(entry.id) === 'valid');
  }

  /** The message with this id if the log shows it now (not hidden, deleted or expired, signature checked). */
  shown(id: string): MessageEntry | undefined {
    const at = this.#log.indexOf(id);
    const entry = at < 0 ? undefined : this.#log.slice(at, at + 1)[0];
    return entry !== undefined && this.#log.statusOf(id) === 'valid' ? entry : undefined;
  }

  /** Every shown message, after checking the signatures not checked yet (for a transcript). */
  async verifiedAll(): Promise<MessageEntry[]> {
    const pending = this.#log.pendingIn(0, this.#log.size);
    while (this.#verifying) await nextTask();
    if (pending.length > 0) await this.#verify(pending);
    return this.#log.slice(0, this.#log.size).filter((entry) => this.#log.statusOf(entry.id) === 'valid');
  }

  #indexChanges(keys: Set<string>, byModeration: boolean): void {
    const messages = this.#messages;
    const changed: MessageEntry[] = [];
    const restore: MessageEntry[] = [];
    for (const key of keys) {
      const value = messages.get(key);
      const parsed = value === undefined ? null : decodeMessageEntry(key, value);
      if (parsed?.ok === true) {
        this.#host.observeStamp(parsed.entry.hlc);
        changed.push(parsed.entry);
        continue;
      }
      if (parsed !== null) this.#host.drop(parsed.reason);
      // Removed or overwritten. Only moderation (a deleted or expired message) may take a message
      // away; any member can remove a map key, so a message removed otherwise is put back.
      const known = this.#filter.find(key);
      const reason = known === undefined ? null : this.#filter.reasonFor(known);
      if (known !== undefined && !byModeration && reason !== 'deleted' && reason !== 'expired') {
        if (parsed === null) this.#host.drop('refused');
        restore.push(known);
      } else {
        this.#filter.remove(key);
      }
    }
    if (restore.length > 0) {
      queueMicrotask(() => messages.doc?.transact(() => {
        for (const entry of restore) messages.set(entry.id, encodeMessageEntry(entry));
      }));
    }
    // Entries this device signed need no check; anything else naming our key (an impostor) does.
    const ours = changed.filter((entry) => this.#signedHere.get(entry.id) === entry.sig);
    const others = changed.filter((entry) => this.#signedHere.get(entry.id) !== entry.sig);
    this.#show(ours, true);
    if (others.length > LIVE_CHECK_MAX) {
      // A history arriving by sync: shown at once, checked lazily as it scrolls into view.
      this.#show(others, false);
      return;
    }
    // Live messages are checked before they count at all, so nobody can flood in someone else's
    // name and spend that person's flood budget (flood-gate.ts) with forgeries. The chain keeps order.
    this.#liveChecks = this.#liveChecks.then(async () => {
      const results = await Promise.all(others.map((entry) => verifyMessageEntry(entry)));
      const valid = others.filter((entry, i) => {
        if (results[i] !== true) this.#host.drop('signature');
        // Skip what left the document while it was being checked.
        return results[i] === true && String(messages.get(entry.id) ?? '').includes(entry.sig);
      });
      if (this.#host.closed()) return;
      this.#show(valid, true);
      this.#host.arrived(valid.filter((entry) => this.#log.indexOf(entry.id) >= 0));
    });
  }

  /** Puts entries through the filter into the log; `checked` ones are marked verified. */
  #show(entries: readonly MessageEntry[], checked: boolean): void {
    if (entries.length === 0) return;
    this.#host.flooded(this.#filter.upsert(entries));
    this.#host.indexed(entries);
    if (checked) for (const entry of entries) this.#log.markVerified(entry.id, true, entry);
    this.#host.changed();
  }

  async #verify(ids: string[]): Promise<void> {
    if (this.#verifying) return;
    this.#verifying = true;
    try {
      for (let i = 0; i < ids.length; i += VERIFY_BATCH) {
        const batch = ids.slice(i, i + VERIFY_BATCH).flatMap((id) => {
          const index = this.#log.indexOf(id);
          return index < 0 ? [] : this.#log.slice(index, index + 1);
        });
        const results = await Promise.all(batch.map((entry) => verifyMessageEntry(entry)));
        const forged: string[] = [];
        batch.forEach((entry, j) => {
          this.#log.markVerified(entry.id, results[j] === true, entry);
          if (results[j] !== true) {
            this.#host.drop('signature');
            forged.push(entry.id);
          }
        });
        // A forgery that came with a history (whose signatures are only sampled on arrival) leaves the
        // document here, so it is neither kept nor served to anyone who joins later.
        if (forged.length > 0) this.#messages.doc?.transact(() => forged.forEach((id) => this.#messages.delete(id)), this.#host.removalOrigin);
      }
    } finally {
      this.#verifying = false;
      this.#host.changed();
    }
  }
}
