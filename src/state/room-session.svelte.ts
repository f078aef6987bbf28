/**
 * One open room, as the UI sees it: the ordered messages, the people present, a connection
 * state a person understands, and the actions (send, rename, set status, typing).
 * Wraps the core (entries, log, presence), the transport (room provider) and persistence.
 */
import * as Y from 'yjs';
import { Awareness } from 'y-protocols/awareness';
import { deriveRoomKeys, type RoomKeys } from '../crypto/keys.js';
import { fromBase64Url, toBase64Url } from '../crypto/encoding.js';
import { createIdentity, identityFromSeed, safetyCode, type Identity } from '../crypto/identity.js';
import { createDropCounter, type DropCounter } from '../core/drop-counter.js';
import { compareMessages, createClock, type HybridClock } from '../core/hlc.js';
import { createMessageEntry, encodeMessageEntry, isValidLabel, isValidNick, isValidText } from '../core/message-entry.js';
import { createMessageLog, type MessageLog } from '../core/message-log.js';
import { formatInviteFragment } from '../core/invite-link.js';
import { transcriptFile, type TranscriptFile, type TranscriptFormat } from '../core/transcript.js';
import { MAX_STATUS_TEXT_CHARS, nicknameForKey, parsePresenceState } from '../core/presence.js';
import type { ConnectionState, InviteLink, MessageEntry, PresenceState } from '../core/types.js';
import { MessageFilter } from './message-filter.js';
import { StoredTail } from './stored-tail.js';
import { RoomEpochs } from './room-epochs.js';
import { MessageIndex } from './message-index.js';
import { clientsWithKey, listPeople, nextPresence, type Person } from './people.js';
import { RoomAlerts } from './room-alerts.js';
import { deviceProfile } from './profile.svelte.js';
import { MODERATION_ORIGIN, SessionModeration } from './session-moderation.svelte.js';
import { SessionActs } from './session-acts.svelte.js';
import { PrivateMessages } from './private-messages.svelte.js';
import { createRoomProvider, type ProviderStatus, type RoomProvider, type TabChannelLike } from '../transport/room-provider.js';
import { createPeerFactory } from '../transport/simple-peer-factory.js';
import type { SocketLike } from '../transport/signaling-client.js';
import { takeSignalingSocket } from '../transport/signaling-socket.js';

/** What the session needs from storage (src/persistence provides it; tests may pass another). */
export interface SessionStore {
  appendUpdate(update: Uint8Array): Promise<void>;
  /** Stored updates, unparsed (see RoomStore.loadUpdates): applying each is its check. */
  loadUpdates(): Promise<Uint8Array[]>;
  saveTail(payload: Uint8Array): Promise<void>;
  loadTail(): Promise<Uint8Array | null>;
  saveIdentity(secretKey: Uint8Array): Promise<void>;
  /** The stored identity, already checked to be a valid key pair, or null. */
  loadIdentity(): Promise<Identity | null>;
  saveAdminSeed(seed: Uint8Array): Promise<void>;
  saveBlocked(payload: Uint8Array): Promise<void>;
  loadBlocked(): Promise<Uint8Array | null>;
  loadAdminSeed(): Promise<Uint8Array | null>;
  /** Commits pending writes and detaches. */
  close(): Promise<void>;
}

export type { Person } from './people.js';

export interface SessionOptions {
  /** The link the room was opened with (an admin link also carries the admin seed). */
  readonly link: InviteLink;
  readonly signalingUrl: string;
  readonly openStore: (keys: RoomKeys) => SessionStore;
  readonly iceServers?: RTCIceServer[];
}

const STORE_ORIGIN = 'store';
const TYPING_IDLE_MS = 3000;

/** Resolves after the next frame is painted, or soon in a hidden tab (which paints no frames). */
function afterNextPaint(): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => void setTimeout(resolve, 0);
    if (typeof requestAnimationFrame === 'function') requestAnimationFrame(done);
    setTimeout(resolve, 50);
  });
}

