/**
 * A partial mesh of WebRTC peers (simple-peer), introduced through the signaling client.
 *
 * Who offers: whoever hears a room-wide announce, so a newcomer is offered to by the people
 * already in the room the moment its announce arrives (one signaling trip fewer than asking the
 * newcomer to offer, which a joining page, busy building the room, handles late). Two peers that
 * announce at the same moment both offer; that glare is settled by one rule both apply (the
 * offer from the smaller id wins, the other side drops its own and answers), where y-webrtc can
 * deadlock. A peer offers up to `maxConnections` and accepts offers up to half as many again, so
 * a newcomer finds room even when everyone else is at the cap; a peer at its offer cap that can
 * still accept answers an announce with one addressed to the announcer, who then offers. Updates
 * still reach everyone: the provider floods them.
 */
import type { ChunkWriter } from './link-sender.js';
import { createLinkHealth, type LinkHealth, type RestartOutcome } from './link-health.js';
import { peerWriter, REAL_TIMERS, type MeshTimers, type PeerLike } from './mesh-peer.js';
import { createReadyOffers } from './ready-offer.js';
import type { SignalPayload } from './signaling-client.js';
import type { ConnectionPath } from './simple-peer-factory.js';

/** Why a connection that never came up was dropped: ICE found no path, it took too long, or it broke. */
export type ConnectFailure = 'no_path' | 'timeout' | 'error';

export type { MeshTimers, PeerLike } from './mesh-peer.js';

export interface PeerMeshOptions {
  readonly selfId: string;
  readonly maxConnections: number;
  readonly publish: (payload: SignalPayload) => void;
  readonly createPeer: (initiator: boolean) => PeerLike;
  readonly onConnect: (peerId: string) => void;
  readonly onData: (peerId: string, chunk: Uint8Array) => void;
  readonly onClose: (peerId: string) => void;
  /** A peer not connected this long after it was created is dropped (it may retry). */
  readonly connectTimeoutMs?: number;
  /**
   * Keep one offer made ahead of time, this long after the mesh starts (and after each use): the
   * next person who announces gets it at once instead of after a new connection is set up and its
   * offer created (25–45 ms of a loaded machine, on the joining person's critical path). Off when
   * undefined.
   */
  readonly readyOfferAfterMs?: number;
  /** How long a ready offer is kept before it is replaced by a new one (default ready-offer.ts' READY_OFFER_MAX_AGE_MS). */
  readonly readyOfferMaxAgeMs?: number;
  /**
   * An offer still unanswered this long when its peer announces again was lost (refused, say, by
   * someone who had blocked us and has just unblocked): it is dropped and a new one made, rather
   * than the announce ignored until the connect timeout.
   */
  readonly staleOfferMs?: number;
  /** The clock (default: Date.now and the global timers). */
  readonly timers?: MeshTimers;
  /** Whether a ready offer may be made now (default: always); see ready-offer.ts. */
  readonly readyOfferAllowed?: () => boolean;
  /** A connection that never came up was dropped, and why. */
  readonly onConnectFailed?: (peerId: string, cause: ConnectFailure) => void;
  /** An ICE restart of a live connection started, brought it back, or gave up (link-health.ts). */
  readonly onRestart?: (peerId: string, outcome: RestartOutcome) => void;
  /** Whether this person is in the room's call: call members connect to each other beyond the caps. */
  readonly inCall?: () => boolean;
}

/**
 * Connections a call member may make and accept beyond the caps, for other call members: a call
 * needs every pair connected directly, where text is content with a partial mesh (updates are
 * flooded). Calls hold at most 16 people (core/call-state.ts), so 16 more is every one of them.
 */
export const CALL_EXTRA_CONNECTIONS = 16;

