/**
 * Message acts as one member's device applies them (core/message-acts.ts): the authors' edits
 * and deletes, reactions, and read receipts, from the shared document's `acts` map.
 *
 * Every act counts only once decoded and its signature checked (VerifiedMap, which also puts back
 * what someone removes or replaces with an older act: the newest by HLC wins). The map is checked
 * in the background after the history is shown, in parallel batches, so a reload is not held up by
 * it; a live act is checked before it counts. Edits and deletes count only when signed by the
 * target message's author; the others are counted as 'not_author' forgeries where the target is
 * known. A delete by the author hides the message like an admin's delete (nothing is shown in its
 * place) and removes the message, its edits and its reactions from the document on every member.
 */
import type * as Y from 'yjs';
import {
  actKey,
  createMessageAct,
  decodeMessageAct,
  deletedByAuthor,
  encodeMessageAct,
  indexActs,
  seenBy,
  shownText,
  supersedes,
  verifyMessageAct,
  type ActDraft,
  type ActsIndex,
  type MessageAct,
} from '../core/message-acts.js';
import { isValidText } from '../core/message-entry.js';
import { hiddenReason } from '../core/moderation.js';
import type { TranscriptNote } from '../core/transcript.js';
import type { DropReason, MessageEntry } from '../core/types.js';
import type { Identity } from '../crypto/identity.js';
import { toBase64Url } from '../crypto/encoding.js';
import type { MessageFilter } from './message-filter.js';
import { VerifiedMap } from './verified-map.js';
import { t } from '../i18n/i18n.svelte.js';

export interface ActsHost {
  readonly doc: Y.Doc;
  readonly filter: MessageFilter;
  /** Transaction origin of removals the message index lets through (moderation's). */
  readonly removalOrigin: string;
  identity(): Identity | null;
  tick(): string;
  drop(reason: DropReason): void;
  /** What is shown changed. */
  refresh(): void;
}

/** What a reply shows of its target. */
export type Quote =
  | { readonly kind: 'message'; readonly id: string; readonly nick: string; readonly firstLine: string }
  /** Deleted; hidden here (blocked, banned, a flood); or never received by this device. */
  | { readonly kind: 'deleted' | 'hidden' | 'missing'; readonly id: string };

/** A receipt is written at most this often, so reading a busy room costs one small update per interval. */
const RECEIPT_INTERVAL_MS = 2000;
/** How far back from the newest message "Seen by" looks for this person's newest message. */
const SEEN_LOOKBACK = 500;

export class SessionActs {
  /** Every verified act, indexed by target. */
  index: ActsIndex = $state.raw(indexActs([]));
  readonly #host: ActsHost;
  readonly #map: VerifiedMap<MessageAct>;
  /** Edits and deletes not yet judged against their target (it may arrive later), by key@stamp. */
  readonly #unjudged = new Map<string, MessageAct>();
  readonly #judged = new Set<string>();
  #receiptTimer: ReturnType<typeof setTimeout> | undefined;
  #pendingReceipt = '';
  #sentReceipt = '';