export class RoomSession {
  /** Bumped whenever the message log changes; components read the log through it. */
  logVersion = $state(0);
  people: Person[] = $state.raw([]);
  connection: ConnectionState = $state.raw({ kind: 'connecting' });
  /** True once the stored history is in the log (shown before any peer answers). */
  historyLoaded = $state(false);
  nick = $state('');
  drops: Record<string, number> = $state.raw({});
  error: string | null = $state(null);
  /** The status this person chose, and their status message. */
  chosenStatus: PresenceState['status'] = $state('online');
  statusText = $state('');
  #autoAway = false;
  /** This device holds the room admin's key (it created the room or opened an admin link). */
  isAdmin = $state(false);

  readonly keys: RoomKeys;
  readonly log: MessageLog = createMessageLog();
  /** What is shown of the document's messages (moderation, floods, blocks). */
  readonly #filter = new MessageFilter(this.log);
  readonly moderation: SessionModeration;
  /** Edits, own deletes, reactions and read receipts. */
  readonly acts: SessionActs;
  /** Private messages to and from this person (private-messages.svelte.ts). */
  readonly privates: PrivateMessages;
  readonly #doc = new Y.Doc();
  readonly #awareness = new Awareness(this.#doc);
  readonly #dropCounter: DropCounter = createDropCounter();
  readonly #clock: HybridClock = createClock(Date.now);
  readonly #options: SessionOptions;
  #identity: Identity | null = null;
  #admin: Identity | null = null;
  #store: SessionStore | null = null;
  #provider: RoomProvider | null = null;
  #typingTimer: ReturnType<typeof setTimeout> | undefined;
  #waitingToSend: Array<readonly [text: string, re: string | undefined]> = [];
  #signing: Promise<void> = Promise.resolve();
  /** The room secret the traffic uses: the link's, or a newer one sealed to this person after a ban. */
  #transportSecret: Uint8Array;
  /** Keys derived from it (at first the same as `keys`, which storage keeps using). */
  #transportKeys: RoomKeys;
  readonly #epochs: RoomEpochs;
  readonly #index: MessageIndex;
  /** Messages from others that arrived while the page was hidden (tab title), and the first of them (divider). */
  unread = $state(0);
  /** Sounds and notifications: what happened, for the UI to announce. */
  readonly alerts = new RoomAlerts(() => this.nick);
  firstUnreadId: string | null = $state(null);
  /** The room key epoch the traffic uses (0: the link's). */
  epoch = $state(0);
  #lastSentAt = 0;
  #everConnected = false;
  #closed = false;
  #tail: StoredTail | null = null;
  /** Nicknames of people seen present during this visit, so those who left keep their name (a private message to them, say). */
  readonly #seenNicks = new Map<string, string>();

