/**
 * The receiving side of every link (a direct peer, or the other tabs of this browser): chunk
 * reassembly, opening, parsing, and what each message does to the document and awareness.
 *
 * Anyone with the invite link can connect, so every honest client enforces limits on each peer
 * here, and nothing a peer sends is thrown past this module: it is applied, or dropped and
 * counted. A peer that keeps going over its rate limits is cut off (it may come back later).
 * Other tabs are this same person and store, so they are exempt from the limits.
 */
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import type { DropReason } from '../core/types.js';
import { MAX_CLIENTS_PER_UPDATE, countAwarenessStates, filterAwarenessUpdate } from './awareness-filter.js';
import { createStrikeCounter, createTokenBucket, type StrikeCounter, type TokenBucket } from './rate-limit.js';
import { createReassembler, openFrame, type ChunkResult } from './wire-frames.js';
import { checkLiveUpdate, countMissing, encodeAwareness, encodeHello, encodeSyncStep1, encodeSyncStep2, parseWireMessage } from './wire-messages.js';

/**
 * Messages a peer may send back to back, and per second after that. Updates are flooded, so one
 * link carries the whole room's traffic (messages, presence, sync), not one person's: sized for
 * hundreds of people chatting through one link. Counted before decryption, so a flood costs
 * no AES work.
 */
export const MESSAGE_BURST = 400;
export const MESSAGES_PER_SECOND = 100;
/**
 * Presence, counted in client states rather than messages, since one update may carry up to
 * MAX_CLIENTS_PER_UPDATE of them. The burst lets a full greeting (everyone in the room) through;
 * the sustained rate is below the message budget's: everyone renews presence every 15 s
 * (y-protocols), so a 256-person room (the node's topic cap) relays ~17 states/s plus typing.
 */
export const PRESENCE_BURST = MAX_CLIENTS_PER_UPDATE;
export const PRESENCE_PER_SECOND = 30;
/**
 * A peer over its rate limits more than this many times within FLOOD_WINDOW_MS is cut off. An
 * honest peer stays under the limits altogether, so 100 drops in 5 s is a flood, not a spike.
 */
export const FLOOD_STRIKES = 100;
export const FLOOD_WINDOW_MS = 5_000;
/**
 * Answering a sync step 1 means encoding what the asker lacks: near nothing for a peer that is up
 * to date, the whole history (0.3 s for 100k messages, FACTS.md) for an empty state vector, which
 * costs a peer a few bytes to send. An honest peer has at most one step 1 outstanding per link
 * and asks for the history once per connection, so: 10 answers back to back, 1 per second after
 * that, and one that carries more than HISTORY_ITEMS items costs HISTORY_COST of them (a
 * history every 5 s). Beyond that the newest step 1 is answered late, never dropped, since its
 * sender waits for the answer.
 */
export const STEP1_BURST = 10;
export const STEP1_PER_SECOND = 1;
export const HISTORY_ITEMS = 1000;
export const HISTORY_COST = 5;
/** A state vector holds one entry (≤ 10 bytes) per client that ever wrote: 256 KiB is over 25k clients. */
export const MAX_STATE_VECTOR_BYTES = 256 * 1024;
/** The greeting carries everyone's presence: 1,000 states (awareness-filter.ts) of a few hundred bytes. */
export const MAX_PRESENCE_BYTES = 512 * 1024;

/** One link's receiving state. Created when the link opens, discarded when it closes. */
export interface Link {
  /** The peer id, or the tab origin. */
  readonly origin: string;
  /** Another tab of this browser: exempt from the limits and from sync bookkeeping. */
  readonly trusted: boolean;
  /** Sends a message to this link only. */
  readonly reply: (message: Uint8Array) => void;
  /** Awareness client id the peer introduced itself with (HELLO), once it has. */
  clientId: number | undefined;
  closed: boolean;
  /** We sent a sync step 1 on this link and its step 2 has not arrived: the only step 2 we accept. */
  awaitingStep2: boolean;
  readonly reassemble: (chunk: Uint8Array) => ChunkResult;
  /** Messages are opened one after another, so they are handled in the order sent. */
  opening: Promise<void>;
  readonly messages: TokenBucket;
  readonly presence: TokenBucket;
  readonly step1s: TokenBucket;
  readonly strikes: StrikeCounter;
  /** The newest step 1 waiting for step1s tokens, and the timer that answers it. */
  deferredStep1: Uint8Array | null;
  deferTimer: ReturnType<typeof setTimeout> | undefined;
}