  constructor(host: ActsHost) {
    this.#host = host;
    this.#map = new VerifiedMap({
      map: host.doc.getMap('acts'),
      decode: decodeMessageAct,
      encode: encodeMessageAct,
      verify: verifyMessageAct,
      failReason: 'signature',
      onDrop: (reason) => host.drop(reason),
      onChange: () => this.#reindex(),
      supersedes,
      // Edits and reactions leave with their message when its author deletes it; deletes and receipts stay.
      mayRemove: (_key, known) => known.k !== 'd' && known.k !== 's' && this.#targetDeleted(known.target),
      // A stored history's edits and reactions are checked when their message is on screen; deletes
      // (which hide messages) and receipts (one per reader) are checked at once.
      deferGroup: (act) => (act.k === 'e' || act.k === 'r' ? act.target : null),
    });
  }

  /** Checks the stored deletes and receipts (in the background), defers the rest, then follows the map. */
  async start(): Promise<void> {
    await this.#map.start();
    // The list asks for what is on screen again, now that there are deferred acts to check.
    this.#host.refresh();
  }

  /** Checks the deferred acts on these messages (those on screen, and the targets they quote). */
  need(ids: Iterable<string>): void {
    void this.#map.verifyGroups(ids);
  }

  /** Checks every deferred act (before a transcript). */
  verifyAll(): Promise<void> {
    return this.#map.verifyGroups(this.#map.pendingGroups());
  }

  stop(): void {
    clearTimeout(this.#receiptTimer);
  }

  /** Signs and publishes an act of this person's; false if it cannot be made. */
  async act(draft: ActDraft): Promise<boolean> {
    const identity = this.#host.identity();
    if (identity === null) return false;
    if (draft.k === 'e' && (!isValidText(draft.text) || draft.text.length > this.#host.filter.moderation.rules.maxMessageChars)) return false;
    const act = await createMessageAct(identity, draft, this.#host.tick());
    this.#host.doc.getMap('acts').set(actKey(act), encodeMessageAct(act));
    return true;
  }

  /** Turns this person's `emoji` reaction on `target` on or off. */
  toggleReaction(target: string, emoji: string): Promise<boolean> {
    const own = this.#ownKey();
    const on = own === null || !(this.index.reactions.get(target)?.get(emoji) ?? []).includes(own);
    return this.act({ k: 'r', target, emoji, on });
  }

  /** Records that this person saw messages up to `hlc` (the caller checks that receipts are on and the page is visible). */
  seeUpTo(hlc: string): void {
    if (hlc <= this.#sentReceipt || hlc <= this.#pendingReceipt) return;
    this.#pendingReceipt = hlc;
    if (this.#receiptTimer !== undefined) return;
    this.#receiptTimer = setTimeout(() => {
      this.#receiptTimer = undefined;
      const upTo = this.#pendingReceipt;
      this.#sentReceipt = upTo;
      void this.act({ k: 's', upTo }).catch(() => undefined);
    }, RECEIPT_INTERVAL_MS);
  }

  /** The text shown for a message (its author's newest edit), and whether it was edited. */
  textOf(entry: MessageEntry): { readonly text: string; readonly edited: boolean } {
    // An edit is held to the room's rules as a message sent at its time would be: not longer than
    // the longest message, and not made while its author was muted or after a ban (the original stays).
    const moderation = this.#host.filter.moderation;
    return shownText(entry, this.index, (edit) => hiddenReason({ ...entry, text: edit.text, hlc: edit.hlc }, moderation, Date.now()) === null);
  }

  /** Reactions on a message: emoji and who reacted, in the order first reacted. */
  reactionsOn(id: string): Array<readonly [string, readonly string[]]> {
    return [...(this.index.reactions.get(id) ?? [])];
  }

  /** What a reply to `id` shows of it. */
  quoteOf(id: string): Quote {
    const entry = this.#host.filter.find(id);
    const moderation = this.#host.filter.moderation;
    const hidden = entry === undefined ? null : this.#host.filter.reasonFor(entry);
    if (entry === undefined || hidden === 'deleted' || hidden === 'expired') {
      return { kind: this.index.deletes.has(id) || moderation.deleted.has(id) || hidden !== null ? 'deleted' : 'missing', id };
    }
    // A quote must not show what this person chose not to see (a block) or the room hid.
    if (hidden !== null) return { kind: 'hidden', id };
    const text = this.textOf(entry).text;
    return { kind: 'message', id, nick: entry.nick, firstLine: text.split('\n', 1)[0] ?? '' };
  }

  /** A message as a transcript shows it: edited text, and a reply's quote (call verifyAll first). */
  transcriptNote(entry: MessageEntry): TranscriptNote {
    const { text, edited } = this.textOf(entry);
    if (entry.re === undefined) return { text, edited };
    const quote = this.quoteOf(entry.re);
    return { text, edited, quote: quote.kind === 'message' ? `${quote.nick}: ${quote.firstLine}` : quote.kind === 'deleted' ? t('room.export.quoteDeleted') : quote.kind === 'hidden' ? t('room.export.quoteHidden') : t('room.export.quoteMissing') };
  }

  /** Readers (keys) who saw this person's newest message, and its id; null if nobody did or none is near the end. */
  seenOwnNewest(log: { size: number; slice(start: number, end: number): MessageEntry[] }): { readonly id: string; readonly readers: string[] } | null {
    const own = this.#ownKey();
    if (own === null) return null;
    const recent = log.slice(Math.max(0, log.size - SEEN_LOOKBACK), log.size);
    for (let i = recent.length - 1; i >= 0; i--) {
      const entry = recent[i];
      if (entry?.author !== own) continue;
      const readers = seenBy(entry, this.index);
      return readers.length === 0 ? null : { id: entry.id, readers };
    }
    return null;
  }

  /** Judges edits and deletes whose target has arrived since (called when the messages change). */
  judge(): void {
    if (this.#unjudged.size === 0) return;
    const changed: string[] = [];
    for (const [mark, act] of this.#unjudged) {
      if (act.k === 's') continue;
      const entry = this.#host.filter.find(act.target);
      if (entry === undefined) continue;
      this.#unjudged.delete(mark);
      this.#judged.add(mark);
      if (act.author !== entry.author) this.#host.drop('not_author');
      else if (act.k === 'd') changed.push(act.target);
    }
    if (changed.length > 0) this.#applyDeletes(changed);
  }

  #ownKey(): string | null {
    const identity = this.#host.identity();
    return identity === null ? null : toBase64Url(identity.publicKey);
  }

  #targetDeleted(target: string): boolean {
    const entry = this.#host.filter.find(target);
    return entry === undefined ? this.index.deletes.has(target) : deletedByAuthor(entry, this.index);
  }

  #reindex(): void {
    const before = this.index.deletes;
    this.index = indexActs(this.#map.values.values());
    for (const [key, act] of this.#map.values) {
      if (act.k !== 'e' && act.k !== 'd') continue;
      const mark = `${key}@${act.hlc}`;
      if (!this.#judged.has(mark)) this.#unjudged.set(mark, act);
    }
    this.judge();
    const newDeletes = [...this.index.deletes.keys()].filter((id) => before.get(id)?.length !== this.index.deletes.get(id)?.length);
    this.#applyDeletes(newDeletes);
    this.#host.refresh();
  }

  /** Hides messages their authors deleted and removes them, their edits and reactions from the document. */
  #applyDeletes(targets: readonly string[]): void {
    const { filter, doc, removalOrigin } = this.#host;
    filter.setRetracted(this.index.deletes, targets);
    const deleted = targets.filter((id) => {
      const entry = filter.find(id);
      return entry !== undefined && deletedByAuthor(entry, this.index);
    });
    if (deleted.length === 0) return;
    const messages = doc.getMap<unknown>('messages');
    const acts = doc.getMap<unknown>('acts');
    const gone = new Set(deleted);
    const actKeys = [...this.#map.values].filter(([, act]) => act.k !== 'd' && act.k !== 's' && gone.has(act.target)).map(([key]) => key);
    doc.transact(() => {
      for (const id of deleted) messages.delete(id);
    }, removalOrigin);
    if (actKeys.length > 0) {
      doc.transact(() => {
        for (const key of actKeys) acts.delete(key);
      });
    }
  }
}
