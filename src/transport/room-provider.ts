/**
 * Replicates one room's Y.Doc and awareness between peers: our own provider on simple-peer and
 * y-protocols rather than y-webrtc, because y-webrtc sends data-channel traffic in clear, sends
 * each sync message whole (a history over 256 KiB never reaches a late joiner) and lets both
 * peers offer at once. Signaling stays the y-webrtc protocol, so any compatible node works.
 *
 * Every data-channel and tab message is sealed with the room's wire key and chunked
 * (wire-frames.ts). Updates are flooded: a peer forwards every update that was new to it to
 * its other peers, so a partial mesh converges.
 *
 * Anyone with the link can connect, so what peers send is received through message-handler.ts,
 * which enforces per-peer limits (rate, what a live update may carry, sync replies only when
 * asked) and drops and counts whatever is malformed; the session can also cut one person off
 * (disconnectClient).
 */
import * as awarenessProtocol from 'y-protocols/awareness';
import type * as Y from 'yjs';
import type { DropReason } from '../core/types.js';
import { createMessageHandler, type Link } from './message-handler.js';
import { createPeerMesh, type PeerLike, type PeerMesh } from './peer-mesh.js';
import { createSignalingClient, type SignalingClient, type SocketLike } from './signaling-client.js';
import { sealAndChunk } from './wire-frames.js';
import { checkLiveUpdate, encodeAwareness, encodeSyncRequest, encodeSyncUpdate } from './wire-messages.js';

/**
 * Origin prefix of updates applied from a sync step 2 (a reply carrying what we lacked, possibly the
 * whole history). Those are not flooded like live updates: each other peer is asked for its state
 * vector instead, and gets only what it lacks.
 */
const SYNC_REPLY_ORIGIN = 'sync-reply:';
/** Transaction origin of updates that came from another tab of this browser. */
const TAB_ORIGIN = 'tab';
/** Origin of presence removals made locally when a direct peer leaves; these are not flooded. */
const PEER_GONE_ORIGIN = 'peer-gone';
const REANNOUNCE_MS = 20_000;
/** A ready offer is made this long after joining, off the joining page's busy first moments (peer-mesh.ts). */
const READY_OFFER_AFTER_MS = 1000;
/**
 * A peer cut off for flooding is refused this long (its offers and announces are ignored), so it
 * cannot reconnect at once and flood again; after that it may come back, since a buggy client
 * is more likely than a determined attacker (who can pick a fresh peer id anyway).
 */
export const FLOOD_COOLDOWN_MS = 30_000;
/** Refused peer ids remembered at once; the oldest is forgotten beyond it, so the list stays bounded. */
const MAX_REFUSED_PEERS = 1024;

/** The subset of BroadcastChannel used for tabs of one browser. */
export interface TabChannelLike {
  postMessage(message: Uint8Array): void;
  close(): void;
  onmessage: ((event: { data: unknown }) => void) | null;
}

export interface RoomProviderOptions {
  readonly doc: Y.Doc;
  readonly awareness: awarenessProtocol.Awareness;
  readonly signalingUrl: string;
  readonly topic: string;
  readonly signalKey: Uint8Array;
  readonly wireKey: Uint8Array;
  readonly createSocket: (url: string) => SocketLike;
  readonly createPeer: (initiator: boolean) => PeerLike;
  /** Null where tabs cannot exist (Node peers in tests). */
  readonly createTabChannel: ((name: string) => TabChannelLike) | null;
  readonly isValidPresence: (state: unknown) => boolean;
  readonly onDrop: (source: 'frame' | 'presence', reason: DropReason) => void;
  readonly onStatus?: (status: ProviderStatus) => void;
  readonly maxConnections?: number;
  readonly selfId?: string;
  /**
   * Resolves once the document holds this device's stored history. Signaling and WebRTC start at
   * once, in parallel with loading it; document sync waits for it, so peers are neither sent a
   * half-loaded state nor asked only for what a half-loaded document lacks.
   */
  readonly historyLoaded?: Promise<void>;
}

