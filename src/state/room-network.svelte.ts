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
import { createRoomProvider, type ProviderStatus, type RoomProvider, type TabChannelLike } from '../transport/room-provider.js';
import { createPeerFactory } from '../transport/simple-peer-factory.js';
import type { SocketLike } from '../transport/signaling-client.js';
import { takeSignalingSocket } from '../transport/signaling-socket.js';

/** With no node reachable after this long, say so rather than spin forever. */
const OFFLINE_AFTER_MS = 6000;

export interface RoomNetworkOptions {
  readonly link: InviteLink;
  readonly keys: RoomKeys;
  readonly signalingUrl: string;
  readonly iceServers?: RTCIceServer[];
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
  readonly #options: RoomNetworkOptions;
  #provider: RoomProvider | null = null;
  /** The room secret the traffic uses, and the keys derived from it. */
  #secret: Uint8Array;
  #keys: RoomKeys;
  #everConnected = false;
  #closed = false;
  #offlineTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #movedListeners = new Set<() => void>();

  constructor(options: RoomNetworkOptions) {
    this.#options = options;
    this.#secret = options.link.secret;
    this.#keys = options.keys;
  }

  /** Starts connecting at once; document sync waits for `historyLoaded`. */
  start(historyLoaded: Promise<void>): void {
    if (this.#closed) return;
    const options = this.#options;
    const keys = this.#keys;
    this.#provider = createRoomProvider({
      doc: options.doc,
      presence: options.presence,
      whoAmI: options.whoAmI,
      signalingUrl: options.signalingUrl,
      topic: keys.topic,
      signalKey: keys.signalKey,
      wireKey: keys.wireKey,
      createSocket: (url) => takeSignalingSocket(url) as unknown as SocketLike,
      createPeer: createPeerFactory(options.iceServers ? { iceServers: options.iceServers } : {}),
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
    clearTimeout(this.#offlineTimer);
    this.#offlineTimer = setTimeout(() => {
      if (!this.#everConnected && !this.#closed) this.connection = { kind: 'offline' };
    }, OFFLINE_AFTER_MS);
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
    this.start(Promise.resolve());
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
    this.#provider?.destroy();
    this.#provider = null;
    this.connection = { kind: 'offline' };
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#offlineTimer);
    this.#provider?.destroy();
  }

  #update(status: ProviderStatus): void {
    if (status.signaling || status.peers > 0) this.#everConnected = true;
    if (status.peers === 0) this.syncing = false;
    if (status.peers > 0) this.connection = { kind: 'connected', peers: status.peers };
    else if (status.signaling) this.connection = { kind: 'connected', peers: 0 };
    else this.connection = this.#everConnected ? { kind: 'offline' } : { kind: 'connecting' };
  }
}
