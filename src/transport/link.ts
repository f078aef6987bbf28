/**
 * One link's state on the receiving side (a direct peer, or the other tabs of this browser), and
 * the limits every honest device holds each peer to. Anyone with the invite link can connect, so
 * these bound what one connection can cost: its rate of messages, presence and history requests,
 * the bytes it may have waiting (partial messages, messages being opened and checked), and a
 * strike count that cuts it off when it keeps breaking them.
 */
import { createStrikeCounter, createTokenBucket, type StrikeCounter, type TokenBucket } from './rate-limit.js';
import { createReassembler, type Reassembler, type ReassemblyBudget } from './wire-frames.js';

/**
 * Messages a peer may send back to back, and per second after that. Updates are flooded, so one
 * link carries the whole room's traffic (messages, presence, history pieces), not one person's:
 * sized for hundreds of people chatting through one link. Counted before decryption, so a flood
 * costs no AES work.
 */
export const MESSAGE_BURST = 400;
export const MESSAGES_PER_SECOND = 100;
/**
 * Presence, counted in records rather than messages, since one update may carry up to 1,000. The
 * burst lets a full greeting (everyone in the room) through; everyone renews every 15 s, so a
 * 256-person room (the node's topic cap) relays ~17 records/s plus typing.
 */
export const PRESENCE_BURST = 1000;
export const PRESENCE_PER_SECOND = 30;
/** A peer over its limits more than this many times within FLOOD_WINDOW_MS is cut off (it may come back later). */
export const FLOOD_STRIKES = 100;
export const FLOOD_WINDOW_MS = 5_000;
/**
 * Strikes for content no honest peer sends (an update that fails admission, a forged proof, a
 * message that does not open): honest peers relay only what they admitted, by rules every device
 * applies alike, so five of these in a window cut the peer off.
 */
export const INVALID_STRIKES = 20;
/**
 * Answering a state vector means streaming what the asker lacks: near nothing for a peer that is
 * up to date, the whole history for an empty one, which costs a peer a few bytes to ask. An honest
 * peer asks once per connection (and again to resume), so: 10 answers back to back, 1 per second
 * after that, and one that carries more than HISTORY_ITEMS items costs HISTORY_COST of them.
 * Beyond that the newest request is answered late, never dropped, since its sender waits.
 */
export const STATE_VECTOR_BURST = 10;
export const STATE_VECTORS_PER_SECOND = 1;
export const HISTORY_ITEMS = 1000;
export const HISTORY_COST = 5;
/**
 * Media-negotiation messages: a camera toggle is one offer and one answer, so 20 back to back
 * (someone clicking fast) and 2 per second after that; more is a renegotiation flood.
 */
export const MEDIA_BURST = 20;
export const MEDIA_PER_SECOND = 2;
/**
 * File control messages (queries, requests, have and none answers): a downloader asks a source for
 * up to 8 pieces at once, a few times a second per 2 MiB, so 64 back to back and 64 per second
 * carry a fast transfer; more is a flood.
 */
export const FILE_CONTROL_BURST = 64;
export const FILE_CONTROL_PER_SECOND = 64;
/**
 * Messages on the files channel (pieces and indexes, 256 KiB each): 256 per second is 64 MiB/s,
 * above what a data channel carries here (26–40 MiB/s). Counted before decryption, like the rest.
 */
export const BULK_BURST = 64;
export const BULK_PER_SECOND = 256;
/** Bytes of received messages one link may have waiting to be opened, checked and applied. */
export const MAX_PROCESSING_BYTES = 2 * 1024 * 1024;
/**
 * The same for the files channel, on its own: pieces a downloader asked for (at most 12 in flight
 * per source, file-swarm.ts, 272 KiB each as frames) may all land at once.
 */
export const MAX_BULK_PROCESSING_BYTES = 4 * 1024 * 1024;
/** A history stream that brings no piece for this long is given up (and resumed from another peer). */
export const HISTORY_STALL_MS = 10_000;

