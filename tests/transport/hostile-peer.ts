/**
 * A hostile peer for the transport tests: it joins the room with the right keys through a real
 * signaling node and real WebRTC (@roamhq/wrtc), then speaks the protocol by hand. It greets
 * like an honest peer (HELLO, sync step 1) and answers sync step 1 from its own document, so it
 * is "in"; after that it sends whatever a test tells it to, sealed with the wire key or raw.
 */
import wrtc from '@roamhq/wrtc';
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import { deriveRoomKeys } from '../../src/crypto/keys.js';
import { createPeerMesh } from '../../src/transport/peer-mesh.js';
import { createSignalingClient, type SocketLike } from '../../src/transport/signaling-client.js';
import { createPeerFactory } from '../../src/transport/simple-peer-factory.js';
import { createReassembler, openFrame, sealAndChunk } from '../../src/transport/wire-frames.js';
import { encodeHello, encodeSyncStep1, encodeSyncStep2, parseWireMessage, type WireMessage } from '../../src/transport/wire-messages.js';

export interface HostilePeerOptions {
  /** Awareness client id sent in HELLO; the doc's own by default. */
  readonly clientId?: number;
}

export interface HostilePeer {
  readonly selfId: string;
  readonly clientId: number;
  /** Its own document: updates crafted with it are valid Yjs. */
  readonly doc: Y.Doc;
  /** Peers whose sync step 1 it has answered. */
  readonly answered: Set<string>;
  /** Every raw chunk received, per peer, in order: material for replays. */
  readonly chunks: Map<string, Uint8Array[]>;
  /** Every message opened, per peer, in order. */
  readonly received: Map<string, WireMessage[]>;
  /** When set, answers the next sync step 1 with this message instead of an honest step 2. */
  nextStep1Answer: Uint8Array | null;
  connected(): string[];
  /** Seals every message, then writes all their chunks at once (a burst), in order. */
  send(peerId: string, messages: readonly Uint8Array[]): Promise<void>;
  /** Writes chunks on the data channel as they are, unsealed. */
  sendRaw(peerId: string, chunks: readonly Uint8Array[]): void;
  /** Announces itself to the room again (as after a reconnect). */
  announce(): void;
  destroy(): void;
}

export function createHostilePeer(signalingUrl: string, secret: Uint8Array, options: HostilePeerOptions = {}): HostilePeer {
  const keys = deriveRoomKeys(secret);
  const doc = new Y.Doc();
  const clientId = options.clientId ?? doc.clientID;
  const selfId = Array.from(crypto.getRandomValues(new Uint8Array(12)), (byte) => byte.toString(16).padStart(2, '0')).join('');
  const answered = new Set<string>();
  const chunks = new Map<string, Uint8Array[]>();
  const received = new Map<string, WireMessage[]>();
  const reassemblers = new Map<string, ReturnType<typeof createReassembler>>();
  let nextMessageId = 1;
  /** Sends go out in the order they were asked for, like the provider's. */
  let outgoing: Promise<void> = Promise.resolve();

  const send = (peerId: string, messages: readonly Uint8Array[]): Promise<void> => {
    const ids = messages.map(() => nextMessageId++);
    const sent = outgoing.then(async () => {
      const sealed = await Promise.all(messages.map((message, i) => sealAndChunk(keys.wireKey, message, ids[i] as number)));
      mesh.send(peerId, sealed.flat());
    });
    outgoing = sent.catch(() => undefined);
    return sent;
  };

  const handle = (peerId: string, message: WireMessage): void => {
    received.set(peerId, [...(received.get(peerId) ?? []), message]);
    if (message.kind !== 'sync-step1') return;
    const answer = hostile.nextStep1Answer ?? encodeSyncStep2(doc, message.stateVector);
    hostile.nextStep1Answer = null;
    void send(peerId, [answer]).then(() => answered.add(peerId));
  };

  const signaling = createSignalingClient({
    url: signalingUrl,
    topic: keys.topic,
    signalKey: keys.signalKey,
    createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
    onPayload: (payload) => mesh.handleSignal(payload),
    onStatus: (connected) => {
      if (connected) mesh.announce();
    },
    onDrop: () => undefined,
  });

  /** Per peer, messages are opened one after another so they are handled in the order sent. */
  const opening = new Map<string, Promise<void>>();
  const mesh = createPeerMesh({
    selfId,
    maxConnections: 20,
    publish: (payload) => signaling.publish(payload),
    createPeer: createPeerFactory({ wrtc }),
    onConnect: (peerId) => void send(peerId, [encodeHello(clientId), encodeSyncStep1(doc)]),
    onData: (peerId, chunk) => {
      chunks.set(peerId, [...(chunks.get(peerId) ?? []), chunk]);
      let reassemble = reassemblers.get(peerId);
      if (reassemble === undefined) {
        reassemble = createReassembler();
        reassemblers.set(peerId, reassemble);
      }
      const result = reassemble(chunk);
      if (result.kind !== 'complete') return;
      const next = (opening.get(peerId) ?? Promise.resolve()).then(async () => {
        const message = await openFrame(keys.wireKey, result.sealed);
        if (message !== null) handle(peerId, parseWireMessage(message));
      });
      opening.set(peerId, next.catch(() => undefined));
    },
    onClose: (peerId) => {
      reassemblers.delete(peerId);
      opening.delete(peerId);
    },
  });

  const hostile: HostilePeer = {
    selfId,
    clientId,
    doc,
    answered,
    chunks,
    received,
    nextStep1Answer: null,
    connected: () => mesh.connectedPeers(),
    send,
    sendRaw: (peerId, raw) => mesh.send(peerId, raw),
    announce: () => mesh.announce(),
    destroy() {
      mesh.destroy();
      signaling.close();
      doc.destroy();
    },
  };
  return hostile;
}
