/**
 * One open room, as the UI sees it: a facade over the parts that each have one reason to change:
 * the network (room-network), this person's presence (own-presence), the people here (roster),
 * what they send (outbox), the message index and filter, moderation, acts, private messages and
 * room key epochs. Parts are built in dependency order; events that flow back up (cards changed,
 * away, people changed) are subscriptions made once both sides exist.
 */
import * as Y from 'yjs';
import { createDropCounter } from '../core/drop-counter.js';
import { createClock } from '../core/hlc.js';
import { formatInviteFragment } from '../core/invite-link.js';
import { encodeMessageEntry } from '../core/message-entry.js';
import { createMessageLog } from '../core/message-log.js';
import { createPresenceTable } from '../core/presence-table.js';
import { assembleTranscript, type TranscriptFile, type TranscriptFormat } from '../core/transcript.js';
import type { DropReason, DropSource, InviteLink, MessageEntry } from '../core/types.js';
import { toBase64Url } from '../crypto/encoding.js';
import { safetyCode, type Identity } from '../crypto/identity.js';
import { deriveRoomKeys, type RoomKeys } from '../crypto/keys.js';
import { MessageFilter } from './message-filter.js';
import { MessageIndex } from './message-index.js';
import { Outbox } from './outbox.svelte.js';
import { OwnPresence } from './own-presence.svelte.js';
import { PrivateMessages } from './private-messages.svelte.js';
import { deviceProfile } from './profile.svelte.js';
import { RoomAlerts } from './room-alerts.js';
import { RoomEpochs } from './room-epochs.js';
import { RoomNetwork } from './room-network.svelte.js';
import { Roster } from './roster.svelte.js';
import { MODERATION_ORIGIN, SessionModeration } from './session-moderation.svelte.js';
import { SessionActs } from './session-acts.svelte.js';
import { openSession, type SessionStore } from './session-opening.js';
import { sessionAdmission, sessionPreview } from './session-sync.js';

export type { Person } from './people.js';
export type { SessionStore } from './session-opening.js';

export interface SessionOptions {
  /** The link the room was opened with (an admin link also carries the admin seed). */
  readonly link: InviteLink;
  readonly signalingUrl: string;
  readonly openStore: (keys: RoomKeys) => SessionStore;
  readonly iceServers?: RTCIceServer[];
}

/** While a long history streams in, the list is rendered at most this often. */
const SYNC_RENDER_MS = 250;

export class RoomSession {
  /** Bumped whenever the message log changes; components read the log through it. */
  logVersion = $state(0);
  /** True once the stored history is in the log (shown before any peer answers). */
  historyLoaded = $state(false);
  drops: Record<string, number> = $state.raw({});
  error: string | null = $state(null);
  /** This device holds the room admin's key (it created the room or opened an admin link). */
  isAdmin = $state(false);
  /** Messages from others that arrived while the page was hidden (tab title), and the first of them (divider). */
  unread = $state(0);
  firstUnreadId: string | null = $state(null);

  readonly keys: RoomKeys;
  readonly log = createMessageLog();
  readonly doc = new Y.Doc();
  readonly clock = createClock(Date.now);
  readonly filter = new MessageFilter(this.log);
  readonly presenceTable = createPresenceTable({ now: () => performance.now(), ownId: () => this.presence.id });
  readonly presence = new OwnPresence({ table: this.presenceTable, clientId: this.doc.clientID, color: () => deviceProfile.current.color });
  readonly alerts = new RoomAlerts(() => this.presence.nick);
  readonly index: MessageIndex;
  readonly epochs: RoomEpochs;
  readonly privates: PrivateMessages;
  readonly acts: SessionActs;
  readonly network: RoomNetwork;
  readonly roster: Roster;
  readonly moderation: SessionModeration;
  readonly outbox: Outbox;
  identity: Identity | null = null;
  admin: Identity | null = null;
  closed = false;
  readonly options: SessionOptions;
  readonly #dropCounter = createDropCounter();

