/**
 * The receiving side of every link: reassembly within budgets, opening, parsing, and what each
 * message does to the document and presence. Anyone with the invite link can connect, so nothing
 * a peer sends is thrown past this module: it is applied, or dropped and counted, and a peer that
 * keeps sending what no honest peer sends is cut off. Other tabs are this same person and store,
 * so they are exempt from the limits.
 *
 * Document updates are admitted before they are applied (core/doc-admission.ts through the
 * `admit` option): an update that fails is not applied, not stored and not relayed.
 */
import * as Y from 'yjs';
import { createReader, readBoundedUint } from '../core/bounded-decoding.js';
import { signLinkProof, verifyLinkProof } from '../core/link-proof.js';
import { MAX_RECORDS_PER_UPDATE } from '../core/presence-record.js';
import type { DropReason } from '../core/types.js';
import { toBase64Url } from '../crypto/encoding.js';
import type { Identity } from '../crypto/identity.js';
import { applyPiece } from './apply-piece.js';
import type { HistoryResponder } from './history-stream.js';
import { HISTORY_COST, HISTORY_ITEMS, INVALID_STRIKES, MAX_BULK_PROCESSING_BYTES, MAX_PROCESSING_BYTES, type Link } from './link.js';
import type { PresenceSync } from './presence-sync.js';
import { isBulkFileMessage, type FileMessage } from './file-messages.js';
import { openFrame, type Reassembler } from './wire-frames.js';
import { checkLiveUpdate, countMissing, encodeAck, encodeHello, encodePresence, encodeProof, encodeStateVector, parseWireMessage, type WireMessage } from './wire-messages.js';

/** What admission made of an update: the bytes to apply (possibly with parts removed), or why it was refused. */
export type AdmitResult = { readonly ok: true; readonly update: Uint8Array } | { readonly ok: false; readonly reason: DropReason };
/** Where an update came from: the link, and the key its peer proved (null before its proof, or for another tab). */
export interface AdmitSource {
  readonly link: string;
  readonly key: string | null;
}

/**
 * 'live': one transaction, every signature checked; 'history': a piece of a history, signatures
 * sampled; 'initial': a piece of this page's first history (or from another tab of this device),
 * which no storage budget is charged for: a joiner takes the room's history on trust in volume.
 */
export type AdmitMode = 'live' | 'history' | 'initial';

export interface MessageHandlerOptions {
  readonly doc: Y.Doc;
  readonly presence: PresenceSync;
  readonly wireKey: Uint8Array;
  /** This device's identity and presence client id, for proofs (waits until loaded). */
  readonly whoAmI: () => Promise<{ readonly identity: Identity; readonly clientId: number }>;
  /** Checks an update from a link (its origin, and the key its peer proved, if any) before it is applied; without it, updates are applied as they come (transport tests). */
  readonly admit?: (update: Uint8Array, mode: AdmitMode, from: AdmitSource) => Promise<AdmitResult>;
  readonly history: HistoryResponder;
  readonly onDrop: (source: 'frame' | 'presence' | 'update', reason: DropReason) => void;
  /** Runs work that touches the document once this device's stored history is in it. */
  readonly whenReady: (work: () => Promise<void> | void) => Promise<void>;
  /** Transaction origin for a history piece from `origin` (these are not flooded, see room-provider.ts). */
  readonly historyOrigin: (origin: string) => string;
  /** Closes a link whose peer flooded us, sent what no honest peer sends, or proved to be someone refused. */
  readonly cutOff: (link: Link, why: 'flood' | 'refused') => void;
  readonly isRefusedKey: (key: string) => boolean;
  /** The peer on `link` proved who it is. */
  readonly onProven?: (link: Link) => void;
  /** The peer asked us to ask it for what we lack (it learned something new): the provider queues the request. */
  readonly onSyncRequest: (link: Link) => void;
  /** A history from `link` finished (its last piece applied). */
  readonly onHistoryDone: (link: Link) => void;
  /** A preview of the newest messages arrived with a history we asked for. */
  readonly onPreview?: (preview: Uint8Array) => void;
  /** A file message from a proven peer (transport/file-swarm.ts); `bulk`: it came on the files channel. */
  readonly onFile?: (link: Link, message: FileMessage, bulk: boolean) => void;
  /** A media-negotiation message from a proven peer (calls: state/call-peers.ts parses it). */
  readonly onMedia?: (link: Link, text: string) => void;
  readonly isDestroyed: () => boolean;
  readonly now: () => number;
}

