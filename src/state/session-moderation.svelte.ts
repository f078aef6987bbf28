/**
 * Moderation as one room member's device applies it: the admin's signed actions (moderation-log.ts)
 * decide what the message filter hides, who is cut off and whether this person was removed; the
 * person's own blocks hide and cut off whoever they choose; flood notes tell people calmly why
 * messages are missing. Every honest member's device does the same, which is the only
 * enforcement a serverless room has.
 */
import * as Y from 'yjs';
import { createModerationAction, DEFAULT_RULES, MAX_LOCK_MEMBERS, type ModerationDraft, type ModerationState, type RoomRules } from '../core/moderation.js';
import type { DropReason, MessageEntry } from '../core/types.js';
import type { Identity } from '../crypto/identity.js';
import type { MessageFilter } from './message-filter.js';
import { createWordMask } from '../core/word-filter.js';
import { fixedBytes } from '../core/strict-json.js';
import { fromUtf8, utf8 } from '../crypto/encoding.js';
import { PUBLIC_KEY_BYTES } from '../crypto/identity.js';
import { ModerationLog } from './moderation-log.js';

export interface ModerationHost {
  readonly doc: Y.Doc;
  readonly filter: MessageFilter;
  /** The room admin's public key (base64url); null for a room without one. */
  readonly adminKey: string | null;
  ownKey(): string | null;
  admin(): Identity | null;
  tick(): string;
  /** Keys of the people present now (not this person), from verified presence. */
  presentKeys(): string[];
  /** Every identity this device knows in the room: authors and people present. */
  knownKeys(): string[];
  /** Cuts every connection that proved `key` and refuses new ones until allowKey (bans, blocks, a lock). */
  refuseKey(key: string): void;
  allowKey(key: string): void;
  /** Cuts the connections that proved `key` now; they may come back (a kick). */
  dropKey(key: string): void;
  /** Leaves the room's network (this person was kicked or banned). */
  leave(): void;
  drop(reason: DropReason): void;
  /** The filter changed what is shown. */
  refresh(): void;
  /** This person's blocks, kept (sealed) on this device. */
  loadBlocked(): Promise<Uint8Array | null>;
  saveBlocked(payload: Uint8Array): Promise<void>;
}

const MAX_BLOCKED = 1000;

/** The stored block list: a JSON array of public keys; null if it is anything else. */
function parseBlocked(bytes: Uint8Array): string[] | null {
  const text = fromUtf8(bytes);
  if (text === null || text.length > MAX_BLOCKED * 48) return null;
  try {
    const keys: unknown = JSON.parse(text);
    if (!Array.isArray(keys) || keys.length > MAX_BLOCKED) return null;
    return keys.every((key) => fixedBytes(key, PUBLIC_KEY_BYTES) !== null) ? (keys as string[]) : null;
  } catch {
    return null;
  }
}

export interface FloodNote {
  readonly author: string;
  readonly nick: string;
  readonly hidden: number;
}

export interface Removal {
  readonly kind: 'kick' | 'ban' | 'locked';
  readonly reason: string;
}

/** A flood note stays this long after the author's last hidden message. */
const FLOOD_NOTE_MS = 30_000;
/** How often expired messages are looked for when the room has a lifetime. */
const EXPIRY_SWEEP_MS = 30_000;
/** Origin of removals this device makes for moderation, so they are not mistaken for attacks. */
export const MODERATION_ORIGIN = 'moderation';

export class SessionModeration {
  /** Ids of the pinned messages, in pin order; the room shows those it currently shows in its log. */
  pinnedIds: readonly string[] = $state.raw([]);
  rules: RoomRules = $state.raw(DEFAULT_RULES);
  /** Set when this person was kicked (since they joined) or is banned. */
  removed: Removal | null = $state(null);
  /** Epoch ms until which this person is muted; 0 if not. */
  mutedUntil = $state(0);
  blocked: ReadonlySet<string> = $state.raw(new Set());
  floodNotes: FloodNote[] = $state.raw([]);
  bannedKeys: ReadonlySet<string> = $state.raw(new Set());
  filterWords: readonly string[] = $state.raw([]);
  /** Masks the room's filtered words in a message's text. */
  mask: (text: string) => string = $state.raw((text: string) => text);
  /** While the room is locked: the identities admitted. */
  locked: ReadonlySet<string> | null = $state.raw(null);
  /** The room's name set by the admin (signed, checked); '' for none. */
  roomName = $state('');

  readonly #host: ModerationHost;
  readonly #log: ModerationLog;
  readonly #handledKicks = new Set<string>();
  /** Keys refused on the network now, so each is refused once and an unblock can let it back. */
  readonly #refused = new Set<string>();
  readonly #floods = new Map<string, { nick: string; hidden: number; timer: ReturnType<typeof setTimeout> }>();
  #startStamp = '';
  #sweep: ReturnType<typeof setInterval> | undefined;

