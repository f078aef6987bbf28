/**
 * How a room's messages leave this device: sealed with the wire key and chunked, in the order they
 * were sent (sealing is asynchronous, WebCrypto, and the sync protocol needs the order kept), then
 * queued per link within its byte budget (link-sender.ts) or posted to this browser's other tabs.
 */
import type { LinkSender } from './link-sender.js';
import { sealAndChunk } from './wire-frames.js';

export interface OutgoingOptions {
  readonly wireKey: Uint8Array;
  /** The send queue of a connected peer, if it has one. */
  readonly senderOf: (peerId: string) => LinkSender | undefined;
  /** The send queue of a connected peer's files channel, if it has one (else bulk goes on the main queue). */
  readonly bulkSenderOf?: (peerId: string) => LinkSender | undefined;
  /** Connected peers with a send queue. */
  readonly peers: () => string[];
  /** Posts a chunk to the other tabs; null when there is no tab channel. */
  readonly postChunk: ((chunk: Uint8Array) => void) | null;
  /** Whether another tab has spoken (until then nothing is posted). */
  readonly tabsListening: () => boolean;
  /** The origin of messages that came from another tab (not echoed back to the tabs). */
  readonly tabOrigin: string;
  /** A peer whose queue went over its budget: it cannot keep up, and is dropped (it may reconnect). */
  readonly overBudget: (peerId: string) => void;
  readonly isDestroyed: () => boolean;
}

export interface Outgoing {
  sendTo(peerId: string, message: Uint8Array): void;
  /** Sends a piece of a file on the peer's files channel (on the main one where there is none). */
  sendBulkTo(peerId: string, message: Uint8Array): void;
  postToTabs(message: Uint8Array): void;
  /** Sends to every peer but `except` (and to other tabs unless it came from one); builds the message only if someone listens. */
  broadcast(build: () => Uint8Array, except: unknown): void;
}

export function createOutgoing(options: OutgoingOptions): Outgoing {
  let nextMessageId = 1;
  let queue: Promise<void> = Promise.resolve();
  /** Pieces of files are sealed in a chain of their own: a text message is never sealed after them. */
  let bulkQueue: Promise<void> = Promise.resolve();
  const seal = (message: Uint8Array, deliver: (chunks: Uint8Array[]) => void, bulk = false): void => {
    const id = nextMessageId++;
    const sealed = (bulk ? bulkQueue : queue).then(async () => {
      const chunks = await sealAndChunk(options.wireKey, message, id);
      if (!options.isDestroyed()) deliver(chunks);
    }).catch(() => undefined);
    if (bulk) bulkQueue = sealed;
    else queue = sealed;
  };
  const queueTo = (peerId: string, chunks: Uint8Array[], bulk = false): void => {
    const sender = (bulk ? options.bulkSenderOf?.(peerId) : undefined) ?? options.senderOf(peerId);
    if (sender !== undefined && !sender.enqueue(chunks)) options.overBudget(peerId);
  };
  const postToTabs = (message: Uint8Array): void => {
    const post = options.postChunk;
    if (post !== null) seal(message, (chunks) => chunks.forEach(post));
  };
  return {
    sendTo: (peerId, message) => seal(message, (chunks) => queueTo(peerId, chunks)),
    sendBulkTo: (peerId, message) => seal(message, (chunks) => queueTo(peerId, chunks, true), true),
    postToTabs,
    broadcast(build, except) {
      const peers = options.peers().filter((peerId) => peerId !== except);
      const toTabs = options.tabsListening() && except !== options.tabOrigin;
      if (peers.length === 0 && !toTabs) return;
      const message = build();
      // Seal once; the chunks are identical for every receiver.
      if (peers.length > 0) seal(message, (chunks) => peers.forEach((peerId) => queueTo(peerId, chunks)));
      if (toTabs) postToTabs(message);
    },
  };
}
