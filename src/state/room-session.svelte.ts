/**
 * One open room, as the UI sees it: a facade over the parts that each have one reason to change:
 * the network (room-network), this person's presence (own-presence), the people here (roster),
 * what they send (outbox), the message index and filter, moderation, acts, private messages and
 * room key epochs. How they are made and joined is session-parts.ts; opening is session-opening.ts.
 */
import * as Y from 'yjs';
import { createDropCounter } from '../core/drop-counter.js';
import { createClock } from '../core/hlc.js';
import { formatInviteFragment } from '../core/invite-link.js';
import { createMessageLog } from '../core/message-log.js';
import { createPresenceTable } from '../core/presence-table.js';
import type { TranscriptFile, TranscriptFormat } from '../core/transcript.js';
import type { DropReason, DropSource, InviteLink, MessageEntry } from '../core/types.js';
import { toBase64Url } from '../crypto/encoding.js';
import { safetyCode, type Identity } from '../crypto/identity.js';
import { deriveRoomKeys, type RoomKeys } from '../crypto/keys.js';
import { MessageFilter } from './message-filter.js';
import type { MessageIndex } from './message-index.js';
import type { Outbox } from './outbox.svelte.js';
import { OwnPresence } from './own-presence.svelte.js';
import type { PrivateMessages } from './private-messages.svelte.js';
import { deviceProfile } from './profile.svelte.js';
import { RoomAlerts } from './room-alerts.js';
import type { RoomEpochs } from './room-epochs.js';
import type { RoomNetwork } from './room-network.svelte.js';
import type { IceSource } from '../transport/ice-config.js';
import type { Roster } from './roster.svelte.js';
import type { SessionModeration } from './session-moderation.svelte.js';
import type { SessionActs } from './session-acts.svelte.js';
import { openSession, type SessionStore } from './session-opening.js';
import type { CallSession } from './call.svelte.js';
import type { RoomFiles } from './room-files.svelte.js';
import { createActs, createCall, createEpochs, createFiles, createIndex, createModeration, createNetwork, createOutbox, createPrivates, createRenderPacer, createRoster, joinParts } from './session-parts.js';
import type { StoredTail } from './stored-tail.js';
import { transcriptWords } from './transcript-words.js';
import { NameTags } from './name-tags.svelte.js';

export type { Person } from './people.js';
export type { SessionStore } from './session-opening.js';

export interface SessionOptions {
  /** The link the room was opened with (an admin link also carries the admin seed). */
  readonly link: InviteLink;
  readonly signalingUrl: string;
  readonly openStore: (keys: RoomKeys) => SessionStore;
  readonly iceServers?: RTCIceServer[];
  /** The node's ICE servers (transport/page-ice.ts); absent: `iceServers`, or none. */
  readonly ice?: IceSource;
  /** Relay candidates only (settings: Hide my IP address). */
  readonly relayOnly?: () => boolean;
}

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
  /** Names two keys share here (messages and people show who is who). */
  readonly names = new NameTags();
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
  readonly call: CallSession;
  readonly files: RoomFiles;
  // State, so what shows it (the safety code in your card) updates once it has loaded.
  identity: Identity | null = $state.raw(null);
  admin: Identity | null = null;
  closed = false;
  readonly options: SessionOptions;
  readonly #dropCounter = createDropCounter();

  constructor(options: SessionOptions) {
    this.options = options;
    this.keys = deriveRoomKeys(options.link.secret, options.link.adminKey);
    const adminKey = options.link.adminKey === undefined ? null : toBase64Url(options.link.adminKey);
    this.acts = createActs(this);
    this.epochs = createEpochs(this, adminKey);
    this.privates = createPrivates(this, this.epochs);
    this.network = createNetwork(this, adminKey);
    this.roster = createRoster(this);
    this.moderation = createModeration(this, this.network, this.roster, adminKey);
    this.index = createIndex(this, this.acts, this.moderation);
    this.outbox = createOutbox(this, this.index, this.privates, this.moderation);
    this.call = createCall(this, this.roster, this.moderation);
    this.files = createFiles(this, this.moderation, this.outbox);
    joinParts(this);
  }

  /** Set while open (session-opening.ts): storage, and the stored tail shown while the history loads. */
  store: SessionStore | null = null;
  tail: StoredTail | null = null;

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

  /** Messages in [start, end) that passed signature checks; starts checks for the rest. */
  visibleMessages(start: number, end: number): MessageEntry[] {
    void this.logVersion;
    return this.index.visible(start, end);
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
    // Loaded when asked for: exporting is rare, and the room's first load stays within its budget.
    const { assembleTranscript } = await import('../core/transcript.js');
    return assembleTranscript(format, messages, this.privates.visible(), { roomId: this.keys.roomId, exportedAt: Date.now(), nameOf: (key) => this.nameOf(key), annotate: (entry) => this.acts.transcriptNote(entry), words: transcriptWords() });
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

  /** What is shown changed (rendered again at most once a frame; see session-parts.ts). */
  readonly shownChanged: () => void = createRenderPacer(() => void this.logVersion++, () => this.network.syncing);

  /** Moderation changed what is shown; also the time to expire private messages and retry waiting sends. */
  moderationChanged(): void {
    this.shownChanged();
    if (this.historyLoaded) {
      this.tail?.schedule();
      this.privates.expire();
    }
    this.outbox.pump();
  }

  drop(source: DropSource, reason: DropReason): void {
    this.#dropCounter.count(source, reason);
    this.drops = this.#dropCounter.snapshot();
  }

  close(): void {
    this.tail?.stop();
    this.closed = true;
    this.call.close();
    this.files.close();
    for (const part of [this.presence, this.moderation, this.acts, this.outbox]) part.stop();
    this.network.close();
    this.doc.destroy();
    void this.store?.close();
  }

  /** Live messages from others arrived (sounds, the unread count while hidden). */
  arrived(entries: readonly MessageEntry[]): void {
    this.alerts.arrived(entries);
    if (entries.length === 0 || typeof document === 'undefined' || document.visibilityState !== 'hidden') return;
    this.firstUnreadId ??= entries[0]?.id ?? null;
    this.unread += entries.length;
  }
}