  constructor(host: ModerationHost) {
    this.#host = host;
    this.#log = new ModerationLog({
      map: host.doc.getMap('moderation'),
      adminKey: host.adminKey,
      onDrop: (reason) => host.drop(reason),
      onChange: (state) => this.#apply(state),
    });
  }

  /** Starts once the stored history is in; kicks older than `startStamp` (before this visit) do not apply. */
  async start(startStamp: string): Promise<void> {
    this.#startStamp = startStamp;
    const stored = await this.#host.loadBlocked().catch(() => null);
    const keys = stored === null ? [] : parseBlocked(stored);
    if (keys === null) this.#host.drop('shape');
    else if (keys.length > 0) {
      this.blocked = new Set(keys);
      this.#host.filter.setBlocked(this.blocked);
      this.#host.refresh();
    }
    return this.#log.start();
  }

  stop(): void {
    clearInterval(this.#sweep);
    for (const flood of this.#floods.values()) clearTimeout(flood.timer);
  }

  /** Signs and publishes an admin action; false if this device does not hold the admin key. */
  async moderate(draft: ModerationDraft): Promise<boolean> {
    const admin = this.#host.admin();
    if (admin === null) return false;
    this.#log.add(await createModerationAction(admin, draft, this.#host.tick()));
    return true;
  }

  /** Hides this author's messages on this device and cuts the connection to them. */
  setBlocked(author: string, blocked: boolean): void {
    const next = new Set(this.blocked);
    if (blocked) next.add(author);
    else next.delete(author);
    this.blocked = next;
    this.#host.filter.setBlocked(next);
    void this.#host.saveBlocked(utf8(JSON.stringify([...next]))).catch(() => undefined);
    if (blocked) this.#refuse(author);
    else this.enforcePresence();
    this.#host.refresh();
  }

  /** Cuts off people the room or this person refuses, as their presence appears. */
  enforcePresence(): void {
    for (const key of [...this.bannedKeys, ...this.blocked]) this.#refuse(key);
    const locked = this.locked;
    if (locked !== null) for (const key of this.#host.presentKeys()) if (!locked.has(key)) this.#refuse(key);
    // An unban or an unlock lets back whoever no rule refuses any more.
    for (const key of [...this.#refused]) {
      if (this.bannedKeys.has(key) || this.blocked.has(key) || (locked !== null && !locked.has(key))) continue;
      this.#refused.delete(key);
      this.#host.allowKey(key);
    }
  }

  /** Applies every refusal again (to a new provider, after the room moved to new keys). */
  reapply(): void {
    for (const key of this.#refused) this.#host.refuseKey(key);
  }

  /** Admin: locks the room to every identity known now (or unlocks it). */
  setLocked(lock: boolean): Promise<boolean> {
    return this.moderate(lock ? { kind: 'lock', members: this.#host.knownKeys().slice(0, MAX_LOCK_MEMBERS) } : { kind: 'unlock' });
  }

  /** Records messages hidden as a flood, for the calm note. */
  noteFlood(entries: readonly MessageEntry[]): void {
    if (entries.length === 0) return;
    for (const entry of entries) {
      const current = this.#floods.get(entry.author);
      if (current !== undefined) clearTimeout(current.timer);
      const timer = setTimeout(() => {
        this.#floods.delete(entry.author);
        this.#publishFloods();
      }, FLOOD_NOTE_MS);
      this.#floods.set(entry.author, { nick: entry.nick, hidden: (current?.hidden ?? 0) + 1, timer });
    }
    this.#publishFloods();
  }

  #publishFloods(): void {
    this.floodNotes = [...this.#floods].map(([author, { nick, hidden }]) => ({ author, nick, hidden }));
  }

  #apply(state: ModerationState): void {
    const { filter } = this.#host;
    filter.setModeration(state);
    this.rules = state.rules;
    if (state.filterWords.join('\n') !== this.filterWords.join('\n')) {
      this.filterWords = state.filterWords;
      this.mask = createWordMask(state.filterWords);
    }
    this.locked = state.locked;
    this.roomName = state.roomName;
    this.pinnedIds = state.pinned;
    this.bannedKeys = new Set(state.bans.keys());
    const own = this.#host.ownKey();
    const ownBan = own === null ? undefined : state.bans.get(own);
    const ownKick = own === null ? undefined : state.kicks.get(own);
    const ownMute = own === null ? undefined : state.mutes.get(own);
    this.mutedUntil = ownMute !== undefined && ownMute.untilMs > Date.now() ? ownMute.untilMs : 0;
    if (ownBan !== undefined) this.#leave({ kind: 'ban', reason: ownBan.reason });
    else if (own !== null && state.locked !== null && !state.locked.has(own)) this.#leave({ kind: 'locked', reason: '' });
    else if (ownKick !== undefined && ownKick.hlc > this.#startStamp) this.#leave({ kind: 'kick', reason: ownKick.reason });
    for (const [key, kick] of state.kicks) {
      const handled = `${key}:${kick.hlc}`;
      if (key === own || kick.hlc <= this.#startStamp || this.#handledKicks.has(handled)) continue;
      this.#handledKicks.add(handled);
      this.#host.dropKey(key);
    }
    this.enforcePresence();
    this.#removeFromDocument();
    clearInterval(this.#sweep);
    if (state.rules.lifetimeSeconds > 0) {
      this.#sweep = setInterval(() => {
        filter.placeAll();
        this.#removeFromDocument();
        this.#host.refresh();
      }, EXPIRY_SWEEP_MS);
    }
    this.#host.refresh();
  }

  /** Deleted and expired messages leave the document (and so storage and late joiners), not only the screen. */
  #removeFromDocument(): void {
    const ids = this.#host.filter.hiddenIds(new Set(['deleted', 'expired']));
    const messages = this.#host.doc.getMap<unknown>('messages');
    const present = ids.filter((id) => messages.has(id));
    if (present.length === 0) return;
    this.#host.doc.transact(() => {
      for (const id of present) messages.delete(id);
    }, MODERATION_ORIGIN);
  }

  #refuse(key: string): void {
    if (this.#refused.has(key)) return;
    this.#refused.add(key);
    this.#host.refuseKey(key);
  }

  #leave(removal: Removal): void {
    if (this.removed !== null) return;
    this.removed = removal;
    this.#host.leave();
  }
}
