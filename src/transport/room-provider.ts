/**
 * Replicates one room's Y.Doc and presence between peers: our own provider on simple-peer rather
 * than y-webrtc, because y-webrtc sends data-channel traffic in clear, sends each sync message
 * whole (a history over 256 KiB never reaches a late joiner) and lets both peers offer at once.
 * Signaling stays the y-webrtc protocol, so any compatible node works.
 *
 * Every data-channel and tab message is sealed with the room's wire key and chunked
 * (wire-frames.ts), and queued per link within a byte budget, respecting the channel's
 * backpressure (link-sender.ts). Live updates are flooded: a peer forwards every update that was
 * new to it to its other peers, so a partial mesh converges. Histories are streamed in bounded
 * pieces (history-stream.ts), from one peer at a time (history-requests.ts).
 *
 * Anyone with the link can connect, so what peers send is received through message-handler.ts,
 * which enforces per-peer limits and admits document updates before applying them; the session
 * can also cut one person off by key (disconnectKey).
 */
import type * as Y from 'yjs';
import { presenceId, type PresenceChange, type PresenceTable } from '../core/presence-table.js';
import type { DropReason } from '../core/types.js';
import { toHex } from '../crypto/encoding.js';
import type { Identity } from '../crypto/identity.js';
import { createHistoryRequests } from './history-requests.js';
import { createHistoryResponder } from './history-stream.js';
import { createLink, type Link } from './link.js';
import { createLinkSender, type LinkSender } from './link-sender.js';
import { createMessageHandler, type AdmitMode, type AdmitResult, type AdmitSource } from './message-handler.js';
import { createConnectivity, type ConnectivityEvent } from './connectivity.js';
import { createMediaLinks, type MediaLinks } from './media-links.js';
import { createFileLinks, type FileLinks } from './file-links.js';
import { createPeerMesh, type PeerLike, type PeerMesh } from './peer-mesh.js';
import type { ConnectionPath } from './simple-peer-factory.js';
import { createPresenceSync } from './presence-sync.js';
import { createRefusals } from './refusals.js';
import { createSignalingClient, type SignalingClient, type SocketLike } from './signaling-client.js';
import { ReassemblyBudget } from './wire-frames.js';
import { createOutgoing } from './outgoing.js';
import { createHistoryGate } from './history-gate.js';
import { checkLiveUpdate, encodeLiveUpdate, encodePresence, encodeSyncRequest } from './wire-messages.js';

/** Origin prefix of updates applied from a history piece: not flooded; the others are asked for their state vectors instead. */
const HISTORY_ORIGIN = 'history:';
/** Transaction origin of updates that came from another tab of this browser. */
const TAB_ORIGIN = 'tab';
/** Origin of presence removals made locally when a direct peer leaves; these are not flooded. */
const PEER_GONE_ORIGIN = 'peer-gone';
const REANNOUNCE_MS = 20_000;
const STALL_CHECK_MS = 2_000;
/** A ready offer is made this long after joining, off the joining page's busy first moments (peer-mesh.ts). */
const READY_OFFER_AFTER_MS = 1000;
/**
 * A peer cut off for flooding is refused this long (its offers and announces are ignored), so it
 * cannot reconnect at once and flood again; after that it may come back, since a buggy client
 * is more likely than a determined attacker (who can pick a fresh peer id anyway).
 */
export const FLOOD_COOLDOWN_MS = 30_000;

/** The subset of BroadcastChannel used for tabs of one browser. */
export interface TabChannelLike {
  postMessage(message: Uint8Array): void;
  close(): void;
  onmessage: ((event: { data: unknown }) => void) | null;
}

