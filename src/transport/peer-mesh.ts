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
import type { SignalPayload } from './signaling-client.js';

/** The part of a simple-peer instance used here. */
export interface PeerLike {
  signal(data: unknown): void;
  write(chunk: Uint8Array): boolean;
  destroy(): void;
  readonly connected: boolean;
  on(event: 'signal', listener: (data: unknown) => void): this;
  on(event: 'connect' | 'close' | 'drain', listener: () => void): this;
  on(event: 'data', listener: (data: Uint8Array) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  /** A writer straight to the data channel, with its own backpressure (simple-peer-factory.ts); absent: write() and 'drain'. */
  channelWriter?(): ChunkWriter | null;
}

/**
 * The clock the mesh reads and schedules with: the real one by default; tests pass a fake they
 * advance by hand, so timeouts and offer ages are exact instead of raced against real time.
 */
export interface MeshTimers {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `callback` once, `ms` from now; returns a handle for clearTimeout (never undefined). */
  setTimeout(callback: () => void, ms: number): unknown;
  /** Cancels a handle `setTimeout` returned; a handle that already ran or was cancelled is ignored. */
  clearTimeout(handle: unknown): void;
}

const REAL_TIMERS: MeshTimers = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

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
  /** How long a ready offer is kept before it is replaced by a new one (default READY_OFFER_MAX_AGE_MS). */
  readonly readyOfferMaxAgeMs?: number;
  /**
   * An offer still unanswered this long when its peer announces again was lost (refused, say, by
   * someone who had blocked us and has just unblocked): it is dropped and a new one made, rather
   * than the announce ignored until the connect timeout.
   */
  readonly staleOfferMs?: number;
  /** The clock (default: Date.now and the global timers). */
  readonly timers?: MeshTimers;
}

export interface PeerMesh {
  /** Handles a payload from the signaling client. */
  handleSignal(payload: SignalPayload): void;
  /**
   * Tells the room we are here (on joining, and when below the connection cap); with `to`, asks that
   * one peer to offer now, replacing any offer of theirs we may have refused (an unblock).
   */
  announce(to?: string): void;
  /** Queues chunks to one connected peer (simple-peer applies backpressure on bufferedAmount). */
  send(peerId: string, chunks: readonly Uint8Array[]): void;
  /** The connected peer's writer, for a sender that respects its backpressure (link-sender.ts); null if not connected. */
  writer(peerId: string): ChunkWriter | null;
  connectedPeers(): string[];
  /** Drops one peer connection (e.g. the person was blocked). */
  disconnect(peerId: string): void;
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
}

const MAX_EARLY_CHUNKS = 256;
/**
 * A ready offer is replaced after this long, whether used or not, so one is always at hand but its
 * candidates never describe a network the device has since left (a phone moving off Wi-Fi).
 */
const READY_OFFER_MAX_AGE_MS = 5 * 60_000;

/** An initiator peer made before anyone asked for it; its signals (offer, candidates) are held until it is given to someone. */
interface ReadyOffer {
  readonly peer: PeerLike;
  readonly made: number;
  readonly held: unknown[];
  to: string | null;
  broken: boolean;
}

