/**
 * A room's place on the network: the provider (signaling, WebRTC, sync), the room keys its traffic
 * uses (the link's, or newer ones sealed to this person after a ban), the connection state a
 * person understands, and whom it refuses. Storage keeps the link's keys throughout.
 */
import type * as Y from 'yjs';
import type { PresenceTable } from '../core/presence-table.js';
import { formatInviteFragment } from '../core/invite-link.js';
import type { ConnectionState, DropSource, DropReason, InviteLink } from '../core/types.js';
import { deriveRoomKeys, type RoomKeys } from '../crypto/keys.js';
import type { Identity } from '../crypto/identity.js';
import type { AdmitMode, AdmitResult, AdmitSource } from '../transport/message-handler.js';
import { createMediaRelay, type MediaLinks } from '../transport/media-links.js';
import { createFileRelay, type FileLinks } from '../transport/file-links.js';
import { createRoomProvider, type ProviderStatus, type RoomProvider, type TabChannelLike } from '../transport/room-provider.js';
import { NO_ICE, rtcConfiguration, type IceSource } from '../transport/ice-config.js';
import { createPeerFactory } from '../transport/simple-peer-factory.js';
import { RoomConnectivity } from './connectivity.svelte.js';
import type { SocketLike } from '../transport/signaling-client.js';
import { takeSignalingSocket } from '../transport/signaling-socket.js';

/** With no node reachable after this long, say so rather than spin forever. */
const OFFLINE_AFTER_MS = 6000;
/** The first connection waits this long at most for the node's ICE servers (asked for as the page loaded). */
const ICE_WAIT_MS = 2000;
/** How often People's direct/relayed badges are read again (a restart can move a connection to the relay). */
const PATHS_EVERY_MS = 5000;

export interface RoomNetworkOptions {
  readonly link: InviteLink;
  readonly keys: RoomKeys;
  readonly signalingUrl: string;
  readonly iceServers?: RTCIceServer[];
  /** The node's ICE servers, refreshed before they expire (wins over `iceServers`). */
  readonly ice?: IceSource;
  /** Hide this device's addresses: relay candidates only (read for each new connection). */
  readonly relayOnly?: () => boolean;
  readonly doc: Y.Doc;
  readonly presence: PresenceTable;
  readonly whoAmI: () => Promise<{ readonly identity: Identity; readonly clientId: number }>;
  readonly admit: (update: Uint8Array, mode: AdmitMode, from: AdmitSource) => Promise<AdmitResult>;
  readonly preview: () => Uint8Array | null;
  readonly onPreview: (preview: Uint8Array) => void;
  readonly onHistoryDone: () => void;
  readonly drop: (source: DropSource, reason: DropReason) => void;
}

export class RoomNetwork {
  connection: ConnectionState = $state.raw({ kind: 'connecting' });
  /** The room key epoch the traffic uses (0: the link's). */
  epoch = $state(0);
  /** A long history is streaming in from a peer (it began with a preview of the newest messages). */
  syncing = $state(false);
  /** Direct or relayed, who cannot be reached, restarts (connectivity.svelte.ts). */
  readonly connectivity = new RoomConnectivity();
  readonly #options: RoomNetworkOptions;
  #provider: RoomProvider | null = null;
  /** The room secret the traffic uses, and the keys derived from it. */
  #secret: Uint8Array;
  #keys: RoomKeys;
  #everConnected = false;
  /** Nothing answered for OFFLINE_AFTER_MS, or the browser says it has no network: "Offline", not "Connecting…". */
  #waitedLong = false;
  #closed = false;
  #offlineTimer: ReturnType<typeof setTimeout> | undefined;
  #pathsTimer: ReturnType<typeof setInterval> | undefined;
  /** Bumped whenever the provider is replaced or dropped, so a start still waiting for ICE servers stands down. */
  #generation = 0;
  #iceSettled = false;
  #stopIce: (() => void) | undefined;
  readonly #movedListeners = new Set<() => void>();
  readonly #media = createMediaRelay();
  /** The connections as calls use them, following the provider through a move to new keys. */
  readonly media: MediaLinks = this.#media.links;
  readonly #files = createFileRelay();
  /** The connections as file transfers use them, whichever provider is current. */
  readonly files: FileLinks = this.#files.links;

  constructor(options: RoomNetworkOptions) {
    this.#options = options;
    this.#secret = options.link.secret;
    this.#keys = options.keys;
  }

  /** The configuration for a new connection: the node's servers now, and relay-only if chosen. */
  #configuration(): RTCConfiguration {
    const servers = this.#options.ice?.current() ?? { ...NO_ICE, iceServers: this.#options.iceServers ?? [] };
    return rtcConfiguration(servers, this.#options.relayOnly?.() ?? false);
  }