export interface PeerMesh {
  /** Handles a payload from the signaling client. */
  handleSignal(payload: SignalPayload): void;
  /**
   * Tells the room we are here (on joining, and when below the connection cap); with `to`, asks that
   * one peer to offer now, replacing any offer of theirs we may have refused (an unblock). With
   * `call`, says we are in the call: other call members not yet connected to us offer, caps or not.
   */
  announce(to?: string, call?: boolean): void;
  /** Queues chunks to one connected peer (simple-peer applies backpressure on bufferedAmount). */
  send(peerId: string, chunks: readonly Uint8Array[]): void;
  /** The connected peer's writer, for a sender that respects its backpressure (link-sender.ts); null if not connected. */
  writer(peerId: string): ChunkWriter | null;
  connectedPeers(): string[];
  /** Drops one peer connection (e.g. the person was blocked). */
  disconnect(peerId: string): void;
  /** The network changed (the browser fired `online`): every live connection restarts ICE. */
  networkChanged(): void;
  /** The signaling socket reconnected: restarts under way are sent again (the last went out on the dead socket). */
  signalingBack(): void;
  /** New ICE servers or policy: live connections take them for their next restart, new ones at once. */
  reconfigure(configuration: RTCConfiguration, restart: boolean): void;
  /** How the connection to `peerId` travels, or null (not connected, or not known yet). */
  path(peerId: string): Promise<ConnectionPath | null>;
  /** Opens the connected peer's files channel: its writer, or null (not connected, or no such channel). */
  bulkWriter(peerId: string, onMessage: (chunk: Uint8Array) => void): ChunkWriter | null;
  /** The connected peer's RTCPeerConnection for media, or null. */
  mediaConnection(peerId: string): { readonly connection: RTCPeerConnection; readonly polite: boolean } | null;
  destroy(): void;
}

interface Entry {
  readonly peer: PeerLike;
  /** This side made the offer. */
  readonly initiator: boolean;
  /** When this connection was opened (ms since epoch). */
  readonly opened: number;
  connected: boolean;
  /** Data can arrive before simple-peer reports 'connect' on this side; it is held until then. */
  early: Uint8Array[];
  /** The connect timeout's handle (see MeshTimers). */
  readonly timer: unknown;
  /** The ICE connection state, as last reported: why a connection that never came up failed, and what link-health.ts reads. */
  ice: string;
  /** Restarts ICE when the live connection loses its path; null until connected. */
  health: LinkHealth | null;
  /** Made beyond the caps, between two call members: its offer says so. */
  readonly forCall: boolean;
}

const MAX_EARLY_CHUNKS = 256;

