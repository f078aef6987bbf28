/**
 * A partial mesh of WebRTC peers (simple-peer), introduced through the signaling client.
 *
 * Who offers is decided by one rule, so two peers never offer to each other at once (y-webrtc
 * lets both offer and can deadlock when two join together): on a room-wide announce from X, a
 * peer offers if its id is smaller than X's and it is below its cap; otherwise, if it can still
 * accept, it answers with an announce addressed to X, and X offers. A peer offers up to
 * `maxConnections` and accepts offers up to half as many again, so a newcomer finds room even
 * when everyone else is at the cap. Updates still reach everyone: the provider floods them.
 */
import type { SignalPayload } from './signaling-client.js';

/** The part of a simple-peer instance used here. */
export interface PeerLike {
  signal(data: unknown): void;
  write(chunk: Uint8Array): boolean;
  destroy(): void;
  readonly connected: boolean;
  on(event: 'signal', listener: (data: unknown) => void): this;
  on(event: 'connect' | 'close', listener: () => void): this;
  on(event: 'data', listener: (data: Uint8Array) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
}

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
}

export interface PeerMesh {
  /** Handles a payload from the signaling client. */
  handleSignal(payload: SignalPayload): void;
  /** Tells the room we are here (on joining, and when below the connection cap). */
  announce(): void;
  /** Queues chunks to one connected peer (simple-peer applies backpressure on bufferedAmount). */
  send(peerId: string, chunks: readonly Uint8Array[]): void;
  connectedPeers(): string[];
  /** Drops one peer connection (e.g. the person was blocked). */
  disconnect(peerId: string): void;
  destroy(): void;
}

interface Entry {
  readonly peer: PeerLike;
  connected: boolean;
  /** Data can arrive before simple-peer reports 'connect' on this side; it is held until then. */
  early: Uint8Array[];
  readonly timer: ReturnType<typeof setTimeout>;
}

const MAX_EARLY_CHUNKS = 256;

export function createPeerMesh(options: PeerMeshOptions): PeerMesh {
  const entries = new Map<string, Entry>();
  const timeoutMs = options.connectTimeoutMs ?? 20_000;
  let destroyed = false;

  const remove = (peerId: string, entry: Entry): void => {
    if (entries.get(peerId) !== entry) return;
    entries.delete(peerId);
    clearTimeout(entry.timer);
    entry.peer.destroy();
    if (entry.connected) options.onClose(peerId);
  };

  const acceptLimit = options.maxConnections + Math.max(2, Math.ceil(options.maxConnections / 2));

  const open = (peerId: string, initiator: boolean): Entry | undefined => {
    if (entries.size >= (initiator ? options.maxConnections : acceptLimit)) return undefined;
    let peer: PeerLike;
    try {
      peer = options.createPeer(initiator);
    } catch {
      return undefined;
    }
    const entry: Entry = { peer, connected: false, early: [], timer: setTimeout(() => remove(peerId, entry), timeoutMs) };
    entries.set(peerId, entry);
    peer.on('signal', (signal) => options.publish({ kind: 'signal', from: options.selfId, to: peerId, signal }));
    peer.on('connect', () => {
      if (entries.get(peerId) !== entry) return;
      entry.connected = true;
      clearTimeout(entry.timer);
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

  return {
    handleSignal(payload) {
      if (destroyed || payload.from === options.selfId) return;
      if (payload.to !== undefined && payload.to !== options.selfId) return;
      const known = entries.get(payload.from);
      if (payload.kind === 'announce') {
        if (known !== undefined) return;
        if (payload.to !== undefined) {
          // X can accept us and asked us to offer.
          open(payload.from, true);
        } else if (options.selfId < payload.from && entries.size < options.maxConnections) {
          open(payload.from, true);
        } else if (entries.size < acceptLimit) {
          options.publish({ kind: 'announce', from: options.selfId, to: payload.from });
        }
        return;
      }
      // A signal from an unknown peer must be an offer; anything else belongs to a connection we dropped.
      const isOffer = (payload.signal as { type?: unknown }).type === 'offer';
      const entry = known ?? (isOffer ? open(payload.from, false) : undefined);
      if (entry === undefined) return;
      try {
        entry.peer.signal(payload.signal);
      } catch {
        remove(payload.from, entry);
      }
    },
    announce() {
      if (!destroyed && entries.size < options.maxConnections) options.publish({ kind: 'announce', from: options.selfId });
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
      for (const [peerId, entry] of [...entries]) remove(peerId, entry);
    },
  };
}