  constructor(options: SessionOptions) {
    this.options = options;
    this.keys = deriveRoomKeys(options.link.secret, options.link.adminKey);
    const adminKey = options.link.adminKey === undefined ? null : toBase64Url(options.link.adminKey);
    const { doc, filter, log } = this;
    const identity = (): Identity | null => this.identity;
    const tick = (): string => this.clock.tick();
    const refreshShown = (): void => {
      this.#bumpLog();
      if (this.historyLoaded) this.tail?.schedule();
    };
    this.acts = new SessionActs({ doc, filter, removalOrigin: MODERATION_ORIGIN, identity, tick, drop: (reason) => this.drop('act', reason), refresh: refreshShown });
    this.epochs = new RoomEpochs({ doc, adminKey, onDrop: (reason) => this.drop('moderation', reason), onSecret: (secret, epoch) => this.network.moveTo(secret, epoch) });
    this.privates = new PrivateMessages({
      doc, identity, tick,
      boxOf: (key) => this.epochs.boxOf(key),
      refused: (key) => filter.refuses(key),
      nick: () => this.presence.nick,
      drop: (reason) => this.drop('private', reason),
      autoReply: () => (deviceProfile.current.autoReply.enabled ? deviceProfile.current.autoReply.text : null),
      lifetimeMs: () => filter.moderation.rules.lifetimeSeconds * 1000,
      arrived: () => this.alerts.emit('private'),
    });
    this.network = new RoomNetwork({
      link: options.link, keys: this.keys, signalingUrl: options.signalingUrl, ...(options.iceServers === undefined ? {} : { iceServers: options.iceServers }),
      doc, presence: this.presenceTable,
      whoAmI: () => this.whoAmI(),
      admit: sessionAdmission(this, adminKey),
      ...sessionPreview(this),
      drop: (source, reason) => this.drop(source, reason),
      moved: () => {
        this.presence.republish();
        this.moderation.reapply();
      },
    });
    this.roster = new Roster({ table: this.presenceTable, ownId: () => this.presence.id, refused: (key) => filter.refuses(key) || (filter.moderation.locked !== null && !filter.moderation.locked.has(key)) });
    this.moderation = new SessionModeration({
      doc, filter, adminKey, tick,
      ownKey: () => this.ownKey,
      admin: () => this.admin,
      presentKeys: () => this.roster.presentKeys(),
      knownKeys: () => this.#knownKeys(adminKey),
      refuseKey: (key) => this.network.refuseKey(key),
      allowKey: (key) => this.network.allowKey(key),
      dropKey: (key) => this.network.dropKey(key),
      leave: () => this.network.leave(),
      drop: (reason) => this.drop('moderation', reason),
      loadBlocked: () => this.store?.loadBlocked() ?? Promise.resolve(null),
      saveBlocked: (payload) => this.store?.saveBlocked(payload) ?? Promise.resolve(),
      refresh: () => {
        refreshShown();
        // Also the time to look for expired messages (a lifetime set, or the sweep): private ones too.
        if (this.historyLoaded) this.privates.expire();
        this.outbox.pump();
      },
    });
    this.index = new MessageIndex(doc.getMap('messages'), log, filter, {
      drop: (reason) => this.drop('entry', reason),
      changed: () => {
        this.#bumpLog();
        this.acts.judge();
        this.tail?.schedule();
      },
      flooded: (entries) => this.moderation.noteFlood(entries),
      observeStamp: (hlc) => this.clock.observe(hlc),
      arrived: (entries) => this.#arrived(entries),
      closed: () => this.closed,
      removalOrigin: MODERATION_ORIGIN,
    });
    this.outbox = new Outbox({
      identity, tick,
      ready: () => this.historyLoaded,
      nick: () => this.presence.nick,
      policy: () => filter.policy(),
      refusal: (text) => this.#refusal(text),
      write: (entry) => {
        this.index.signedHere(entry);
        if (!this.closed) doc.getMap<unknown>('messages').set(entry.id, encodeMessageEntry(entry));
      },
      writePrivate: (to, text) => this.privates.send(to, text),
      sent: () => {
        this.firstUnreadId = null;
        this.presence.setTyping(false);
      },
    });
    // Events that flow back up, now that every part exists.
    this.epochs.onCards(() => this.privates.refresh());
    this.presence.onAway((away) => this.privates.setAway(away));
    this.roster.onChange((people) => {
      this.alerts.people(people);
      this.moderation.enforcePresence();
    });
  }

  /** Set while open (session-opening.ts): storage, and the stored tail shown while the history loads. */
  store: SessionStore | null = null;
  tail: import('./stored-tail.js').StoredTail | null = null;

  /** Joins the room while loading identity and history from this device, in parallel. */
  open(): Promise<void> {
    return openSession(this);
  }

  /** This device's identity and presence client id, once loaded (proofs to peers). */
  async whoAmI(): Promise<{ readonly identity: Identity; readonly clientId: number }> {
    while (this.identity === null) await new Promise((resolve) => setTimeout(resolve, 20));
    return { identity: this.identity, clientId: this.doc.clientID };
  }

  /** Admin: bans `key` and moves everyone else to a new room key the banned identity does not get. */
  async ban(key: string, reason: string): Promise<boolean> {
    const admin = this.admin;
    if (admin === null || !(await this.moderation.moderate({ kind: 'ban', target: key, reason }))) return false;
    await this.epochs.rekey(admin, new Set([...this.moderation.bannedKeys, key]), this.clock.tick());
    return true;
  }

  /** Queues a message (a reply to `re` if given); false, changing nothing, if it cannot be sent (see the outbox). */
  send(text: string, re?: string): boolean {
    return this.outbox.send(text, re);
  }

  /** Queues a private message to `key`; false if it cannot go (the recipient's card must be known). */
  sendPrivate(key: string, text: string): boolean {
    return this.historyLoaded && this.privates.canSendTo(key) && this.outbox.sendPrivate(key, text);
  }

