/**
 * Replicates one room's Y.Doc and awareness between peers: our own provider on simple-peer and
 * y-protocols rather than y-webrtc, because y-webrtc sends data-channel traffic in clear, sends
 * each sync message whole (a history over 256 KiB never reaches a late joiner) and lets both
 * peers offer at once. Signaling stays the y-webrtc protocol, so any compatible node works.
 *
 * Every data-channel and tab message is sealed with the room's wire key and chunked
 * (wire-frames.ts). Updates are flooded: a peer forwards every update that was new to it to
 * its other peers, so a partial mesh converges.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import type * as Y from 'yjs';
import type { DropReason } from '../core/types.js';
import { filterAwarenessUpdate } from './awareness-filter.js';
import { createPeerMesh, type PeerLike, type PeerMesh } from './peer-mesh.js';
import { createSignalingClient, type SignalingClient, type SocketLike } from './signaling-client.js';
import { createReassembler, openFrame, sealAndChunk } from './wire-frames.js';

const MESSAGE_SYNC = 0;
const MESSAGE_AWARENESS = 1;
/** A peer's own awareness client id, so its presence can be dropped as soon as its connection closes. */
const MESSAGE_HELLO = 2;
/** "Send me your sync step 1": lets a peer that just learned things through a sync reply offer them by diff. */
const MESSAGE_SYNC_REQUEST = 3;
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

export interface RoomProvider {
  readonly selfId: string;
  status(): ProviderStatus;
  /** Drops the WebRTC connection to one peer. */
  disconnectPeer(peerId: string): void;
  destroy(): void;
}

function randomPeerId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

function syncUpdateMessage(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_SYNC);
  syncProtocol.writeUpdate(encoder, update);
  return encoding.toUint8Array(encoder);
}

function awarenessMessage(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_AWARENESS);
  encoding.writeVarUint8Array(encoder, update);
  return encoding.toUint8Array(encoder);
}