export function createPeerMesh(options: PeerMeshOptions): PeerMesh {
  const entries = new Map<string, Entry>();
  const timeoutMs = options.connectTimeoutMs ?? 20_000;
  const staleOfferMs = options.staleOfferMs ?? 3000;
  const timers = options.timers ?? REAL_TIMERS;
  const cancel = (handle: unknown): void => {
    if (handle !== undefined) timers.clearTimeout(handle);
  };
  let destroyed = false;

  const remove = (peerId: string, entry: Entry, failure: ConnectFailure = 'error'): void => {
    if (entries.get(peerId) !== entry) return;
    entries.delete(peerId);
    cancel(entry.timer);
    entry.health?.close();
    entry.peer.destroy();
    if (entry.connected) options.onClose(peerId);
    else if (!destroyed) options.onConnectFailed?.(peerId, entry.ice === 'failed' ? 'no_path' : failure);
    readyOffers.schedule();
  };

  /**
   * An offer on a connection that is up is an ICE restart: it says so, because an offer that does
   * not, from a peer we are connected to, is a new connection (that peer gave up on the old one).
   * Media renegotiation never comes this way: it travels on the data channel (media-negotiator.ts).
   */
  const publishSignal = (to: string, signal: unknown): void => {
    const entry = entries.get(to);
    const isOffer = (signal as { type?: unknown }).type === 'offer';
    const restart = entry?.connected === true && isOffer;
    const call = entry?.forCall === true && isOffer && !restart;
    options.publish({ kind: 'signal', from: options.selfId, to, signal: restart ? { ...(signal as object), restart: true } : call ? { ...(signal as object), call: true } : signal });
  };

  const readyOffers = createReadyOffers({
    timers,
    createPeer: options.createPeer,
    send: publishSignal,
    afterMs: options.readyOfferAfterMs,
    ...(options.readyOfferMaxAgeMs === undefined ? {} : { maxAgeMs: options.readyOfferMaxAgeMs }),
    allowed: () => entries.size < options.maxConnections && (options.readyOfferAllowed?.() ?? true),
  });

  const acceptLimit = options.maxConnections + Math.max(2, Math.ceil(options.maxConnections / 2));

  const open = (peerId: string, initiator: boolean, forCall = false): Entry | undefined => {
    const limit = (initiator ? options.maxConnections : acceptLimit) + (forCall ? CALL_EXTRA_CONNECTIONS : 0);
    if (entries.size >= limit) return undefined;
    // A ready offer's held signals go out before this entry exists, unmarked: not for a call.
    const readyPeer = initiator && !forCall ? readyOffers.take(peerId) : null;
    let peer: PeerLike;
    try {
      peer = readyPeer ?? options.createPeer(initiator);
    } catch {
      return undefined;
    }
    const entry: Entry = { peer, initiator, opened: timers.now(), connected: false, early: [], timer: timers.setTimeout(() => remove(peerId, entry, 'timeout'), timeoutMs), ice: 'new', health: null, forCall };
    entries.set(peerId, entry);
    // A ready offer publishes its own signals (held ones already sent to this peer).
    if (readyPeer === null) peer.on('signal', (signal) => publishSignal(peerId, signal));
    peer.on('iceStateChange', (state) => {
      entry.ice = state;
      entry.health?.iceState(state);
    });
    peer.on('negotiated', () => entry.health?.negotiated());
    peer.on('connect', () => {
      if (entries.get(peerId) !== entry) return;
      entry.connected = true;
      cancel(entry.timer);
      if (peer.restartIce !== undefined) {
        entry.health = createLinkHealth({
          timers,
          restart: () => peer.restartIce?.(),
          state: () => entry.ice,
          ...(peer.receivedBytes === undefined ? {} : { receivedBytes: () => peer.receivedBytes?.() ?? Promise.resolve(null) }),
          // Closing announces us again (the caller's onClose), and the next offer makes a new connection.
          giveUp: () => remove(peerId, entry),
          onRestart: (outcome) => options.onRestart?.(peerId, outcome),
        });
      }
      options.onConnect(peerId);
      for (const chunk of entry.early.splice(0)) options.onData(peerId, chunk);
    });
    peer.on('data', (data) => {
      // A connection we dropped (e.g. a peer cut off for flooding) may still deliver what it had buffered.
      if (entries.get(peerId) !== entry) return;
      if (entry.connected) options.onData(peerId, data);
      else if (entry.early.length < MAX_EARLY_CHUNKS) entry.early.push(data);
    });
    peer.on('close', () => remove(peerId, entry));
    // simple-peer's codes for ICE (or the whole connection) failing: no candidate pair worked.
    peer.on('error', (error) => {
      const code = (error as { code?: unknown }).code;
      remove(peerId, entry, code === 'ERR_ICE_CONNECTION_FAILURE' || code === 'ERR_CONNECTION_FAILURE' ? 'no_path' : 'error');
    });
    return entry;
  };

  readyOffers.schedule();

  return {
    handleSignal(payload) {
      if (destroyed || payload.from === options.selfId) return;
      if (payload.to !== undefined && payload.to !== options.selfId) return;
      let known = entries.get(payload.from);
      if (payload.kind === 'announce') {
        // An offer of ours still unanswered when its peer announces again was lost: at once if the
        // announce is addressed to us (they ask us to offer: they hold no connection with us), else
        // once it is older than a handshake takes (it may still be on its way).
        const lost = payload.to !== undefined || timers.now() - (known?.opened ?? 0) >= staleOfferMs;
        if (known !== undefined && !known.connected && known.initiator && lost) {
          remove(payload.from, known);
          known = undefined;
        }
        if (known !== undefined) return;
        // Two call members who are not connected: the one who hears the other's call announce offers.
        if (payload.call === true && options.inCall?.() === true) open(payload.from, true, true);
        else if (entries.size < options.maxConnections) open(payload.from, true);
        // At the offer cap but able to accept: ask the announcer, who is below its own cap, to offer.
        else if (payload.to === undefined && entries.size < acceptLimit) options.publish({ kind: 'announce', from: options.selfId, to: payload.from });
        return;
      }
      const isOffer = (payload.signal as { type?: unknown }).type === 'offer';
      // A fresh offer (not a restart) from a peer we are connected to: it dropped the old connection.
      if (isOffer && known !== undefined && known.connected && (payload.signal as { restart?: unknown }).restart !== true) {
        remove(payload.from, known);
        known = undefined;
      }
      // Glare: both offered at once. The smaller id's offer wins on both sides.
      if (isOffer && known !== undefined && known.initiator && !known.connected) {
        if (options.selfId < payload.from) return;
        remove(payload.from, known);
        known = undefined;
      }
      // A signal from an unknown peer must be an offer; anything else belongs to a connection we dropped.
      // One marked for a call is taken beyond the cap while we are in the call too.
      const forCall = (payload.signal as { call?: unknown }).call === true && options.inCall?.() === true;
      const entry = known ?? (isOffer ? open(payload.from, false, forCall) : undefined);
      if (entry === undefined) return;
      // The answering side asks for an ICE restart: only the offering side of a live connection does one.
      if ((payload.signal as { renegotiate?: unknown }).renegotiate === true) {
        if (entry.initiator && entry.health !== null) entry.health.peerAsked();
        return;
      }
      try {
        entry.peer.signal(payload.signal);
      } catch {
        remove(payload.from, entry);
      }
    },
    announce(to, call) {
      if (destroyed) return;
      if (call === true) options.publish({ kind: 'announce', from: options.selfId, ...(to === undefined ? {} : { to }), call: true });
      else if (to !== undefined) options.publish({ kind: 'announce', from: options.selfId, to });
      else if (entries.size < options.maxConnections) options.publish({ kind: 'announce', from: options.selfId });
    },
    writer(peerId) {
      const entry = entries.get(peerId);
      if (entry === undefined || !entry.connected) return null;
      return peerWriter(entry.peer, {
        current: () => entries.get(peerId) === entry,
        sent: () => entry.health?.sent(),
        failed: () => remove(peerId, entry),
      });
    },
    bulkWriter(peerId, onMessage) {
      const entry = entries.get(peerId);
      if (entry === undefined || !entry.connected) return null;
      const direct = entry.peer.bulkChannel?.(onMessage) ?? null;
      if (direct === null) return null;
      return {
        write(chunk) {
          if (entries.get(peerId) !== entry) return true;
          try {
            return direct.write(chunk);
          } catch {
            remove(peerId, entry);
            return true;
          }
        },
        onDrain: (listener) => direct.onDrain(listener),
      };
    },
    send(peerId, chunks) {
      const entry = entries.get(peerId);
      if (entry === undefined || !entry.connected) return;
      try {
        for (const chunk of chunks) entry.peer.write(chunk);
      } catch {
        remove(peerId, entry);
      }
    },
    connectedPeers: () => [...entries].filter(([, entry]) => entry.connected).map(([peerId]) => peerId),
    disconnect(peerId) {
      const entry = entries.get(peerId);
      if (entry) remove(peerId, entry);
    },
    networkChanged() {
      for (const entry of entries.values()) entry.health?.networkChanged();
    },
    signalingBack() {
      for (const entry of entries.values()) entry.health?.signalingBack();
    },
    reconfigure(configuration, restart) {
      for (const entry of entries.values()) {
        entry.peer.setConfiguration?.(configuration);
        if (restart) entry.health?.networkChanged();
      }
    },
    async path(peerId) {
      const entry = entries.get(peerId);
      if (entry === undefined || !entry.connected) return null;
      return (await entry.peer.connectionPath?.()) ?? null;
    },
    mediaConnection(peerId) {
      const entry = entries.get(peerId);
      return entry?.connected === true ? (entry.peer.mediaConnection?.() ?? null) : null;
    },
    destroy() {
      destroyed = true;
      readyOffers.destroy();
      for (const [peerId, entry] of [...entries]) remove(peerId, entry);
    },
  };
}
