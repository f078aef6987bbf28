/**
 * Decides which messages of the document are shown, and keeps the shown ones in the ordered log
 * the message list reads. A message is hidden when the room's moderation hides it (deleted,
 * banned, muted, too long, expired), when its author floods (flood-gate.ts: the same verdict on
 * every member's device), or when this person blocked its author. Hidden messages are kept
 * aside, not in the log, so a flood of 10k hidden messages leaves no 10k-row gap to scroll.
 */
import { createFloodGate, FILE_BYTES_POLICY, policyForSlowMode, type FloodGate, type FloodPolicy } from '../core/flood-gate.js';
import { isFileEntry } from '../core/message-entry.js';
import type { MessageLog } from '../core/message-log.js';
import { hiddenReason, reduceModeration, type HiddenReason, type ModerationState } from '../core/moderation.js';
import type { MessageEntry } from '../core/types.js';

export type FilterReason = HiddenReason | 'flood' | 'blocked';

/** Above this many placements at once, the log sorts once instead of inserting one by one. */
const BULK_THRESHOLD = 64;

export class MessageFilter {
  readonly #log: MessageLog;
  readonly #now: () => number;
  readonly #hidden = new Map<string, { entry: MessageEntry; reason: FilterReason }>();
  readonly #gate: FloodGate = createFloodGate();
  /** Bytes of files per author over time (FILE_BYTES_POLICY); only file messages pass through it. */
  readonly #fileGate: FloodGate = createFloodGate(FILE_BYTES_POLICY, (entry) => (isFileEntry(entry) ? entry.file.size : 0));
  #moderation: ModerationState = reduceModeration([]);
  #blocked: ReadonlySet<string> = new Set();
  /** Message id → authors of delete acts for it (state/session-acts); only the message's own author's counts. */
  #retracted: ReadonlyMap<string, readonly { readonly author: string }[]> = new Map();

  constructor(log: MessageLog, now: () => number = Date.now) {
    this.#log = log;
    this.#now = now;
  }

  get moderation(): ModerationState {
    return this.#moderation;
  }

  /** Why `entry` is hidden now, or null if it is shown. */
  reasonFor(entry: MessageEntry): FilterReason | null {
    if (this.#blocked.has(entry.author)) return 'blocked';
    // Deleted by its author: hidden like an admin's delete, and so removed from the document too.
    if (this.#retracted.get(entry.id)?.some((act) => act.author === entry.author) === true) return 'deleted';
    const moderated = hiddenReason(entry, this.#moderation, this.#now());
    if (moderated !== null) return moderated;
    return this.#gate.isHidden(entry.id) || this.#fileGate.isHidden(entry.id) ? 'flood' : null;
  }

  /** Adds or replaces entries; returns the ids newly hidden as a flood (for the flood note). */
  upsert(entries: readonly MessageEntry[]): MessageEntry[] {
    const changed = [...this.#gate.add(entries), ...this.#fileGate.add(entries.filter(isFileEntry))];
    const flooded = this.#place(entries).filter((entry) => this.#hidden.get(entry.id)?.reason === 'flood');
    // The gate may also have changed its verdict on earlier messages of the same authors.
    const placed = new Set(entries.map((entry) => entry.id));
    this.#place(changed.filter((id) => !placed.has(id)).flatMap((id) => this.find(id) ?? []));
    return flooded;
  }

  remove(id: string): void {
    this.#gate.remove(id);
    this.#fileGate.remove(id);
    this.#hidden.delete(id);
    this.#log.remove(id);
  }

  /** Applies a new moderation state: rules change the flood policy, and every message is placed again. */
  setModeration(state: ModerationState): void {
    const slowModeChanged = state.rules.slowModeSeconds !== this.#moderation.rules.slowModeSeconds;
    this.#moderation = state;
    if (slowModeChanged) this.#gate.setPolicy(policyForSlowMode(state.rules.slowModeSeconds));
    this.placeAll();
  }

  /** Applies the authors' own deletes; only `changed` message ids are placed again. */
  setRetracted(deletes: ReadonlyMap<string, readonly { readonly author: string }[]>, changed: Iterable<string>): void {
    this.#retracted = deletes;
    const entries: MessageEntry[] = [];
    for (const id of changed) {
      const entry = this.find(id);
      if (entry !== undefined) entries.push(entry);
    }
    this.#place(entries);
  }

  /** The flood rule every member holds each author to now (slow mode included). */
  policy(): FloodPolicy {
    return policyForSlowMode(this.#moderation.rules.slowModeSeconds);
  }

  /** Whether this device refuses `author` (banned by the room, or blocked here). */
  refuses(author: string): boolean {
    return this.#blocked.has(author) || this.#moderation.bans.has(author);
  }

  setBlocked(authors: ReadonlySet<string>): void {
    this.#blocked = authors;
    this.placeAll();
  }

  /** Places everything again (moderation changed, or time passed and messages expired). */
  placeAll(): void {
    this.#place([...this.#log.slice(0, this.#log.size), ...[...this.#hidden.values()].map((hidden) => hidden.entry)]);
  }

  /** Puts each entry in the log or aside, in bulk; returns the entries given. */
  #place(entries: readonly MessageEntry[]): readonly MessageEntry[] {
    const shown: MessageEntry[] = [];
    const hidden: string[] = [];
    for (const entry of entries) {
      const reason = this.reasonFor(entry);
      if (reason === null) {
        this.#hidden.delete(entry.id);
        shown.push(entry);
      } else {
        this.#hidden.set(entry.id, { entry, reason });
        hidden.push(entry.id);
      }
    }
    if (hidden.length > BULK_THRESHOLD) this.#log.removeMany(hidden);
    else for (const id of hidden) this.#log.remove(id);
    if (shown.length > BULK_THRESHOLD) this.#log.upsertMany(shown);
    else for (const entry of shown) this.#log.upsert(entry);
    return entries;
  }

  /** Ids hidden for one of `reasons` (the session removes deleted and expired ones from the document). */
  hiddenIds(reasons: ReadonlySet<FilterReason>): string[] {
    const ids: string[] = [];
    for (const [id, hidden] of this.#hidden) if (reasons.has(hidden.reason)) ids.push(id);
    return ids;
  }

  /** How many messages are hidden, by reason (for diagnostics). */
  hiddenCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const { reason } of this.#hidden.values()) counts[reason] = (counts[reason] ?? 0) + 1;
    return counts;
  }

  /** Every author of a message this device holds, shown or hidden. */
  authors(): Set<string> {
    const authors = new Set<string>();
    for (const entry of this.#log.slice(0, this.#log.size)) authors.add(entry.author);
    for (const { entry } of this.#hidden.values()) authors.add(entry.author);
    return authors;
  }

  /** The nickname on the newest message held from `author`, if any. */
  nickOf(author: string): string | undefined {
    let newest: MessageEntry | undefined;
    for (const { entry } of this.#hidden.values()) if (entry.author === author && (newest === undefined || entry.hlc > newest.hlc)) newest = entry;
    if (newest !== undefined) return newest.nick;
    for (let i = this.#log.size - 1; i >= 0; i--) {
      const entry = this.#log.slice(i, i + 1)[0];
      if (entry?.author === author) return entry.nick;
    }
    return undefined;
  }

  /** Every message, shown or hidden, by id (for pinned messages). */
  find(id: string): MessageEntry | undefined {
    const at = this.#log.indexOf(id);
    return at >= 0 ? this.#log.slice(at, at + 1)[0] : this.#hidden.get(id)?.entry;
  }
}