  /**
   * Starts connecting: signaling at once, document sync once `historyLoaded`. The first time, it
   * waits (briefly) for the node's ICE servers, asked for while the page loaded: a connection made
   * without them has host candidates only and reaches no one behind another NAT.
   */
  start(historyLoaded: Promise<void>): void {
    if (this.#closed) return;
    const ice = this.#options.ice;
    if (ice === undefined || this.#iceSettled) return this.#startNow(historyLoaded);
    const generation = ++this.#generation;
    const waited = new Promise((resolve) => setTimeout(resolve, ICE_WAIT_MS));
    void Promise.race([ice.ready, waited]).then(() => {
      this.#iceSettled = true;
      if (!this.#closed && generation === this.#generation) this.#startNow(historyLoaded);
    });
  }

  #startNow(historyLoaded: Promise<void>): void {
    const options = this.#options;
    const keys = this.#keys;
    this.#generation++;
    const ice = options.ice;
    if (ice !== undefined && this.#stopIce === undefined) {
      this.connectivity.hasRelay = ice.current().hasRelay;
      // Fresh credentials for the next restarts; new connections read them when they are made.
      this.#stopIce = ice.onChange((config) => {
        this.connectivity.hasRelay = config.hasRelay;
        this.#provider?.reconfigure(this.#configuration(), false);
      });
    }
    const connectivity = this.connectivity;
    this.#provider = createRoomProvider({
      doc: options.doc,
      presence: options.presence,
      whoAmI: options.whoAmI,
      signalingUrl: options.signalingUrl,
      topic: keys.topic,
      signalKey: keys.signalKey,
      wireKey: keys.wireKey,
      createSocket: (url) => takeSignalingSocket(url) as unknown as SocketLike,
      createPeer: createPeerFactory({ configuration: () => this.#configuration() }, (code) => connectivity.count(`ice server error ${code}`)),
      // A ready offer would hold a TURN allocation for as long as this person stays (ready-offer.ts).
      readyOfferAllowed: () => !(ice?.current().hasRelay ?? false),
      onConnectivity: (event) => {
        connectivity.handle(event);
        if (event.kind === 'connected' || (event.kind === 'restart' && event.outcome === 'recovered')) this.#readPaths();
      },
      createTabChannel: typeof BroadcastChannel === 'undefined' ? null : (name) => new BroadcastChannel(name) as unknown as TabChannelLike,
      admit: options.admit,
      preview: options.preview,
      onPreview: (preview) => {
        this.syncing = true;
        options.onPreview(preview);
      },
      onHistoryDone: () => {
        this.syncing = false;
        options.onHistoryDone();
      },
      onDrop: (source, reason) => options.drop(source, reason),
      onStatus: (status) => this.#update(status),
      historyLoaded,
    });
    this.#media.attach(this.#provider.media);
    this.#files.attach(this.#provider.files);
    clearTimeout(this.#offlineTimer);
    this.#offlineTimer = setTimeout(() => {
      this.#waitedLong = true;
      if (!this.#everConnected && !this.#closed) this.connection = { kind: 'offline' };
    }, OFFLINE_AFTER_MS);
    clearInterval(this.#pathsTimer);
    this.#pathsTimer = setInterval(() => {
      connectivity.expire();
      this.#readPaths();
    }, PATHS_EVERY_MS);
  }

  /** Reads each direct connection's path for People's badges. */
  #readPaths(): void {
    const provider = this.#provider;
    provider?.paths().then((paths) => {
      if (provider === this.#provider) this.connectivity.paths = paths;
    }, () => undefined);
  }

  /** Relay-only was turned on or off: live connections move to the new policy now (an ICE restart each). */
  relayOnlyChanged(): void {
    this.#provider?.reconfigure(this.#configuration(), true);
  }

  /**
   * After a ban, the admin sealed a new room secret to this person: the traffic moves to the keys
   * derived from it (new topic, new signal and wire keys), where the banned identity cannot follow.
   */
  moveTo(secret: Uint8Array, epoch: number): void {
    if (this.#closed || this.#provider === null) return;
    this.#secret = secret;
    this.#keys = deriveRoomKeys(secret, this.#options.link.adminKey);
    this.epoch = epoch;
    this.#provider.destroy();
    this.#startNow(Promise.resolve());
    for (const listener of this.#movedListeners) listener();
  }

  /** Calls `listener` when the traffic has moved to new keys (new peers: presence must be published to them). */
  onMoved(listener: () => void): void {
    this.#movedListeners.add(listener);
  }

  /** The invite link for new members: the current room key (after a ban, the new one). */
  inviteFragment(): string {
    void this.epoch;
    const { adminKey } = this.#options.link;
    return formatInviteFragment({ secret: this.#secret, ...(adminKey === undefined ? {} : { adminKey }) });
  }

  refuseKey(key: string): void {
    this.#provider?.disconnectKey(key);
  }

  allowKey(key: string): void {
    this.#provider?.allowKey(key);
  }

  dropKey(key: string): void {
    this.#provider?.dropKey(key);
  }

  /** Kicked or banned: leave the network, keep what is on screen. */
  leave(): void {
    this.#generation++;
    clearInterval(this.#pathsTimer);
    this.#provider?.destroy();
    this.#provider = null;
    this.#media.attach(null);
    this.#files.attach(null);
    this.connection = { kind: 'offline' };
  }

  close(): void {
    this.#closed = true;
    this.#generation++;
    clearTimeout(this.#offlineTimer);
    clearInterval(this.#pathsTimer);
    this.#stopIce?.();
    this.#provider?.destroy();
    this.#media.attach(null);
    this.#files.attach(null);
  }

  #update(status: ProviderStatus): void {
    if (status.signaling || status.peers > 0) this.#everConnected = true;
    if (status.peers === 0) this.syncing = false;
    if (status.peers > 0) this.connection = { kind: 'connected', peers: status.peers };
    else if (status.signaling) this.connection = { kind: 'connected', peers: 0 };
    // Each failed attempt reports again: once the wait is over (or the device has no network at all),
    // it stays "Offline — history available" instead of flipping back to "Connecting…".
    else this.connection = this.#everConnected || this.#waitedLong || globalThis.navigator?.onLine === false ? { kind: 'offline' } : { kind: 'connecting' };
  }
}