  constructor(options: SessionOptions) {
    this.#options = options;
    this.keys = deriveRoomKeys(options.link.secret, options.link.adminKey);
    this.#transportSecret = options.link.secret;
    this.#transportKeys = this.keys;
    const adminKey = options.link.adminKey;
    const adminKeyText = adminKey === undefined ? null : toBase64Url(adminKey);
    this.#index = new MessageIndex(this.#doc.getMap('messages'), this.log, this.#filter, {
      drop: (reason) => this.#drop('entry', reason),
      changed: () => {
        this.logVersion++;
        this.acts.judge();
        this.#tail?.schedule();
      },
      flooded: (entries) => this.moderation.noteFlood(entries),
      observeStamp: (hlc) => this.#clock.observe(hlc),
      arrived: (entries) => this.#arrived(entries),
      closed: () => this.#closed,
    });
    this.#epochs = new RoomEpochs({
      doc: this.#doc,
      adminKey: adminKeyText,
      onDrop: (reason) => this.#drop('moderation', reason),
      onSecret: (secret, epoch) => this.#moveTo(secret, epoch),
      onCards: () => this.privates.refresh(),
    });
    this.privates = new PrivateMessages({
      doc: this.#doc,
      identity: () => this.#identity,
      boxOf: (key) => this.#epochs.boxOf(key),
      refused: (key) => this.moderation.bannedKeys.has(key) || this.moderation.blocked.has(key),
      nick: () => this.nick,
      tick: () => this.#clock.tick(),
      drop: (reason) => this.#drop('private', reason),
      autoReply: () => (deviceProfile.current.autoReply.enabled ? deviceProfile.current.autoReply.text : null),
      lifetimeMs: () => this.moderation.rules.lifetimeSeconds * 1000,
      arrived: () => this.alerts.emit('private'),
    });
    this.acts = new SessionActs({
      doc: this.#doc,
      filter: this.#filter,
      removalOrigin: MODERATION_ORIGIN,
      identity: () => this.#identity,
      tick: () => this.#clock.tick(),
      drop: (reason) => this.#drop('act', reason),
      refresh: () => {
        this.logVersion++;
        if (this.historyLoaded) this.#tail?.schedule();
      },
    });
    this.moderation = new SessionModeration({
      doc: this.#doc,
      filter: this.#filter,
      adminKey: adminKeyText,
      ownKey: () => (this.#identity === null ? null : toBase64Url(this.#identity.publicKey)),
      admin: () => this.#admin,
      tick: () => this.#clock.tick(),
      clientsOf: (key) => this.#clientsOf(key),
      presentKeys: () => this.people.filter((person) => !person.isSelf).map((person) => person.key),
      knownKeys: () => {
        const keys = this.#filter.authors();
        for (const [, raw] of this.#awareness.getStates()) {
          const key = parsePresenceState(raw)?.key;
          if (key !== undefined) keys.add(key);
        }
        if (adminKeyText !== null) keys.add(adminKeyText);
        // Those still here first, so they stay admitted if the list is cut at its maximum.
        return [...keys].sort((a, b) => Number(this.#clientsOf(b).length > 0) - Number(this.#clientsOf(a).length > 0));
      },
      disconnectClient: (clientId) => this.#provider?.disconnectClient(clientId),
      allowClient: (clientId) => this.#provider?.allowClient(clientId),
      leave: () => this.#leaveNetwork(),
      drop: (reason) => this.#drop('moderation', reason),
      loadBlocked: () => this.#store?.loadBlocked() ?? Promise.resolve(null),
      saveBlocked: (payload) => this.#store?.saveBlocked(payload) ?? Promise.resolve(),
      refresh: () => {
        this.logVersion++;
        // What is shown changed (a deletion, a ban): the stored tail must not show it again on reload.
        if (this.historyLoaded) this.#tail?.schedule();
        // Also the time to look for expired messages (a lifetime set, or the sweep): private ones too.
        if (this.historyLoaded) this.privates.expire();
      },
    });
  }

  /** Joins the room while loading identity and history from this device, in parallel. */
  async open(): Promise<void> {
    const store = this.#options.openStore(this.keys);
    this.#store = store;
    // Kicks stamped before this moment happened before this visit and do not apply to it.
    const startStamp = this.#clock.tick();
    // The tail is read first: it is small and shows the newest messages while the history loads.
    const tail = new StoredTail(this.log, store, (reason) => this.#drop('blob', reason));
    this.#tail = tail;
    const tailShown = tail.show().then((shown) => {
      if (shown && !this.historyLoaded) this.logVersion++;
    });
    const identity = this.#loadOrCreateIdentity(store);
    const admin = this.#loadAdmin(store);
    const profile = deviceProfile.load();
    const stored = store.loadUpdates();
    let markLoaded: () => void = () => undefined;
    const historyLoaded = new Promise<void>((resolve) => (markLoaded = resolve));
    this.#startProvider(historyLoaded);
    this.#identity = await identity;
    this.#admin = await admin;
    this.isAdmin = this.#admin !== null;
    this.nick = (await profile).nick ?? nicknameForKey(this.#identity.publicKey);
    // Parts of the stored profile that could not be read are counted like any other stored blob.
    for (let i = 0; i < deviceProfile.dropped; i++) this.#drop('blob', 'shape');
    this.#publishPresence({ typing: false, status: 'online' });
    this.#awareness.on('change', () => {
      this.#refreshPeople();
      this.moderation.enforcePresence();
    });
    this.#refreshPeople();

    const messages = this.#doc.getMap<unknown>('messages');
    const updates = await stored;
    // Applying a long history blocks the page for a while: let the tail reach the screen first.
    if (tail.showing) await afterNextPaint();
    if (this.#closed) return;
    for (const update of updates) {
      try {
        Y.applyUpdate(this.#doc, update, STORE_ORIGIN);
      } catch {
        this.#drop('blob', 'decode'); // a row Yjs cannot read: skipped, the others still load
      }
    }
    // Only now: with an 'update' listener, Yjs re-encodes everything applied (0.44 s for 100k
    // messages) just for the listener to skip it. Sending waits for this point (see send()).
    this.#doc.on('update', (update: Uint8Array) => void store.appendUpdate(update).catch(() => this.#drop('blob', 'decode')));
    await this.#index.indexAll();
    if (this.#closed) return;
    // The document is the truth: a tail entry it does not hold (deleted since) goes.
    await tailShown;
    tail.settle((id) => messages.has(id));
    this.#index.follow(MODERATION_ORIGIN);
    await this.moderation.start(startStamp);
    if (this.#closed) return;
    // Acts are checked in the background: the history is shown without waiting for them.
    void this.acts.start();
    await this.#epochs.start(this.#identity);
    if (this.#closed) return;
    await this.privates.start();
    if (this.#closed) return;
    this.historyLoaded = true;
    tail.schedule();
    markLoaded();
    for (const [text, re] of this.#waitingToSend.splice(0)) this.#sendNow(text, re);
    setTimeout(() => {
      // No node reachable after a few seconds: say so rather than spin forever.
      if (!this.#everConnected && !this.#closed) this.connection = { kind: 'offline' };
    }, 6000);
  }

  /**
   * After a ban, the admin sealed a new room secret to this person: the traffic moves to the keys
   * derived from it (new topic, new signal and wire keys), where the banned identity cannot follow.
   * Storage stays with the link's keys, so the history is found again on reload.
   */
  #moveTo(secret: Uint8Array, epoch: number): void {
    if (this.#closed || this.moderation.removed !== null) return;
    this.#transportSecret = secret;
    this.#transportKeys = deriveRoomKeys(secret, this.#options.link.adminKey);
    this.epoch = epoch;
    this.#provider?.destroy(); // also withdraws our presence from the old keys' peers
    this.#startProvider(Promise.resolve());
    this.#publishPresence({ typing: false });
    this.#publishStatus();
  }

  /** Admin: bans `key` and moves everyone else to a new room key the banned identity does not get. */
  async ban(key: string, reason: string): Promise<boolean> {
    const admin = this.#admin;
    if (admin === null || !(await this.moderation.moderate({ kind: 'ban', target: key, reason }))) return false;
    await this.#epochs.rekey(admin, new Set([...this.moderation.bannedKeys, key]), this.#clock.tick());
    return true;
  }

  /** The invite link for new members: the current room key (after a ban, the new one). */
  inviteFragment(): string {
    void this.epoch;
    const { adminKey } = this.#options.link;
    return formatInviteFragment({ secret: this.#transportSecret, ...(adminKey === undefined ? {} : { adminKey }) });
  }

  #startProvider(historyLoaded: Promise<void>): void {
    if (this.#closed) return;
    const keys = this.#transportKeys;
    this.#provider = createRoomProvider({
      doc: this.#doc,
      awareness: this.#awareness,
      signalingUrl: this.#options.signalingUrl,
      topic: keys.topic,
      signalKey: keys.signalKey,
      wireKey: keys.wireKey,
      createSocket: (url) => takeSignalingSocket(url) as unknown as SocketLike,
      createPeer: createPeerFactory(this.#options.iceServers ? { iceServers: this.#options.iceServers } : {}),
      createTabChannel: typeof BroadcastChannel === 'undefined' ? null : (name) => new BroadcastChannel(name) as unknown as TabChannelLike,
      isValidPresence: (state) => parsePresenceState(state) !== null,
      onDrop: (source, reason) => this.#drop(source, reason),
      onStatus: (status) => this.#updateConnection(status),
      historyLoaded,
    });
  }

  /** Signs and adds a message, a reply to `re` if given (queued while the room is still loading); false, changing nothing, for empty or oversized text. */
  send(text: string, re?: string): boolean {
    // Peers refuse CR in text (core/message-entry.ts); line breaks travel as LF.
    const trimmed = text.replace(/\r\n?/g, '\n').trim();
    if (!isValidText(trimmed) || !this.canSend(trimmed)) return false;
    // Until identity and stored history are loaded, messages wait in order, then go out.
    if (this.#identity === null || !this.historyLoaded) {
      this.#waitingToSend.push([trimmed, re]);
      return true;
    }
    this.#sendNow(trimmed, re);
    return true;
  }

  /** Seals and sends a private message to `key`; false, changing nothing, if it cannot go now (see canSend, and the recipient's card must be known). */
  sendPrivate(key: string, text: string): boolean {
    const trimmed = text.replace(/\r\n?/g, '\n').trim();
    if (!this.historyLoaded || !isValidText(trimmed) || !this.canSend(trimmed) || !this.privates.canSendTo(key)) return false;
    this.#lastSentAt = Date.now();
    this.setTyping(false);
    void this.privates.send(key, trimmed);
    return true;
  }

  /**
   * Whether the room's rules let this person send `text` now: not removed or muted, within the
   * room's maximum length and slow mode. Every member hides what breaks them anyway; checking here
   * tells the sender instead of letting the message vanish.
   */
  canSend(text: string): boolean {
    const { removed, mutedUntil, rules } = this.moderation;
    if (removed !== null || mutedUntil > Date.now() || text.length > rules.maxMessageChars) return false;
    return this.slowModeWaitMs() === 0;
  }

  /** How long until slow mode lets this person send again; 0 if now. */
  slowModeWaitMs(): number {
    const gapMs = this.moderation.rules.slowModeSeconds * 1000;
    return gapMs === 0 ? 0 : Math.max(0, this.#lastSentAt + gapMs - Date.now());
  }

  #sendNow(trimmed: string, re: string | undefined): void {
    this.#lastSentAt = Date.now();
    this.firstUnreadId = null;
    const identity = this.#identity;
    if (identity === null) return;
    const draft = { nick: this.nick, text: trimmed, hlc: this.#clock.tick(), ...(re === undefined ? {} : { re }) };
    this.setTyping(false);
    // Signing is asynchronous (WebCrypto); the chain keeps messages in the order they were sent.
    this.#signing = this.#signing.then(async () => {
      const entry = await createMessageEntry(identity, draft);
      this.#index.signedHere(entry);
      if (!this.#closed) this.#doc.getMap<unknown>('messages').set(entry.id, encodeMessageEntry(entry));
    });
  }

  /** Changes the nickname shown to others; false if it is empty, too long or has control characters. */
  rename(nick: string): boolean {
    const trimmed = nick.trim();
    if (!isValidNick(trimmed)) return false;
    this.nick = trimmed;
    deviceProfile.setNick(trimmed);
    this.#publishPresence({});
    return true;
  }

  /** This device's colour in every room (null: one made from each room's identity). */
  setColor(color: string | null): void {
    deviceProfile.setColor(color);
    this.#publishPresence({});
  }

  /** Sets the status this person chose; 'busy' stays busy, 'online' shows as away while away. */
  setStatus(status: PresenceState['status']): void {
    this.chosenStatus = status;
    this.#publishStatus();
  }

  /** Sets the status message (empty clears it); false, changing nothing, if it is not a valid one-line label. */
  setStatusText(text: string): boolean {
    const trimmed = text.trim();
    if (trimmed !== '' && !isValidLabel(trimmed, MAX_STATUS_TEXT_CHARS)) return false;
    this.statusText = trimmed;
    this.#publishStatus();
    return true;
  }

  /** Away without choosing it: the tab is hidden or nobody has touched the page for a while. */
  setAutoAway(away: boolean): void {
    if (this.#autoAway === away) return;
    this.#autoAway = away;
    this.#publishStatus();
  }

  #publishStatus(): void {
    const status = this.chosenStatus === 'online' && this.#autoAway ? 'away' : this.chosenStatus;
    this.#publishPresence({ status, text: this.statusText });
    this.privates.setAway(status === 'away');
  }

  /** Marks this person as typing; it clears by itself after a few idle seconds. */
  setTyping(typing: boolean): void {
    clearTimeout(this.#typingTimer);
    if (typing) this.#typingTimer = setTimeout(() => this.setTyping(false), TYPING_IDLE_MS);
    const current = this.#awareness.getLocalState() as PresenceState | null;
    if (current?.typing !== typing) this.#publishPresence({ typing });
  }

  /** Messages in [start, end) that passed signature checks; starts checks for the rest. */
  visibleMessages(start: number, end: number): MessageEntry[] {
    void this.logVersion;
    return this.#index.visible(start, end);
  }

  /** A name for someone who may no longer be present: their nickname now or on their last message, else their safety code. */
  nameOf(key: string): string {
    void this.logVersion;
    const present = this.people.find((person) => person.key === key);
    if (present !== undefined) return present.nick;
    const bytes = fromBase64Url(key);
    return this.#seenNicks.get(key) ?? this.#filter.nickOf(key) ?? this.privates.nickOf(key) ?? (bytes === null ? key.slice(0, 8) : safetyCode(bytes));
  }

  #arrived(entries: readonly MessageEntry[]): void {
    this.alerts.arrived(entries);
    if (entries.length === 0 || typeof document === 'undefined' || document.visibilityState !== 'hidden') return;
    this.firstUnreadId ??= entries[0]?.id ?? null;
    this.unread += entries.length;
  }

  /** The person is looking again: the count resets; the divider stays where it was until they send. */
  markRead(): void {
    this.unread = 0;
  }

  /** A transcript of the messages shown (signatures checked first), as a file's name, type and text. */
  async transcript(format: TranscriptFormat): Promise<TranscriptFile> {
    // Private messages this person can read go in too, marked private in the name column.
    const privates = this.privates.visible().map((message) => ({ v: 1, id: message.id, author: message.author, hlc: message.hlc, text: message.text, sig: '', nick: `${message.nick} (private to ${message.outgoing ? this.nameOf(message.to) : 'you'})` }) as const);
    const entries = [...(await this.#index.verifiedAll()), ...privates].sort(compareMessages);
    await this.acts.verifyAll();
    return transcriptFile(format, entries, this.keys.roomId, Date.now(), (entry) => this.acts.transcriptNote(entry));
  }

  /** Messages hidden right now, by reason (diagnostics). */
  hiddenCounts(): Record<string, number> {
    void this.logVersion;
    return this.#filter.hiddenCounts();
  }

  /** The admin link (with the admin seed) if this device holds the admin key, else null. */
  adminFragment(): string | null {
    if (this.#admin === null) return null;
    const { secret, adminKey } = this.#options.link;
    return formatInviteFragment({ secret, ...(adminKey === undefined ? {} : { adminKey }), adminSeed: this.#admin.secretKey.slice(0, 32) });
  }

  /** This person's public key (base64url), once loaded. */
  get ownKey(): string | null {
    return this.#identity === null ? null : toBase64Url(this.#identity.publicKey);
  }

  /** Safety code of this person's own key, to compare with what others see. */
  get ownSafetyCode(): string {
    return this.#identity ? safetyCode(this.#identity.publicKey) : '';
  }

  close(): void {
    this.#tail?.stop();
    this.#closed = true;
    clearTimeout(this.#typingTimer);
    this.moderation.stop();
    this.acts.stop();
    this.#provider?.destroy();
    this.#awareness.destroy();
    this.#doc.destroy();
    void this.#store?.close();
  }

  /** The admin key pair if this device holds it: from an admin link (then kept), else from storage. */
  async #loadAdmin(store: SessionStore): Promise<Identity | null> {
    const { adminKey, adminSeed } = this.#options.link;
    if (adminKey === undefined) return null;
    const matches = (identity: Identity | null): identity is Identity => identity !== null && identity.publicKey.every((byte, i) => byte === adminKey[i]);
    if (adminSeed !== undefined) {
      const fromLink = await identityFromSeed(adminSeed);
      if (matches(fromLink)) {
        await store.saveAdminSeed(adminSeed);
        return fromLink;
      }
      this.error = 'This admin link is damaged: you are in the room as a member.';
    }
    const stored = await store.loadAdminSeed();
    const fromStore = stored === null ? null : await identityFromSeed(stored);
    return matches(fromStore) ? fromStore : null;
  }

  async #loadOrCreateIdentity(store: SessionStore): Promise<Identity> {
    const restored = await store.loadIdentity();
    if (restored !== null) return restored;
    const created = await createIdentity();
    await store.saveIdentity(created.secretKey);
    return created;
  }

  #publishPresence(change: Partial<Pick<PresenceState, 'typing' | 'status' | 'text'>>): void {
    if (this.#identity === null) return;
    const current = this.#awareness.getLocalState() as PresenceState | null;
    this.#awareness.setLocalState(nextPresence(toBase64Url(this.#identity.publicKey), this.nick, current, change, deviceProfile.current.color));
  }

  #clientsOf(key: string): number[] {
    return clientsWithKey(this.#awareness.getStates(), this.#doc.clientID, key);
  }

  /** Kicked or banned: leave the network, keep what is on screen. */
  #leaveNetwork(): void {
    this.#provider?.destroy();
    this.#provider = null;
    this.connection = { kind: 'offline' };
  }

  /** The message with this id if the log shows it now (not hidden, deleted or expired, signature checked). */
  shownMessage(id: string): MessageEntry | undefined {
    const at = this.log.indexOf(id);
    const entry = at < 0 ? undefined : this.log.slice(at, at + 1)[0];
    return entry !== undefined && this.log.statusOf(id) === 'valid' ? entry : undefined;
  }

  #refreshPeople(): void {
    // People the room banned or locked out are not shown as present (their connections are being cut).
    const { bannedKeys, locked } = this.moderation;
    this.people = listPeople(this.#awareness.getStates(), this.#doc.clientID, (key) => bannedKeys.has(key) || (locked !== null && !locked.has(key)));
    this.alerts.people(this.people);
    for (const person of this.people) this.#seenNicks.set(person.key, person.nick);
  }

  #updateConnection(status: ProviderStatus): void {
    if (status.signaling || status.peers > 0) this.#everConnected = true;
    if (status.peers > 0) this.connection = { kind: 'connected', peers: status.peers };
    else if (status.signaling) this.connection = { kind: 'connected', peers: 0 };
    else this.connection = this.#everConnected ? { kind: 'offline' } : { kind: 'connecting' };
  }

  #drop(source: Parameters<DropCounter['count']>[0], reason: Parameters<DropCounter['count']>[1]): void {
    this.#dropCounter.count(source, reason);
    this.drops = this.#dropCounter.snapshot();
  }
}