export interface MessageHandlerOptions {
  readonly doc: Y.Doc;
  readonly awareness: awarenessProtocol.Awareness;
  readonly wireKey: Uint8Array;
  readonly isValidPresence: (state: unknown) => boolean;
  readonly onDrop: (source: 'frame' | 'presence', reason: DropReason) => void;
  /** Runs work that touches the document once this device's stored history is in it. */
  readonly whenReady: (work: () => void) => void;
  /** Transaction origin for a sync step 2 from `origin` (these are not flooded, see room-provider.ts). */
  readonly replyOrigin: (origin: string) => string;
  /** Closes a link whose peer flooded us or introduced itself as a refused client. */
  readonly cutOff: (link: Link, why: 'flood' | 'refused') => void;
  readonly isRefusedClient: (clientId: number) => boolean;
  readonly isDestroyed: () => boolean;
  readonly now?: () => number;
}

export interface MessageHandler {
  /** State for a link that just opened. */
  createLink(origin: string, trusted: boolean, reply: (message: Uint8Array) => void): Link;
  /** Sends our HELLO, sync step 1 and presence. */
  greet(link: Link): void;
  /** Handles one chunk from the link. Never throws. */
  receiveChunk(link: Link, chunk: Uint8Array): void;
  /** Stops handling the link's messages, including those already received. */
  closeLink(link: Link): void;
}