export interface Link {
  /** The peer id, or the tab origin. */
  readonly origin: string;
  /** Another tab of this browser: exempt from the limits and from proofs. */
  readonly trusted: boolean;
  /** Seals and queues a message to this link only. */
  readonly send: (message: Uint8Array) => void;
  /** Calls back once this link's send queue is low (for streaming a history). */
  readonly whenLow: (listener: () => void) => void;
  readonly reassembler: Reassembler;
  /** Reassembles what comes on the files channel (a second data channel), apart from the main one. */
  readonly bulkReassembler: Reassembler;
  /** The challenge we sent; the peer's proof must sign it. */
  readonly challenge: Uint8Array;
  /** Who the peer proved to be (client id, key as base64url), once it has. */
  proven: { readonly clientId: number; readonly key: string } | null;
  /** We answered the peer's challenge already (one proof per connection). */
  proofSent: boolean;
  closed: boolean;
  /** Messages are opened and handled one after another, so they are handled in the order sent. */
  processing: Promise<void>;
  /** The files channel's own chain: a text message never waits behind pieces being opened. */
  bulkProcessing: Promise<void>;
  processingBytes: number;
  bulkProcessingBytes: number;
  /** We asked this peer for a history and its last piece has not come. */
  incoming: boolean;
  /** When the incoming history last made progress (now() ms). */
  lastProgress: number;
  /** When we last asked this peer for a history (now() ms). */
  askedAt: number;
  readonly messages: TokenBucket;
  readonly presence: TokenBucket;
  readonly stateVectors: TokenBucket;
  readonly media: TokenBucket;
  readonly fileControl: TokenBucket;
  readonly bulk: TokenBucket;
  readonly strikes: StrikeCounter;
  /** The newest state vector waiting for stateVectors tokens, and the timer that answers it. */
  deferredStateVector: Uint8Array | null;
  deferTimer: ReturnType<typeof setTimeout> | undefined;
}

export interface LinkOptions {
  readonly origin: string;
  readonly trusted: boolean;
  readonly send: (message: Uint8Array) => void;
  readonly whenLow: (listener: () => void) => void;
  readonly budget: ReassemblyBudget;
  readonly now: () => number;
  readonly onExpired: () => void;
}

/** A fresh link with full buckets and a new random challenge. */
export function createLink(options: LinkOptions): Link {
  const clock = { now: options.now };
  return {
    origin: options.origin,
    trusted: options.trusted,
    send: options.send,
    whenLow: options.whenLow,
    reassembler: createReassembler({ budget: options.budget, now: options.now, onExpired: options.onExpired }),
    bulkReassembler: createReassembler({ budget: options.budget, now: options.now, onExpired: options.onExpired }),
    challenge: globalThis.crypto.getRandomValues(new Uint8Array(16)),
    proven: null,
    proofSent: false,
    closed: false,
    processing: Promise.resolve(),
    bulkProcessing: Promise.resolve(),
    processingBytes: 0,
    bulkProcessingBytes: 0,
    incoming: false,
    lastProgress: options.now(),
    askedAt: -Infinity,
    messages: createTokenBucket({ burst: MESSAGE_BURST, perSecond: MESSAGES_PER_SECOND, ...clock }),
    presence: createTokenBucket({ burst: PRESENCE_BURST, perSecond: PRESENCE_PER_SECOND, ...clock }),
    stateVectors: createTokenBucket({ burst: STATE_VECTOR_BURST, perSecond: STATE_VECTORS_PER_SECOND, ...clock }),
    media: createTokenBucket({ burst: MEDIA_BURST, perSecond: MEDIA_PER_SECOND, ...clock }),
    fileControl: createTokenBucket({ burst: FILE_CONTROL_BURST, perSecond: FILE_CONTROL_PER_SECOND, ...clock }),
    bulk: createTokenBucket({ burst: BULK_BURST, perSecond: BULK_PER_SECOND, ...clock }),
    strikes: createStrikeCounter({ limit: FLOOD_STRIKES, windowMs: FLOOD_WINDOW_MS, ...clock }),
    deferredStateVector: null,
    deferTimer: undefined,
  };
}