export interface ProviderStatus {
  readonly signaling: boolean;
  readonly peers: number;
}

/** Connection-level counts for diagnostics; dropped messages are reported through `onDrop`. */
export interface ProviderStats {
  /** Connections closed because the peer kept going over its rate limits. */
  readonly floodDisconnects: number;
  /** Connections closed by disconnectClient or because the peer introduced itself as a refused client. */
  readonly refusedConnections: number;
}

export interface RoomProvider {
  readonly selfId: string;
  status(): ProviderStatus;
  stats(): ProviderStats;
  /** Drops the WebRTC connection to one peer. */
  disconnectPeer(peerId: string): void;
  /**
   * Cuts one person off by awareness client id: closes the connection to the direct peer that
   * introduced itself (HELLO) with it, ignores that peer id's offers and announces from then on,
   * and closes any later connection right after its HELLO names this client id. Their updates
   * can still arrive relayed by other peers; refusing those is the session's job.
   */
  disconnectClient(clientId: number): void;
  /** Undoes disconnectClient (an unblock): that person's peers may connect again. */
  allowClient(clientId: number): void;
  destroy(): void;
}

function randomPeerId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** Creates the provider and starts connecting: signaling at once, document sync once the history is loaded. */
export function createRoomProvider(options: RoomProviderOptions): RoomProvider {
  const { doc, awareness } = options;
  const selfId = options.selfId ?? randomPeerId();
  /** Open links to direct peers, by peer id. */
  const links = new Map<string, Link>();
  /** Peer ids whose offers and announces are ignored, until when (ms since epoch; Infinity: for good). */
  const refusedPeers = new Map<string, number>();
  /** Awareness client ids cut off by disconnectClient. */
  const refusedClients = new Set<number>();
  /** Peer ids refused because of the client id they introduced, so an unblock can let them back. */
  const peersOfRefusedClients = new Map<number, string[]>();
  const rememberRefusal = (clientId: number | undefined, peerId: string): void => {
    if (clientId === undefined || !refusedClients.has(clientId)) return;
    peersOfRefusedClients.set(clientId, [...(peersOfRefusedClients.get(clientId) ?? []), peerId].slice(-16));
  };
  let floodDisconnects = 0;
  let refusedConnections = 0;
  let nextMessageId = 1;
  /** Whether another tab of this browser has spoken; until then nothing is posted to the tab channel. */
  let tabSeen = false;
  let signalingUp = false;
  let destroyed = false;
  let ready = options.historyLoaded === undefined;
  /** Work that touches the document, held until the stored history is in it. */
  const heldUntilReady: Array<() => void> = [];
  const whenReady = (work: () => void): void => {
    if (ready) work();
    else heldUntilReady.push(work);
  };

  const reportStatus = (): void => options.onStatus?.({ signaling: signalingUp, peers: mesh.connectedPeers().length });

  /**
   * Sealing is asynchronous (WebCrypto), so every outgoing message goes through one queue: each is
   * sealed and handed to its receivers in the order it was sent, as the sync protocol needs.
   */
  let outgoing: Promise<void> = Promise.resolve();
  const seal = (message: Uint8Array, deliver: (chunks: Uint8Array[]) => void): void => {
    const id = nextMessageId++;
    outgoing = outgoing.then(async () => {
      const chunks = await sealAndChunk(options.wireKey, message, id);
      if (!destroyed) deliver(chunks);
    }).catch(() => undefined);
  };
  const sendTo = (peerId: string, message: Uint8Array): void => seal(message, (chunks) => mesh.send(peerId, chunks));
  const postToTabs = (message: Uint8Array): void => {
    if (tab !== null) seal(message, (chunks) => chunks.forEach((chunk) => tab.postMessage(chunk)));
  };
  /** Sends to every peer but `except` (and to other tabs unless it came from one); builds the message only if someone listens. */
  const broadcast = (build: () => Uint8Array, except: unknown): void => {
    const peers = mesh.connectedPeers().filter((peerId) => peerId !== except);
    const toTabs = tabSeen && except !== TAB_ORIGIN;
    if (peers.length === 0 && !toTabs) return;
    const message = build();
    // Seal once; the chunks are identical for every receiver.
    if (peers.length > 0) seal(message, (chunks) => peers.forEach((peerId) => mesh.send(peerId, chunks)));
    if (toTabs) postToTabs(message);
  };

  const isRefusedPeer = (peerId: string): boolean => {
    const until = refusedPeers.get(peerId);
    if (until === undefined) return false;
    if (Date.now() < until) return true;
    refusedPeers.delete(peerId);
    return false;
  };
  /** Closes the link to `peerId` and ignores its offers and announces for `forMs`. */
  const refusePeer = (peerId: string, forMs: number): void => {
    refusedPeers.delete(peerId);
    if (refusedPeers.size >= MAX_REFUSED_PEERS) {
      const oldest = refusedPeers.keys().next().value;
      if (oldest !== undefined) refusedPeers.delete(oldest);
    }
    refusedPeers.set(peerId, Date.now() + forMs);
    mesh.disconnect(peerId);
  };

  const handler = createMessageHandler({
    doc,
    awareness,
    wireKey: options.wireKey,
    isValidPresence: options.isValidPresence,
    onDrop: options.onDrop,
    whenReady,
    replyOrigin: (origin) => `${SYNC_REPLY_ORIGIN}${origin}`,
    cutOff: (link, why) => {
      if (link.trusted) return;
      if (why === 'flood') floodDisconnects++;
      else refusedConnections++;
      refusePeer(link.origin, why === 'flood' ? FLOOD_COOLDOWN_MS : Infinity);
      if (why !== 'flood') rememberRefusal(link.clientId, link.origin);
    },
    isRefusedClient: (clientId) => refusedClients.has(clientId),
    isDestroyed: () => destroyed,
  });

  let meshReady = false;
  const signaling: SignalingClient = createSignalingClient({
    url: options.signalingUrl,
    topic: options.topic,
    signalKey: options.signalKey,
    createSocket: options.createSocket,
    onPayload: (payload) => {
      if (isRefusedPeer(payload.from)) {
        // Count attempts to connect (announces, offers), not the answers and candidates of a closed one.
        const isOffer = payload.kind === 'signal' && (payload.signal as { type?: unknown }).type === 'offer';
        if (payload.kind === 'announce' || isOffer) options.onDrop('frame', 'refused');
        return;
      }
      mesh.handleSignal(payload);
    },
    onStatus: (connected) => {
      signalingUp = connected;
      // A socket opened ahead of time is up before the mesh below exists: announced once it does.
      if (!meshReady) return;
      if (connected) mesh.announce();
      reportStatus();
    },
    onDrop: (reason) => options.onDrop('frame', reason),
  });

  const mesh: PeerMesh = createPeerMesh({
    selfId,
    maxConnections: options.maxConnections ?? 20,
    readyOfferAfterMs: READY_OFFER_AFTER_MS,
    publish: (payload) => signaling.publish(payload),
    createPeer: options.createPeer,
    onConnect: (peerId) => {
      const link = handler.createLink(peerId, false, (message) => sendTo(peerId, message));
      links.set(peerId, link);
      whenReady(() => handler.greet(link));
      reportStatus();
    },
    onData: (peerId, chunk) => {
      const link = links.get(peerId);
      if (link !== undefined) handler.receiveChunk(link, chunk);
    },
    onClose: (peerId) => {
      const link = links.get(peerId);
      links.delete(peerId);
      if (link !== undefined) handler.closeLink(link);
      // The person behind a closed connection has most likely left: drop their presence now rather
      // than after awareness's 30 s timeout. If they are still here through another peer, their next
      // presence renewal (every 15 s) brings them back.
      const client = link?.clientId;
      if (client !== undefined && client !== doc.clientID) awarenessProtocol.removeAwarenessStates(awareness, [client], PEER_GONE_ORIGIN);
      reportStatus();
      mesh.announce();
    },
  });

  meshReady = true;
  if (signalingUp) {
    mesh.announce();
    reportStatus();
  }

  const tab: TabChannelLike | null = options.createTabChannel?.(`parley/${options.topic}`) ?? null;
  if (tab !== null) {
    const tabLink = handler.createLink(TAB_ORIGIN, true, postToTabs);
    tab.onmessage = (event) => {
      if (event.data instanceof Uint8Array) {
        tabSeen = true;
        handler.receiveChunk(tabLink, event.data);
      }
    };
    // Always greet: an already open tab answers, and from then on both know the other is there.
    whenReady(() => handler.greet(tabLink));
  }

  const onDocUpdate = (update: Uint8Array, origin: unknown): void => {
    // A sync reply, or a transaction bigger than peers accept as a live update (wire-messages.ts):
    // ask the others for their state vectors, so each gets it by diff as a sync step 2.
    const isReply = typeof origin === 'string' && origin.startsWith(SYNC_REPLY_ORIGIN);
    if (isReply || checkLiveUpdate(update) !== null) {
      broadcast(encodeSyncRequest, isReply ? origin.slice(SYNC_REPLY_ORIGIN.length) : origin);
      return;
    }
    broadcast(() => encodeSyncUpdate(update), origin);
  };
  const onAwarenessUpdate = (changes: { added: number[]; updated: number[]; removed: number[] }, origin: unknown): void => {
    if (origin === PEER_GONE_ORIGIN) return;
    const changed = [...changes.added, ...changes.updated, ...changes.removed];
    broadcast(() => encodeAwareness(awarenessProtocol.encodeAwarenessUpdate(awareness, changed)), origin);
  };
  // Updates made while loading are the stored history itself: peers get it through sync, not a broadcast.
  whenReady(() => doc.on('update', onDocUpdate));
  awareness.on('update', onAwarenessUpdate);
  options.historyLoaded?.then(() => {
    if (destroyed) return;
    ready = true;
    for (const work of heldUntilReady.splice(0)) work();
  }, () => undefined);

  const reannounce = setInterval(() => mesh.announce(), REANNOUNCE_MS);
  // Leaving the page: tell peers we are gone and close the connections cleanly, so they see the
  // departure at once instead of after WebRTC's own timeouts.
  const onUnload = (): void => {
    awarenessProtocol.removeAwarenessStates(awareness, [doc.clientID], 'window unload');
    mesh.destroy();
  };
  globalThis.addEventListener?.('pagehide', onUnload);

  return {
    selfId,
    status: () => ({ signaling: signalingUp, peers: mesh.connectedPeers().length }),
    stats: () => ({ floodDisconnects, refusedConnections }),
    disconnectPeer: (peerId) => mesh.disconnect(peerId),
    disconnectClient(clientId) {
      refusedClients.add(clientId);
      for (const link of [...links.values()]) {
        if (link.clientId !== clientId) continue;
        refusedConnections++;
        refusePeer(link.origin, Infinity);
        rememberRefusal(clientId, link.origin);
      }
    },
    allowClient(clientId) {
      if (!refusedClients.delete(clientId)) return;
      const peers = peersOfRefusedClients.get(clientId) ?? [];
      for (const peerId of peers) refusedPeers.delete(peerId);
      peersOfRefusedClients.delete(clientId);
      // Their side may hold an offer we refused, unanswered: ask those peers by name for a new one,
      // which replaces it at once. Only that: a room-wide announce as well could reach them first,
      // replace a stale offer too, and leave two offers crossing with their answers.
      if (peers.length === 0) mesh.announce();
      for (const peerId of peers) mesh.announce(peerId);
    },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      clearInterval(reannounce);
      globalThis.removeEventListener?.('pagehide', onUnload);
      awarenessProtocol.removeAwarenessStates(awareness, [doc.clientID], 'window unload');
      doc.off('update', onDocUpdate);
      awareness.off('update', onAwarenessUpdate);
      mesh.destroy();
      signaling.close();
      tab?.close();
    },
  };
}