export function createPeerMesh(options: PeerMeshOptions): PeerMesh {
  const entries = new Map<string, Entry>();
  const timeoutMs = options.connectTimeoutMs ?? 20_000;
  const staleOfferMs = options.staleOfferMs ?? 3000;
  const readyMaxAgeMs = options.readyOfferMaxAgeMs ?? READY_OFFER_MAX_AGE_MS;
  const timers = options.timers ?? REAL_TIMERS;
  const cancel = (handle: unknown): void => {
    if (handle !== undefined) timers.clearTimeout(handle);
  };
  let destroyed = false;

  const remove = (peerId: string, entry: Entry): void => {
    if (entries.get(peerId) !== entry) return;
    entries.delete(peerId);
    cancel(entry.timer);
    entry.peer.destroy();
    if (entry.connected) options.onClose(peerId);
    scheduleReadyOffer();
  };

  let ready: ReadyOffer | null = null;
  let readyTimer: unknown;
  let refreshTimer: unknown;
  const scheduleReadyOffer = (): void => {
    const delay = options.readyOfferAfterMs;
    if (delay === undefined || destroyed || ready !== null || readyTimer !== undefined) return;
    readyTimer = timers.setTimeout(() => {
      readyTimer = undefined;
      if (destroyed || ready !== null || entries.size >= options.maxConnections) return;
      let peer: PeerLike;
      try {
        peer = options.createPeer(true);
      } catch {
        return;
      }
      const offer: ReadyOffer = { peer, made: timers.now(), held: [], to: null, broken: false };
      peer.on('signal', (signal) => {
        if (offer.to === null) offer.held.push(signal);
        else options.publish({ kind: 'signal', from: options.selfId, to: offer.to, signal });
      });
      peer.on('error', () => void (offer.broken = true));
      peer.on('close', () => void (offer.broken = true));
      ready = offer;
      refreshTimer = timers.setTimeout(() => {
        if (ready !== offer) return;
        ready = null;
        offer.peer.destroy();
        scheduleReadyOffer();
      }, readyMaxAgeMs);
    }, delay);
  };
  /** The ready offer for `peerId`, its held signals sent; null if there is none fit to use. */
  const takeReadyOffer = (peerId: string): ReadyOffer | null => {
    const offer = ready;
    ready = null;
    cancel(refreshTimer);
    scheduleReadyOffer();
    if (offer === null) return null;
    if (offer.broken || timers.now() - offer.made > readyMaxAgeMs) {
      offer.peer.destroy();
      return null;
    }
    offer.to = peerId;
    for (const signal of offer.held.splice(0)) options.publish({ kind: 'signal', from: options.selfId, to: peerId, signal });
    return offer;
  };

  const acceptLimit = options.maxConnections + Math.max(2, Math.ceil(options.maxConnections / 2));

  const open = (peerId: string, initiator: boolean): Entry | undefined => {
    if (entries.size >= (initiator ? options.maxConnections : acceptLimit)) return undefined;
    const readyOffer = initiator ? takeReadyOffer(peerId) : null;
    let peer: PeerLike;
    try {
      peer = readyOffer?.peer ?? options.createPeer(initiator);
    } catch {
      return undefined;
    }
    const entry: Entry = { peer, initiator, opened: timers.now(), connected: false, early: [], timer: timers.setTimeout(() => remove(peerId, entry), timeoutMs) };
    entries.set(peerId, entry);
    // A ready offer publishes its own signals (held ones already sent to this peer).
    if (readyOffer === null) peer.on('signal', (signal) => options.publish({ kind: 'signal', from: options.selfId, to: peerId, signal }));
    peer.on('connect', () => {
      if (entries.get(peerId) !== entry) return;
      entry.connected = true;
      cancel(entry.timer);
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
    peer.on('error', () => remove(peerId, entry));
    return entry;
  };

  scheduleReadyOffer();

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
        if (entries.size < options.maxConnections) open(payload.from, true);
        // At the offer cap but able to accept: ask the announcer, who is below its own cap, to offer.
        else if (payload.to === undefined && entries.size < acceptLimit) options.publish({ kind: 'announce', from: options.selfId, to: payload.from });
        return;
      }
      const isOffer = (payload.signal as { type?: unknown }).type === 'offer';
      // Glare: both offered at once. The smaller id's offer wins on both sides.
      if (isOffer && known !== undefined && known.initiator && !known.connected) {
        if (options.selfId < payload.from) return;
        remove(payload.from, known);
        known = undefined;
      }
      // A signal from an unknown peer must be an offer; anything else belongs to a connection we dropped.
      const entry = known ?? (isOffer ? open(payload.from, false) : undefined);
      if (entry === undefined) return;
      try {
        entry.peer.signal(payload.signal);
      } catch {
        remove(payload.from, entry);
      }
    },
    announce(to) {
      if (destroyed) return;
      if (to !== undefined) options.publish({ kind: 'announce', from: options.selfId, to });
      else if (entries.size < options.maxConnections) options.publish({ kind: 'announce', from: options.selfId });
    },
    writer(peerId) {
      const entry = entries.get(peerId);
      if (entry === undefined || !entry.connected) return null;
      const direct = entry.peer.channelWriter?.() ?? null;
      if (direct !== null) {
        return {
          write: (chunk) => {
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
      }
      return {
        write: (chunk) => {
          if (entries.get(peerId) !== entry) return true;
          try {
            return entry.peer.write(chunk);
          } catch {
            remove(peerId, entry);
            return true;
          }
        },
        onDrain: (listener) => void entry.peer.on('drain', listener),
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
    destroy() {
      destroyed = true;
      cancel(readyTimer);
      cancel(refreshTimer);
      ready?.peer.destroy();
      ready = null;
      for (const [peerId, entry] of [...entries]) remove(peerId, entry);
    },
  };
}