export interface RoomProviderOptions {
  readonly doc: Y.Doc;
  /** Verified presence (core/presence-table.ts); this provider relays its changes and feeds it what peers send. */
  readonly presence: PresenceTable;
  /** This device's identity and presence client id, once loaded (link proofs). */
  readonly whoAmI: () => Promise<{ readonly identity: Identity; readonly clientId: number }>;
  readonly signalingUrl: string;
  readonly topic: string;
  readonly signalKey: Uint8Array;
  readonly wireKey: Uint8Array;
  readonly createSocket: (url: string) => SocketLike;
  readonly createPeer: (initiator: boolean) => PeerLike;
  /** Null where tabs cannot exist (Node peers in tests). */
  readonly createTabChannel: ((name: string) => TabChannelLike) | null;
  /** Checks every document update from a peer before it is applied (core/doc-admission.ts). */
  readonly admit?: (update: Uint8Array, mode: AdmitMode, from: AdmitSource) => Promise<AdmitResult>;
  /** The newest messages, sent ahead of a long history (the asker shows them first). */
  readonly preview?: () => Uint8Array | null;
  readonly onPreview?: (preview: Uint8Array) => void;
  /** A history this device asked for is in. */
  readonly onHistoryDone?: () => void;
  readonly onDrop: (source: 'frame' | 'presence' | 'update', reason: DropReason) => void;
  readonly onStatus?: (status: ProviderStatus) => void;
  /** Connections made, failed, restarted (connectivity.ts). */
  readonly onConnectivity?: (event: ConnectivityEvent) => void;
  /** Whether a ready offer may be made now (ready-offer.ts: not while the node offers a relay). */
  readonly readyOfferAllowed?: () => boolean;
  readonly maxConnections?: number;
  readonly selfId?: string;
  /** Milliseconds (monotonic); injected by tests. */
  readonly now?: () => number;
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
  /** Connections closed because the peer kept breaking the limits. */
  readonly floodDisconnects: number;
  /** Connections closed by disconnectKey or because the peer proved to be a refused key. */
  readonly refusedConnections: number;
  /** The peer whose history is streaming in now, if any. */
  readonly historyFrom: string | null;
}

export interface RoomProvider {
  readonly selfId: string;
  status(): ProviderStatus;
  stats(): ProviderStats;
  /** Drops the WebRTC connection to one peer. */
  disconnectPeer(peerId: string): void;
  /**
   * Cuts one person off by key: closes every connection whose peer proved that key, ignores those
   * peer ids' offers and announces from then on, and closes any later connection right after its
   * proof names this key. Their updates can still arrive relayed by others; refusing those is the
   * session's job.
   */
  disconnectKey(key: string): void;
  /** Undoes disconnectKey (an unblock): that person's peers may connect again. */
  allowKey(key: string): void;
  /** How each directly connected member's traffic travels, by their proven key. */
  paths(): Promise<Record<string, ConnectionPath>>;
  /** New ICE servers or policy (refreshed credentials; relay-only turned on): `restart` moves live connections to it now. */
  reconfigure(configuration: RTCConfiguration, restart: boolean): void;
  /** The network changed: check the node still hears us and restart ICE on every connection. */
  networkChanged(): void;
  /** Closes the connections that proved `key` now, refusing them for a while (a kick: they may come back). */
  dropKey(key: string): void;
  /** The connections as calls use them (media-links.ts). */
  readonly media: MediaLinks;
  /** The connections as file transfers use them (file-links.ts). */
  readonly files: FileLinks;
  destroy(): void;
}

const randomPeerId = (): string => toHex(crypto.getRandomValues(new Uint8Array(12)));