export interface MessageHandler {
  /** Sends our challenge and presence; the history request is the provider's call (requestHistory). */
  greet(link: Link): void;
  /** Asks `link` for what we lack (our state vector); its pieces are accepted until the last. */
  requestHistory(link: Link): void;
  /** Handles one chunk from the link. Never throws. */
  receiveChunk(link: Link, chunk: Uint8Array): void;
  /** Handles one chunk from the link's files channel: only pieces and indexes may come that way. Never throws. */
  receiveBulkChunk(link: Link, chunk: Uint8Array): void;
  /** A strike against the link (e.g. an expired partial message); cut off when there are too many. */
  strike(link: Link, weight?: number): void;
  /** Stops handling the link's messages, including those already received. */
  closeLink(link: Link): void;
}

/** Histories asked for within this long of opening the room are taken on trust in volume (see receivePiece). */
export const INITIAL_SYNC_MS = 60_000;

export function createMessageHandler(options: MessageHandlerOptions): MessageHandler {
  const { doc, onDrop } = options;
  /** Set once a history this page asked for is in. */
  let initialHistoryDone = false;
  const openedAt = options.now();

  const strike = (link: Link, weight = 1): void => {
    if (link.trusted || link.closed) return;
    if (link.strikes.strike(weight)) options.cutOff(link, 'flood');
  };
  const refuse = (link: Link, source: 'frame' | 'presence' | 'update', reason: DropReason, weight = 1): void => {
    onDrop(source, reason);
    strike(link, weight);
  };

  const apply = (update: Uint8Array, origin: string, piece: boolean): boolean => {
    try {
      if (piece) applyPiece(doc, update, origin);
      else Y.applyUpdate(doc, update, origin);
      return true;
    } catch {
      // An update Yjs cannot read (or an observer that threw on it).
      onDrop('update', 'decode');
      return false;
    }
  };

  /** Admits and applies an update; false (counted, struck) if it was refused. */
  const admitAndApply = async (link: Link, update: Uint8Array, mode: AdmitMode, origin: string): Promise<boolean> => {
    const admitted = options.admit === undefined ? { ok: true as const, update } : await options.admit(update, mode, { link: link.origin, key: link.proven?.key ?? null }).catch((): AdmitResult => ({ ok: false, reason: 'decode' }));
    if (link.closed || options.isDestroyed()) return false;
    if (!admitted.ok) {
      refuse(link, 'update', admitted.reason, INVALID_STRIKES);
      return false;
    }
    return apply(admitted.update, origin, mode !== 'live');
  };

  const answerDeferred = (link: Link): void => {
    link.deferTimer = undefined;
    const stateVector = link.deferredStateVector;
    link.deferredStateVector = null;
    if (!link.closed && stateVector !== null) answerStateVector(link, stateVector);
  };

  function answerStateVector(link: Link, stateVector: Uint8Array): void {
    if (link.closed) return;
    let missing: number;
    try {
      missing = countMissing(doc, stateVector);
    } catch {
      return refuse(link, 'frame', 'decode');
    }
    const cost = missing > HISTORY_ITEMS ? HISTORY_COST : 1;
    if (!link.trusted && (link.deferredStateVector !== null || !link.stateVectors.take(cost))) {
      // Only the newest waits: an honest peer never has two outstanding, so a superseded one was a flood.
      if (link.deferredStateVector !== null) refuse(link, 'frame', 'rate');
      if (link.closed) return;
      link.deferredStateVector = stateVector;
      link.deferTimer ??= setTimeout(() => answerDeferred(link), link.stateVectors.waitMs(cost));
      return;
    }
    if (!options.history.start(link, stateVector, missing > HISTORY_ITEMS)) refuse(link, 'frame', 'decode');
  }

  const sendProof = async (link: Link, challenge: Uint8Array): Promise<void> => {
    const { identity, clientId } = await options.whoAmI();
    const sig = await signLinkProof(identity, clientId, challenge);
    if (!link.closed) link.send(encodeProof(clientId, identity.publicKey, sig));
  };

  const receiveProof = async (link: Link, message: Extract<WireMessage, { kind: 'proof' }>): Promise<void> => {
    if (link.trusted) return;
    if (link.proven !== null) return refuse(link, 'frame', 'unsolicited');
    if (!(await verifyLinkProof(message.clientId, message.key, link.challenge, message.sig))) return refuse(link, 'frame', 'signature', INVALID_STRIKES);
    if (link.closed) return;
    const key = toBase64Url(message.key);
    link.proven = { clientId: message.clientId, key };
    if (options.isRefusedKey(key)) {
      onDrop('frame', 'refused');
      return options.cutOff(link, 'refused');
    }
    options.onProven?.(link);
  };

  const receivePresence = async (link: Link, update: Uint8Array): Promise<void> => {
    let records: number;
    try {
      records = readBoundedUint(createReader(update), MAX_RECORDS_PER_UPDATE);
    } catch {
      return refuse(link, 'presence', 'decode');
    }
    if (!link.trusted && !link.presence.take(Math.max(1, records))) return refuse(link, 'presence', 'rate');
    await options.presence.receive(update, link.origin, () => !link.closed);
  };

  const receivePiece = async (link: Link, message: Extract<WireMessage, { kind: 'piece' }>): Promise<void> => {
    // Not applied, and one strike only: an honest peer's pieces may still be on their way when we
    // gave its history up (a stall) or asked it again.
    if (!link.trusted && !link.incoming) return refuse(link, 'update', 'unsolicited');
    link.lastProgress = options.now();
    // A joiner takes the room's history on trust in volume: pieces of the histories it asks for
    // until one is in, or in its first minute (the first peer to answer may have had little), are
    // not charged to storage allowances; later ones are, like live updates.
    const initial = link.trusted || !initialHistoryDone || link.askedAt - openedAt < INITIAL_SYNC_MS;
    const mode = initial ? 'initial' : 'history';
    if (!(await admitAndApply(link, message.update, mode, options.historyOrigin(link.origin)))) return;
    if (link.trusted) return;
    if (message.last) {
      link.incoming = false;
      initialHistoryDone = true;
      options.onHistoryDone(link);
    } else {
      link.send(encodeAck(1));
    }
  };

  const receiveFile = (link: Link, message: FileMessage, bulk: boolean): void => {
    // Between proven members only; other tabs share this browser's store and never ask.
    if (link.trusted || link.proven === null) return refuse(link, 'frame', 'unsolicited');
    // Bulk answers were paid for on the files channel; control messages here.
    if (!bulk && !isBulkFileMessage(message) && !link.fileControl.take()) return refuse(link, 'frame', 'rate');
    options.onFile?.(link, message, bulk);
  };

  const handle = async (link: Link, message: WireMessage, bulk: boolean): Promise<void> => {
    // The files channel carries pieces and indexes, nothing else.
    if (bulk && (message.kind !== 'file' || !isBulkFileMessage(message.message))) return refuse(link, 'frame', message.kind === 'invalid' ? message.reason : 'unsolicited');
    switch (message.kind) {
      case 'invalid':
        return refuse(link, 'frame', message.reason);
      case 'hello':
        if (link.trusted) return;
        if (link.proofSent) return refuse(link, 'frame', 'unsolicited');
        link.proofSent = true;
        return sendProof(link, message.challenge);
      case 'proof':
        return receiveProof(link, message);
      case 'presence':
        return receivePresence(link, message.update);
      case 'state-vector':
        if (message.stateVector.length === 0) return refuse(link, 'frame', 'decode');
        return options.whenReady(() => answerStateVector(link, message.stateVector));
      case 'sync-request':
        return options.whenReady(() => options.onSyncRequest(link));
      case 'ack':
        return options.history.grant(link, message.pieces);
      case 'preview':
        if (!link.incoming && !link.trusted) return refuse(link, 'frame', 'unsolicited');
        return options.onPreview?.(message.preview);
      case 'live-update': {
        const refused = link.trusted ? null : checkLiveUpdate(message.update);
        if (refused !== null) return refuse(link, 'update', refused, INVALID_STRIKES);
        return options.whenReady(async () => void (await admitAndApply(link, message.update, 'live', link.origin)));
      }
      case 'piece':
        return options.whenReady(() => receivePiece(link, message));
      case 'media':
        // Only between proven members: a call is with someone whose key we know.
        if (link.trusted || link.proven === null) return refuse(link, 'frame', 'unsolicited');
        if (!link.media.take()) return refuse(link, 'frame', 'rate');
        return options.onMedia?.(link, message.text);
      case 'file':
        return receiveFile(link, message.message, bulk);
    }
  };

  /** Reassembles, opens and handles one chunk of `reassembler`'s channel, paid from `bucket`. */
  const receive = (link: Link, chunk: Uint8Array, reassembler: Reassembler, bulk: boolean): void => {
    if (link.closed) return;
    const result = reassembler.push(chunk);
    if (result.kind === 'dropped') return refuse(link, 'frame', result.reason);
    if (result.kind !== 'complete') return;
    if (!link.trusted && !(bulk ? link.bulk : link.messages).take()) return refuse(link, 'frame', 'rate');
    const { sealed } = result;
    const waiting = bulk ? link.bulkProcessingBytes : link.processingBytes;
    if (!link.trusted && waiting + sealed.length > (bulk ? MAX_BULK_PROCESSING_BYTES : MAX_PROCESSING_BYTES)) return refuse(link, 'frame', 'budget');
    if (bulk) link.bulkProcessingBytes += sealed.length;
    else link.processingBytes += sealed.length;
    const next = (bulk ? link.bulkProcessing : link.processing)
      .then(async () => {
        const opened = await openFrame(options.wireKey, sealed);
        if (link.closed || options.isDestroyed()) return;
        if (opened === null) return refuse(link, 'frame', 'decrypt', INVALID_STRIKES);
        await handle(link, parseWireMessage(opened), bulk);
      })
      // Nothing above should throw; this keeps a surprise (an observer, a library bug) from escaping.
      .catch(() => onDrop('frame', 'decode'))
      .finally(() => {
        if (bulk) link.bulkProcessingBytes -= sealed.length;
        else link.processingBytes -= sealed.length;
      });
    // Each channel keeps its own order; the two are independent (pieces answer requests, whatever else comes).
    if (bulk) link.bulkProcessing = next;
    else link.processing = next;
  };

  const handlerApi: MessageHandler = {
    greet(link) {
      if (link.closed) return;
      if (!link.trusted) link.send(encodeHello(link.challenge));
      const greeting = options.presence.greeting();
      if (greeting !== null) link.send(encodePresence(greeting));
    },
    requestHistory(link) {
      if (link.closed) return;
      link.incoming = true;
      link.lastProgress = options.now();
      link.askedAt = link.lastProgress;
      link.send(encodeStateVector(doc));
    },
    receiveChunk: (link, chunk) => receive(link, chunk, link.reassembler, false),
    receiveBulkChunk: (link, chunk) => receive(link, chunk, link.bulkReassembler, true),
    strike,
    closeLink(link) {
      link.closed = true;
      link.reassembler.clear();
      link.bulkReassembler.clear();
      clearTimeout(link.deferTimer);
      link.deferTimer = undefined;
      link.deferredStateVector = null;
      options.history.stop(link);
    },
  };
  return handlerApi;
}