  /** Changes the nickname shown to others (and kept on this device); false if it is not a valid one. */
  rename(nick: string): boolean {
    if (!this.presence.rename(nick)) return false;
    deviceProfile.setNick(this.presence.nick);
    return true;
  }

  /** This device's colour in every room (null: one made from each room's identity). */
  setColor(color: string | null): void {
    deviceProfile.setColor(color);
    this.presence.republish();
  }

  /** Messages in [start, end) that passed signature checks; starts checks for the rest. */
  visibleMessages(start: number, end: number): MessageEntry[] {
    void this.logVersion;
    return this.index.visible(start, end);
  }

  /** The message with this id if the log shows it now (not hidden, deleted or expired, signature checked). */
  shownMessage(id: string): MessageEntry | undefined {
    const at = this.log.indexOf(id);
    const entry = at < 0 ? undefined : this.log.slice(at, at + 1)[0];
    return entry !== undefined && this.log.statusOf(id) === 'valid' ? entry : undefined;
  }

  /** A name for someone who may no longer be present: their nickname now or on their last message, else their safety code. */
  nameOf(key: string): string {
    void this.logVersion;
    return this.roster.nameOf(key, (other) => this.filter.nickOf(other) ?? this.privates.nickOf(other));
  }

  /** A transcript of the messages shown (signatures checked first) and this person's private messages. */
  async transcript(format: TranscriptFormat): Promise<TranscriptFile> {
    const messages = await this.index.verifiedAll();
    await this.acts.verifyAll();
    return assembleTranscript(format, messages, this.privates.visible(), { roomId: this.keys.roomId, exportedAt: Date.now(), nameOf: (key) => this.nameOf(key), annotate: (entry) => this.acts.transcriptNote(entry) });
  }

  /** Messages hidden right now, by reason (diagnostics). */
  hiddenCounts(): Record<string, number> {
    void this.logVersion;
    return this.filter.hiddenCounts();
  }

  /** The admin link (with the admin seed) if this device holds the admin key, else null. */
  adminFragment(): string | null {
    if (this.admin === null) return null;
    const { secret, adminKey } = this.options.link;
    return formatInviteFragment({ secret, ...(adminKey === undefined ? {} : { adminKey }), adminSeed: this.admin.secretKey.slice(0, 32) });
  }

  get ownKey(): string | null {
    return this.identity === null ? null : toBase64Url(this.identity.publicKey);
  }

  /** Safety code of this person's own key, to compare with what others see. */
  get ownSafetyCode(): string {
    return this.identity ? safetyCode(this.identity.publicKey) : '';
  }

  /** The person is looking again: the count resets; the divider stays where it was until they send. */
  markRead(): void {
    this.unread = 0;
  }

  drop(source: DropSource, reason: DropReason): void {
    this.#dropCounter.count(source, reason);
    this.drops = this.#dropCounter.snapshot();
  }

  close(): void {
    this.tail?.stop();
    this.closed = true;
    for (const part of [this.presence, this.moderation, this.acts, this.outbox]) part.stop();
    this.network.close();
    this.doc.destroy();
    void this.store?.close();
  }

  #bumpPending = false;
  #lastBump = 0;
  /**
   * What is shown changed: the list is rendered again once per frame at most, and while a long
   * history streams in (a change per piece: 130 pieces for 100k messages) at most every
   * SYNC_RENDER_MS, since each render measures the rows on screen.
   */
  #bumpLog(): void {
    if (this.#bumpPending) return;
    this.#bumpPending = true;
    const bump = (): void => {
      if (!this.#bumpPending) return;
      this.#bumpPending = false;
      this.#lastBump = performance.now();
      this.logVersion++;
    };
    const wait = this.network.syncing ? Math.max(0, this.#lastBump + SYNC_RENDER_MS - performance.now()) : 0;
    setTimeout(() => {
      if (typeof requestAnimationFrame === 'function') requestAnimationFrame(bump);
      // A hidden tab paints no frames.
      setTimeout(bump, 100);
    }, wait);
  }

  #refusal(text: string): string | null {
    const { removed, mutedUntil } = this.moderation;
    if (removed !== null) return 'removed';
    if (mutedUntil > Date.now()) return 'muted';
    return text.length > this.filter.moderation.rules.maxMessageChars ? 'too_long' : null;
  }

  #knownKeys(adminKey: string | null): string[] {
    const keys = this.filter.authors();
    for (const key of this.roster.presentKeys()) keys.add(key);
    if (adminKey !== null) keys.add(adminKey);
    if (this.ownKey !== null) keys.add(this.ownKey);
    // Those still here first, so they stay admitted if the list is cut at its maximum.
    const present = new Set([...this.roster.presentKeys(), this.ownKey]);
    return [...keys].sort((a, b) => Number(present.has(b)) - Number(present.has(a)));
  }

  #arrived(entries: readonly MessageEntry[]): void {
    this.alerts.arrived(entries);
    if (entries.length === 0 || typeof document === 'undefined' || document.visibilityState !== 'hidden') return;
    this.firstUnreadId ??= entries[0]?.id ?? null;
    this.unread += entries.length;
  }
}