export function createRoomProvider(options: RoomProviderOptions): RoomProvider {
  const { doc, awareness } = options;
  const selfId = options.selfId ?? randomPeerId();
  const reassemblers = new Map<string, ReturnType<typeof createReassembler>>();
  /** Awareness client id each directly connected peer introduced itself with. */
  const peerClients = new Map<string, number>();
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
  const syncStep1 = (): Uint8Array => {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_SYNC);
    syncProtocol.writeSyncStep1(encoder, doc);
    return encoding.toUint8Array(encoder);
  };

  /** Handles one opened message from a peer or tab; `reply` answers the sender only. */
  const handleMessage = (origin: string, message: Uint8Array, reply: (message: Uint8Array) => void): void => {
    try {
      const decoder = decoding.createDecoder(message);
      const type = decoding.readVarUint(decoder);
      if (type === MESSAGE_SYNC) {
        const encoder = encoding.createEncoder();
        encoding.writeVarUint(encoder, MESSAGE_SYNC);
        const isReply = decoding.peekVarUint(decoder) === syncProtocol.messageYjsSyncStep2;
        syncProtocol.readSyncMessage(decoder, encoder, doc, isReply ? `${SYNC_REPLY_ORIGIN}${origin}` : origin);
        if (encoding.length(encoder) > 1) reply(encoding.toUint8Array(encoder));
      } else if (type === MESSAGE_SYNC_REQUEST) {
        reply(syncStep1());
      } else if (type === MESSAGE_HELLO) {
        peerClients.set(origin, decoding.readVarUint(decoder));
      } else if (type === MESSAGE_AWARENESS) {
        const filtered = filterAwarenessUpdate(decoding.readVarUint8Array(decoder), options.isValidPresence);
        if (filtered === null) return options.onDrop('presence', 'decode');
        for (let i = 0; i < filtered.dropped; i++) options.onDrop('presence', 'shape');
        if (filtered.update !== null) awarenessProtocol.applyAwarenessUpdate(awareness, filtered.update, origin);
      } else {
        options.onDrop('frame', 'unknown_type');
      }
    } catch {
      options.onDrop('frame', 'decode');
    }
  };

  /** Per sender, messages are opened one after another so they are handled in the order sent. */
  const opening = new Map<string, Promise<void>>();
  const receiveChunk = (origin: string, chunk: Uint8Array, reply: (message: Uint8Array) => void): void => {
    let reassemble = reassemblers.get(origin);
    if (reassemble === undefined) {
      reassemble = createReassembler();
      reassemblers.set(origin, reassemble);
    }
    const result = reassemble(chunk);
    if (result.kind === 'dropped') return options.onDrop('frame', result.reason);
    if (result.kind !== 'complete') return;
    const previous = opening.get(origin) ?? Promise.resolve();
    const next = previous.then(async () => {
      const message = await openFrame(options.wireKey, result.sealed);
      if (destroyed) return;
      if (message === null) options.onDrop('frame', 'decrypt');
      else whenReady(() => handleMessage(origin, message, reply));
    });
    opening.set(origin, next.catch(() => undefined));
  };

  const greet = (send: (message: Uint8Array) => void): void => {
    const hello = encoding.createEncoder();
    encoding.writeVarUint(hello, MESSAGE_HELLO);
    encoding.writeVarUint(hello, doc.clientID);
    send(encoding.toUint8Array(hello));
    send(syncStep1());
    const clients = [...awareness.getStates().keys()];
    if (clients.length > 0) send(awarenessMessage(awarenessProtocol.encodeAwarenessUpdate(awareness, clients)));
  };

  const signaling: SignalingClient = createSignalingClient({
    url: options.signalingUrl,
    topic: options.topic,
    signalKey: options.signalKey,
    createSocket: options.createSocket,
    onPayload: (payload) => mesh.handleSignal(payload),
    onStatus: (connected) => {
      signalingUp = connected;
      if (connected) mesh.announce();
      reportStatus();
    },
    onDrop: (reason) => options.onDrop('frame', reason),
  });

  const mesh: PeerMesh = createPeerMesh({
    selfId,
    maxConnections: options.maxConnections ?? 20,
    publish: (payload) => signaling.publish(payload),
    createPeer: options.createPeer,
    onConnect: (peerId) => {
      whenReady(() => greet((message) => sendTo(peerId, message)));
      reportStatus();
    },
    onData: (peerId, chunk) => receiveChunk(peerId, chunk, (message) => sendTo(peerId, message)),
    onClose: (peerId) => {
      reassemblers.delete(peerId);
      opening.delete(peerId);
      // The person behind a closed connection has most likely left: drop their presence now rather
      // than after awareness's 30 s timeout. If they are still here through another peer, their next
      // presence renewal (every 15 s) brings them back.
      const client = peerClients.get(peerId);
      peerClients.delete(peerId);
      if (client !== undefined && client !== doc.clientID) awarenessProtocol.removeAwarenessStates(awareness, [client], PEER_GONE_ORIGIN);
      reportStatus();
      mesh.announce();
    },
  });

  const tab: TabChannelLike | null = options.createTabChannel?.(`parley/${options.topic}`) ?? null;
  if (tab !== null) {
    tab.onmessage = (event) => {
      if (event.data instanceof Uint8Array) {
        tabSeen = true;
        receiveChunk(TAB_ORIGIN, event.data, postToTabs);
      }
    };
    // Always greet: an already open tab answers, and from then on both know the other is there.
    whenReady(() => greet(postToTabs));
  }

  const onDocUpdate = (update: Uint8Array, origin: unknown): void => {
    if (typeof origin === 'string' && origin.startsWith(SYNC_REPLY_ORIGIN)) {
      const request = encoding.createEncoder();
      encoding.writeVarUint(request, MESSAGE_SYNC_REQUEST);
      const message = encoding.toUint8Array(request);
      broadcast(() => message, origin.slice(SYNC_REPLY_ORIGIN.length));
      return;
    }
    broadcast(() => syncUpdateMessage(update), origin);
  };
  const onAwarenessUpdate = (changes: { added: number[]; updated: number[]; removed: number[] }, origin: unknown): void => {
    if (origin === PEER_GONE_ORIGIN) return;
    const changed = [...changes.added, ...changes.updated, ...changes.removed];
    broadcast(() => awarenessMessage(awarenessProtocol.encodeAwarenessUpdate(awareness, changed)), origin);
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
    disconnectPeer: (peerId) => mesh.disconnect(peerId),
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