/** Creates the provider and starts connecting: signaling at once, document sync once the history is loaded. */
export function createRoomProvider(options: RoomProviderOptions): RoomProvider {
  const { doc } = options;
  const now = options.now ?? ((): number => performance.now());
  const selfId = options.selfId ?? randomPeerId();
  const budget = new ReassemblyBudget();
  /** Open links to direct peers, by peer id, with their send queues. */
  const links = new Map<string, { readonly link: Link; readonly sender: LinkSender; readonly bulk: LinkSender | null }>();
  let floodDisconnects = 0;
  let refusedConnections = 0;
  /** Whether another tab of this browser has spoken; until then nothing is posted to the tab channel. */
  let tabSeen = false;
  let signalingUp = false;
  let destroyed = false;
  /** In the room's call: announces say so, and call members connect beyond the caps. */
  let inCall = false;
  const { whenReady } = createHistoryGate(options.historyLoaded, () => destroyed, () => options.onDrop('update', 'budget'));

  const reportStatus = (): void => options.onStatus?.({ signaling: signalingUp, peers: mesh.connectedPeers().length });

  const outgoing = createOutgoing({
    wireKey: options.wireKey,
    senderOf: (peerId) => links.get(peerId)?.sender,
    bulkSenderOf: (peerId) => links.get(peerId)?.bulk ?? undefined,
    peers: () => mesh.connectedPeers().filter((peerId) => links.has(peerId)),
    postChunk: (chunk) => tab?.postMessage(chunk),
    tabsListening: () => tabSeen,
    tabOrigin: TAB_ORIGIN,
    overBudget: (peerId) => {
      options.onDrop('frame', 'budget');
      mesh.disconnect(peerId);
    },
    isDestroyed: () => destroyed,
  });
  const { sendTo, postToTabs, broadcast } = outgoing;

  const refusals = createRefusals(now);
  /** Closes the link to `peerId` and ignores its offers and announces for `forMs`. */
  const refusePeer = (peerId: string, forMs: number, key?: string): void => {
    refusals.refusePeer(peerId, forMs, key);
    mesh.disconnect(peerId);
  };

  const presenceSync = createPresenceSync(options.presence, (reason) => options.onDrop('presence', reason));
  const history = createHistoryResponder({ doc, ...(options.preview === undefined ? {} : { preview: options.preview }) });
  const requests = createHistoryRequests((link) => handler.requestHistory(link), now);
  const handler = createMessageHandler({
    doc,
    presence: presenceSync,
    wireKey: options.wireKey,
    whoAmI: options.whoAmI,
    ...(options.admit === undefined ? {} : { admit: options.admit }),
    ...(options.onPreview === undefined ? {} : { onPreview: options.onPreview }),
    history,
    onDrop: options.onDrop,
    whenReady,
    historyOrigin: (origin) => `${HISTORY_ORIGIN}${origin}`,
    cutOff: (link, why) => {
      if (link.trusted) return;
      if (why === 'flood') floodDisconnects++;
      else refusedConnections++;
      refusePeer(link.origin, why === 'flood' ? FLOOD_COOLDOWN_MS : Infinity, why === 'refused' ? link.proven?.key : undefined);
    },
    isRefusedKey: (key) => refusals.isRefusedKey(key),
    onProven: () => {
      media.changed();
      files.changed();
    },
    onFile: (link, message) => {
      if (link.proven !== null) files.deliver(link.origin, link.proven.key, message);
    },
    onMedia: (link, text) => {
      if (link.proven !== null) media.deliver(link.origin, link.proven.key, text);
    },
    onSyncRequest: (link) => requests.add(link),
    onHistoryDone: (link) => {
      requests.done(link);
      options.onHistoryDone?.();
      // What came in may be news to the others: each is asked for its state vector and gets only what it lacks.
      broadcast(encodeSyncRequest, link.origin);
    },
    isDestroyed: () => destroyed,
    now,
  });

  const provenPeers = (): Map<string, string> => {
    const proven = new Map<string, string>();
    for (const [peerId, { link }] of links) if (link.proven !== null) proven.set(peerId, link.proven.key);
    return proven;
  };
  const files = createFileLinks({
    peers: provenPeers,
    sendTo: (peerId, message, bulk) => (bulk ? outgoing.sendBulkTo(peerId, message) : sendTo(peerId, message)),
    whenLow: (peerId, listener) => {
      const entry = links.get(peerId);
      // A link that is gone never drains: answered at once, the caller sees the peer is gone.
      if (entry === undefined) listener();
      else (entry.bulk ?? entry.sender).whenLow(listener);
    },
    strike: (peerId, weight) => {
      const entry = links.get(peerId);
      if (entry !== undefined) handler.strike(entry.link, weight);
    },
  });

  const media = createMediaLinks({
    peers: provenPeers,
    connection: (peerId) => (links.has(peerId) ? mesh.mediaConnection(peerId) : null),
    sendTo: (peerId, message) => sendTo(peerId, message),
    setInCall: (value) => {
      inCall = value;
      if (value) mesh.announce(undefined, true);
    },
  });

  /** A new link (peer or tabs): greeted at once, asked for history once this device's own is loaded. */
  const openLink = (origin: string, trusted: boolean, send: (message: Uint8Array) => void, whenLow: (listener: () => void) => void): Link => {
    const link: Link = createLink({ origin, trusted, send, whenLow, budget, now, onExpired: () => {
      options.onDrop('frame', 'expired');
      handler.strike(link);
    } });
    handler.greet(link);
    void whenReady(() => requests.add(link));
    return link;
  };

  let meshReady = false;
  const connectivity = createConnectivity(options.whoAmI, () => signaling, options.onConnectivity);
  const signaling: SignalingClient = createSignalingClient({
    url: options.signalingUrl,
    topic: options.topic,
    signalKey: options.signalKey,
    createSocket: options.createSocket,
    onPayload: (payload) => {
      if (refusals.isRefusedPeer(payload.from)) {
        // Count attempts to connect (announces, offers), not the answers and candidates of a closed one.
        const isOffer = payload.kind === 'signal' && (payload.signal as { type?: unknown }).type === 'offer';
        if (payload.kind === 'announce' || isOffer) options.onDrop('frame', 'refused');
        return;
      }
      connectivity.incoming(payload);
      mesh.handleSignal(payload);
    },
    onStatus: (connected) => {
      signalingUp = connected;
      // A socket opened ahead of time is up before the mesh below exists: announced once it does.
      if (!meshReady) return;
      if (connected) {
        mesh.announce();
        if (inCall) mesh.announce(undefined, true);
        mesh.signalingBack();
      }
      reportStatus();
    },
    onDrop: (reason) => options.onDrop('frame', reason),
  });

  const mesh: PeerMesh = createPeerMesh({
    selfId,
    maxConnections: options.maxConnections ?? 20,
    readyOfferAfterMs: READY_OFFER_AFTER_MS,
    ...(options.readyOfferAllowed === undefined ? {} : { readyOfferAllowed: options.readyOfferAllowed }),
    publish: (payload) => signaling.publish(connectivity.outgoing(payload)),
    createPeer: options.createPeer,
    onConnectFailed: (peerId, cause) => connectivity.connectFailed(peerId, cause),
    onRestart: (peerId, outcome) => connectivity.restarted(peerId, outcome),
    inCall: () => inCall,
    onConnect: (peerId) => {
      const writer = mesh.writer(peerId);
      if (writer === null) return;
      const sender = createLinkSender(writer);
      const link = openLink(peerId, false, (message) => sendTo(peerId, message), (listener) => sender.whenLow(listener));
      const bulkWriter = mesh.bulkWriter(peerId, (chunk) => handler.receiveBulkChunk(link, chunk));
      links.set(peerId, { link, sender, bulk: bulkWriter === null ? null : createLinkSender(bulkWriter) });
      connectivity.connected(peerId);
      reportStatus();
    },
    onData: (peerId, chunk) => {
      const entry = links.get(peerId);
      if (entry !== undefined) handler.receiveChunk(entry.link, chunk);
    },
    onClose: (peerId) => {
      const entry = links.get(peerId);
      links.delete(peerId);
      if (entry !== undefined) {
        entry.sender.close();
        entry.bulk?.close();
        handler.closeLink(entry.link);
        requests.remove(entry.link);
        // The person behind a closed connection has most likely left: drop their presence now rather
        // than after the timeout. If they are still here through another peer, their next renewal
        // (every 15 s) brings them back.
        const proven = entry.link.proven;
        if (proven !== null) options.presence.remove(presenceId(proven.clientId, proven.key), PEER_GONE_ORIGIN);
        media.changed();
        files.changed();
      }
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
    const tabLink = openLink(TAB_ORIGIN, true, postToTabs, (listener) => void setTimeout(listener, 0));
    tab.onmessage = (event) => {
      if (event.data instanceof Uint8Array) {
        tabSeen = true;
        handler.receiveChunk(tabLink, event.data);
      }
    };
  }

  const onDocUpdate = (update: Uint8Array, origin: unknown): void => {
    // A history piece, or a transaction bigger than peers accept as a live update (wire-messages.ts):
    // the others are asked for their state vectors, and each gets what it lacks as a history.
    if (typeof origin === 'string' && origin.startsWith(HISTORY_ORIGIN)) return;
    if (checkLiveUpdate(update) !== null) return broadcast(encodeSyncRequest, origin);
    broadcast(() => encodeLiveUpdate(update), origin);
  };
  const onPresence = (change: PresenceChange, origin: unknown): void => {
    if (origin === PEER_GONE_ORIGIN || change.records.length === 0) return;
    broadcast(() => encodePresence(presenceSync.encode(change.records)), origin);
  };
  // Updates made while loading are the stored history itself: peers get it through sync, not a broadcast.
  void whenReady(() => void doc.on('update', onDocUpdate));
  const stopPresence = options.presence.onChange(onPresence);

  const reannounce = setInterval(() => {
    mesh.announce();
    if (inCall) mesh.announce(undefined, true);
  }, REANNOUNCE_MS);
  const stallCheck = setInterval(() => {
    const stalled = requests.checkStalled();
    if (stalled !== null) {
      options.onDrop('update', 'expired');
      handler.strike(stalled, 10);
    }
  }, STALL_CHECK_MS);
  // Leaving the page: close the connections cleanly, so peers see the departure at once instead of
  // after WebRTC's own timeouts.
  const onUnload = (): void => mesh.destroy();
  globalThis.addEventListener?.('pagehide', onUnload);
  const networkChanged = (): void => {
    signaling.probe();
    mesh.networkChanged();
  };
  globalThis.addEventListener?.('online', networkChanged);

  return {
    selfId,
    status: () => ({ signaling: signalingUp, peers: mesh.connectedPeers().length }),
    stats: () => ({ floodDisconnects, refusedConnections, historyFrom: requests.current()?.origin ?? null }),
    disconnectPeer: (peerId) => mesh.disconnect(peerId),
    disconnectKey(key) {
      refusals.refuseKey(key);
      for (const { link } of [...links.values()]) {
        if (link.proven?.key !== key) continue;
        refusedConnections++;
        refusePeer(link.origin, Infinity, key);
      }
    },
    dropKey(key) {
      for (const { link } of [...links.values()]) if (link.proven?.key === key) refusePeer(link.origin, FLOOD_COOLDOWN_MS);
      // Their tabs open now are gone for good here, even if a member who has not applied the kick yet
      // relays one more renewal; a new tab of theirs is a new entry, and welcome.
      for (const id of options.presence.idsOf(key)) options.presence.retire(id, PEER_GONE_ORIGIN);
    },
    allowKey(key) {
      const peers = refusals.allowKey(key);
      if (peers === null) return;
      // Their side may hold an offer we refused, unanswered: ask those peers by name for a new one,
      // which replaces it at once. Only that: a room-wide announce as well could reach them first,
      // replace a stale offer too, and leave two offers crossing with their answers.
      if (peers.length === 0) mesh.announce();
      for (const peerId of peers) mesh.announce(peerId);
    },
    paths: () => connectivity.paths(mesh, media.links.peers()),
    media: media.links,
    files: files.links,
    reconfigure: (configuration, restart) => mesh.reconfigure(configuration, restart),
    networkChanged,
    destroy() {
      if (destroyed) return;
      destroyed = true;
      clearInterval(reannounce);
      clearInterval(stallCheck);
      globalThis.removeEventListener?.('pagehide', onUnload);
      globalThis.removeEventListener?.('online', networkChanged);
      doc.off('update', onDocUpdate);
      stopPresence();
      for (const { sender, bulk } of links.values()) {
        sender.close();
        bulk?.close();
      }
      mesh.destroy();
      signaling.close();
      tab?.close();
    },
  };
}
