/**
 * A hostile peer for the transport tests: it joins the room with the right keys through a real
 * signaling node and real WebRTC (@roamhq/wrtc), then speaks the protocol by hand. It greets like
 * an honest peer (a challenge, a proof of its own key when challenged, its state vector) and
 * streams what it holds when asked, so it is "in"; after that it sends whatever a test tells it
 * to, sealed with the wire key or raw.
 */
import wrtc from '@roamhq/wrtc';
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import { nextPiece, startHistory } from '../../src/core/history-pieces.js';
import { signLinkProof } from '../../src/core/link-proof.js';
import { createIdentity, type Identity } from '../../src/crypto/identity.js';
import { deriveRoomKeys } from '../../src/crypto/keys.js';
import { createPeerMesh } from '../../src/transport/peer-mesh.js';
import { createSignalingClient, type SocketLike } from '../../src/transport/signaling-client.js';
import { createPeerFactory } from '../../src/transport/simple-peer-factory.js';
import { createReassembler, openFrame, sealAndChunk } from '../../src/transport/wire-frames.js';
import { encodeHello, encodePiece, encodeProof, encodeStateVector, parseWireMessage, PIECE_BYTES, type WireMessage } from '../../src/transport/wire-messages.js';

export interface HostilePeerOptions {
  /** Client id it claims in its proofs; the doc's own by default. */
  readonly clientId?: number;
  readonly identity?: Identity;
  readonly adminKey?: Uint8Array;
}

export interface HostilePeer {
  readonly selfId: string;
  readonly clientId: number;
  readonly identity: Promise<Identity>;
  /** Its own document: updates crafted with it are valid Yjs. */
  readonly doc: Y.Doc;
  /** Peers whose state vector it has answered with its whole history. */
  readonly answered: Set<string>;
  /** Every raw chunk received, per peer, in order: material for replays. */
  readonly chunks: Map<string, Uint8Array[]>;
  /** Every message opened, per peer, in order. */
  readonly received: Map<string, WireMessage[]>;
  /** When set, answers the next state vector with these messages instead of an honest history. */
  nextHistoryAnswer: Uint8Array[] | null;
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
  const keys = deriveRoomKeys(secret, options.adminKey);
  const doc = new Y.Doc();
  const clientId = options.clientId ?? doc.clientID;
  const identity = options.identity === undefined ? createIdentity() : Promise.resolve(options.identity);
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

  /** Streams its whole history honestly, every piece at once (it does not wait for grants). */
  const answerHistory = (peerId: string, stateVector: Uint8Array): void => {
    const crafted = hostile.nextHistoryAnswer;
    hostile.nextHistoryAnswer = null;
    if (crafted !== null) {
      void send(peerId, crafted).then(() => answered.add(peerId));
      return;
    }
    const cursor = startHistory(doc, stateVector);
    if (cursor === null) return;
    const pieces: Uint8Array[] = [];
    for (let done = false; !done; ) {
      const piece = nextPiece(doc, cursor, PIECE_BYTES);
      pieces.push(encodePiece(piece.update, piece.last));
      done = piece.last;
    }
    void send(peerId, pieces).then(() => answered.add(peerId));
  };

  const handle = (peerId: string, message: WireMessage): void => {
    received.set(peerId, [...(received.get(peerId) ?? []), message]);
    if (message.kind === 'state-vector') answerHistory(peerId, message.stateVector);
    if (message.kind === 'hello') {
      void identity.then(async (me) => send(peerId, [encodeProof(clientId, me.publicKey, await signLinkProof(me, clientId, message.challenge))]));
    }
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
    onConnect: (peerId) => void send(peerId, [encodeHello(crypto.getRandomValues(new Uint8Array(16))), encodeStateVector(doc)]),
    onData: (peerId, chunk) => {
      chunks.set(peerId, [...(chunks.get(peerId) ?? []), chunk]);
      let reassembler = reassemblers.get(peerId);
      if (reassembler === undefined) {
        reassembler = createReassembler();
        reassemblers.set(peerId, reassembler);
      }
      const result = reassembler.push(chunk);
      if (result.kind !== 'complete') return;
      const next = (opening.get(peerId) ?? Promise.resolve()).then(async () => {
        const message = await openFrame(keys.wireKey, result.sealed);
        if (message !== null) handle(peerId, parseWireMessage(message));
      });
      opening.set(peerId, next.catch(() => undefined));
    },
    onClose: (peerId) => {
      reassemblers.get(peerId)?.clear();
      reassemblers.delete(peerId);
      opening.delete(peerId);
    },
  });

  const hostile: HostilePeer = {
    selfId,
    clientId,
    identity,
    doc,
    answered,
    chunks,
    received,
    nextHistoryAnswer: null,
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