/** Creates the handler shared by every link of one provider. */
export function createMessageHandler(options: MessageHandlerOptions): MessageHandler {
  const { doc, awareness, onDrop } = options;
  const clock = options.now === undefined ? {} : { now: options.now };

  /** One message over a rate limit: dropped and counted; too many of them and the peer is cut off. */
  const limited = (link: Link, source: 'frame' | 'presence'): void => {
    onDrop(source, 'rate');
    if (link.strikes.strike() && !link.closed) options.cutOff(link, 'flood');
  };

  const apply = (update: Uint8Array, origin: string): void => {
    try {
      Y.applyUpdate(doc, update, origin);
    } catch {
      // An update Yjs cannot read (or an observer that threw on it); y-protocols would only log it.
      onDrop('frame', 'decode');
    }
  };

  const sendStep1 = (link: Link): void => {
    link.awaitingStep2 = true;
    link.reply(encodeSyncStep1(doc));
  };

  const replyStep2 = (link: Link, stateVector: Uint8Array): void => {
    let reply: Uint8Array;
    try {
      reply = encodeSyncStep2(doc, stateVector);
    } catch {
      return onDrop('frame', 'decode');
    }
    link.reply(reply);
  };

  /** Tokens that answering `stateVector` costs; null, counted, if it is not a state vector. */
  const step1Cost = (stateVector: Uint8Array): number | null => {
    try {
      return countMissing(doc, stateVector) > HISTORY_ITEMS ? HISTORY_COST : 1;
    } catch {
      onDrop('frame', 'decode');
      return null;
    }
  };

  const answerDeferred = (link: Link): void => {
    link.deferTimer = undefined;
    const stateVector = link.deferredStep1;
    link.deferredStep1 = null;
    if (link.closed || stateVector === null) return;
    const cost = step1Cost(stateVector);
    if (cost === null) return;
    // The timer waited for the tokens; if history grew meanwhile, wait for the rest.
    if (!link.step1s.take(cost)) return deferStep1(link, stateVector, cost);
    replyStep2(link, stateVector);
  };

  function deferStep1(link: Link, stateVector: Uint8Array, cost: number): void {
    // Only the newest waits: an honest peer never has two outstanding, so a superseded one was a flood.
    if (link.deferredStep1 !== null) limited(link, 'frame');
    if (link.closed) return;
    link.deferredStep1 = stateVector;
    link.deferTimer ??= setTimeout(() => answerDeferred(link), link.step1s.waitMs(cost));
  }

  const answerStep1 = (link: Link, stateVector: Uint8Array): void => {
    if (link.trusted) return replyStep2(link, stateVector);
    if (stateVector.length > MAX_STATE_VECTOR_BYTES) return onDrop('frame', 'size');
    const cost = step1Cost(stateVector);
    if (cost === null) return;
    if (link.deferredStep1 === null && link.step1s.take(cost)) return replyStep2(link, stateVector);
    deferStep1(link, stateVector, cost);
  };

  const receiveHello = (link: Link, clientId: number): void => {
    // Other tabs share one channel, so their HELLOs identify no connection.
    if (link.trusted) return;
    // One per connection: a second one (a replay, or a peer taking someone else's id) is refused.
    if (link.clientId !== undefined) return onDrop('frame', 'unsolicited');
    link.clientId = clientId;
    if (options.isRefusedClient(clientId)) {
      onDrop('frame', 'refused');
      options.cutOff(link, 'refused');
    }
  };

  const receivePresence = (link: Link, update: Uint8Array): void => {
    const states = countAwarenessStates(update);
    if (states === null) return onDrop('presence', 'decode');
    if (!link.trusted && !link.presence.take(Math.max(1, states))) return limited(link, 'presence');
    if (update.length > MAX_PRESENCE_BYTES) return onDrop('presence', 'size');
    const filtered = filterAwarenessUpdate(update, options.isValidPresence);
    if (filtered === null) return onDrop('presence', 'decode');
    for (let i = 0; i < filtered.dropped; i++) onDrop('presence', 'shape');
    if (filtered.update !== null) awarenessProtocol.applyAwarenessUpdate(awareness, filtered.update, link.origin);
  };

  const handle = (link: Link, bytes: Uint8Array): void => {
    if (link.closed) return;
    const message = parseWireMessage(bytes);
    switch (message.kind) {
      case 'invalid':
        return onDrop('frame', message.reason);
      case 'hello':
        return receiveHello(link, message.clientId);
      case 'sync-request':
        // With a step 1 outstanding, its answer (made after the peer learned what it now offers) covers it.
        if (link.trusted || !link.awaitingStep2) sendStep1(link);
        return;
      case 'sync-step1':
        return answerStep1(link, message.stateVector);
      case 'sync-step2':
        if (!link.trusted) {
          if (!link.awaitingStep2) return onDrop('frame', 'unsolicited');
          link.awaitingStep2 = false;
        }
        return apply(message.update, options.replyOrigin(link.origin));
      case 'sync-update': {
        const refused = link.trusted ? null : checkLiveUpdate(message.update);
        if (refused !== null) return onDrop('frame', refused);
        return apply(message.update, link.origin);
      }
      case 'awareness':
        return receivePresence(link, message.update);
    }
  };

  return {
    createLink(origin, trusted, reply): Link {
      return {
        origin,
        trusted,
        reply,
        clientId: undefined,
        closed: false,
        awaitingStep2: false,
        reassemble: createReassembler(),
        opening: Promise.resolve(),
        messages: createTokenBucket({ burst: MESSAGE_BURST, perSecond: MESSAGES_PER_SECOND, ...clock }),
        presence: createTokenBucket({ burst: PRESENCE_BURST, perSecond: PRESENCE_PER_SECOND, ...clock }),
        step1s: createTokenBucket({ burst: STEP1_BURST, perSecond: STEP1_PER_SECOND, ...clock }),
        strikes: createStrikeCounter({ limit: FLOOD_STRIKES, windowMs: FLOOD_WINDOW_MS, ...clock }),
        deferredStep1: null,
        deferTimer: undefined,
      };
    },
    greet(link): void {
      if (link.closed) return;
      link.reply(encodeHello(doc.clientID));
      sendStep1(link);
      const clients = [...awareness.getStates().keys()];
      if (clients.length > 0) link.reply(encodeAwareness(awarenessProtocol.encodeAwarenessUpdate(awareness, clients)));
    },
    receiveChunk(link, chunk): void {
      if (link.closed) return;
      const result = link.reassemble(chunk);
      if (result.kind === 'dropped') return onDrop('frame', result.reason);
      if (result.kind !== 'complete') return;
      if (!link.trusted && !link.messages.take()) return limited(link, 'frame');
      const { sealed } = result;
      link.opening = link.opening
        .then(async () => {
          const message = await openFrame(options.wireKey, sealed);
          if (link.closed || options.isDestroyed()) return;
          if (message === null) return onDrop('frame', 'decrypt');
          options.whenReady(() => {
            try {
              handle(link, message);
            } catch {
              // Nothing above should throw; this keeps a surprise (an observer, a library bug) from escaping.
              onDrop('frame', 'decode');
            }
          });
        })
        .catch(() => undefined);
    },
    closeLink(link): void {
      link.closed = true;
      clearTimeout(link.deferTimer);
      link.deferTimer = undefined;
      link.deferredStep1 = null;
    },
  };
}
