/**
 * The messages peers exchange once wire-frames.ts has opened them: their encoders, the one parser
 * every received message goes through (every number and length bounded before use), and the
 * check on what a live update may carry.
 *
 * Layout (lib0 encoding): varUint type, then
 *   SYNC (0)          varUint step (0 state vector: "stream me what I lack"; 2 live update), varUint8Array payload
 *   PRESENCE (1)      varUint8Array signed presence records (core/presence-record.ts)
 *   HELLO (2)         varUint8Array a 16-byte challenge the peer signs to prove its key
 *   SYNC_REQUEST (3)  nothing: "send me your state vector"
 *   PROOF (4)         varUint client id, varUint8Array key (32), varUint8Array signature (64) over our challenge
 *   PIECE (5)         varUint last (0/1), varUint8Array Yjs update: one bounded piece of a history
 *   ACK (6)           varUint pieces: "send me this many more pieces"
 *   PREVIEW (7)       varUint8Array the newest messages, shown while the history streams in
 *   MEDIA (8)         varString a media-negotiation message (core/call-state.ts), parsed by its receiver
 *   FILE_* (9–15)     moving files' pieces between members (file-messages.ts)
 */
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { atEnd, createReader, DecodeError, readBoundedBytes, readBoundedString, readBoundedUint } from '../core/bounded-decoding.js';
import { MAX_MEDIA_MESSAGE_BYTES } from '../core/call-state.js';
import { MAX_CLIENT_ID } from '../core/presence-record.js';
import type { DropReason } from '../core/types.js';
import { MAX_MESSAGE_BYTES } from './wire-frames.js';
import { FILE_MESSAGE_TYPES, readFileMessage, type FileMessage } from './file-messages.js';

const MESSAGE_SYNC = 0;
const MESSAGE_PRESENCE = 1;
const MESSAGE_HELLO = 2;
const MESSAGE_SYNC_REQUEST = 3;
const MESSAGE_PROOF = 4;
const MESSAGE_PIECE = 5;
const MESSAGE_ACK = 6;
const MESSAGE_PREVIEW = 7;
const MESSAGE_MEDIA = 8;
const STEP_STATE_VECTOR = 0;
const STEP_UPDATE = 2;

/**
 * Structs one live update may carry. A live update is one transaction of its author: sending a
 * message is one struct, so 200 is far above any honest one; anything bigger is a history, which
 * travels as pieces answering a state vector (and the provider offers its own big transactions
 * that way, see room-provider.ts).
 */
export const MAX_LIVE_UPDATE_STRUCTS = 200;
/** Bytes one live update may carry: the largest entry is about 51 KB of UTF-8, so 256 KiB leaves room. */
export const MAX_LIVE_UPDATE_BYTES = 256 * 1024;
/** A history piece's target size; one entry more may push it past, never beyond MAX_PIECE_BYTES. */
export const PIECE_BYTES = 384 * 1024;
export const MAX_PIECE_BYTES = 448 * 1024;
/** A state vector holds one entry (≤ 10 bytes) per client that ever wrote: 256 KiB is over 25k clients. */
export const MAX_STATE_VECTOR_BYTES = 256 * 1024;
/** The preview of the newest messages that leads a history. */
export const MAX_PREVIEW_BYTES = 64 * 1024;
export const CHALLENGE_BYTES = 16;
/** Pieces a receiver lets a sender have in flight at once. */
export const MAX_PIECE_CREDITS = 16;

export type WireMessage =
  | { readonly kind: 'state-vector'; readonly stateVector: Uint8Array }
  | { readonly kind: 'live-update'; readonly update: Uint8Array }
  | { readonly kind: 'presence'; readonly update: Uint8Array }
  | { readonly kind: 'hello'; readonly challenge: Uint8Array }
  | { readonly kind: 'proof'; readonly clientId: number; readonly key: Uint8Array; readonly sig: Uint8Array }
  | { readonly kind: 'sync-request' }
  | { readonly kind: 'piece'; readonly last: boolean; readonly update: Uint8Array }
  | { readonly kind: 'ack'; readonly pieces: number }
  | { readonly kind: 'preview'; readonly preview: Uint8Array }
  | { readonly kind: 'media'; readonly text: string }
  | { readonly kind: 'file'; readonly message: FileMessage }
  | { readonly kind: 'invalid'; readonly reason: DropReason };

const invalid = (reason: DropReason): WireMessage => ({ kind: 'invalid', reason });

function readMessage(bytes: Uint8Array): WireMessage {
  const reader = createReader(bytes);
  const type = readBoundedUint(reader, 255);
  let message: WireMessage;
  switch (type) {
    case MESSAGE_SYNC: {
      const step = readBoundedUint(reader, 255);
      if (step === STEP_STATE_VECTOR) message = { kind: 'state-vector', stateVector: readBoundedBytes(reader, MAX_STATE_VECTOR_BYTES) };
      else if (step === STEP_UPDATE) message = { kind: 'live-update', update: readBoundedBytes(reader, MAX_LIVE_UPDATE_BYTES) };
      else return invalid('unknown_type');
      break;
    }
    case MESSAGE_PRESENCE:
      message = { kind: 'presence', update: readBoundedBytes(reader, MAX_MESSAGE_BYTES) };
      break;
    case MESSAGE_HELLO: {
      const challenge = readBoundedBytes(reader, CHALLENGE_BYTES);
      if (challenge.length !== CHALLENGE_BYTES) return invalid('shape');
      message = { kind: 'hello', challenge };
      break;
    }
    case MESSAGE_SYNC_REQUEST:
      message = { kind: 'sync-request' };
      break;
    case MESSAGE_PROOF: {
      const clientId = readBoundedUint(reader, MAX_CLIENT_ID);
      const key = readBoundedBytes(reader, 32);
      const sig = readBoundedBytes(reader, 64);
      if (key.length !== 32 || sig.length !== 64) return invalid('shape');
      message = { kind: 'proof', clientId, key, sig };
      break;
    }
    case MESSAGE_PIECE: {
      const last = readBoundedUint(reader, 1) === 1;
      message = { kind: 'piece', last, update: readBoundedBytes(reader, MAX_PIECE_BYTES) };
      break;
    }
    case MESSAGE_ACK:
      message = { kind: 'ack', pieces: readBoundedUint(reader, MAX_PIECE_CREDITS) };
      break;
    case MESSAGE_PREVIEW:
      message = { kind: 'preview', preview: readBoundedBytes(reader, MAX_PREVIEW_BYTES) };
      break;
    case MESSAGE_MEDIA:
      message = { kind: 'media', text: readBoundedString(reader, MAX_MEDIA_MESSAGE_BYTES) };
      break;
    default:
      if (type < FILE_MESSAGE_TYPES.query || type > FILE_MESSAGE_TYPES.none) return invalid('unknown_type');
      message = { kind: 'file', message: readFileMessage(reader, type) };
  }
  // Trailing bytes mean a sender that does not speak this protocol.
  return atEnd(reader) ? message : invalid('decode');
}

/** Parses one opened message; never throws: anything malformed, oversized or unknown is `invalid` with the reason to count. */
export function parseWireMessage(bytes: Uint8Array): WireMessage {
  if (bytes.length > MAX_MESSAGE_BYTES) return invalid('size');
  try {
    return readMessage(bytes);
  } catch (error) {
    return invalid(error instanceof DecodeError ? error.reason : 'decode');
  }
}

/**
 * Null if `update` may travel as a live update; 'unsolicited' if it carries more than one may
 * (MAX_LIVE_UPDATE_BYTES, MAX_LIVE_UPDATE_STRUCTS); 'decode' if it is not a Yjs update.
 */
export function checkLiveUpdate(update: Uint8Array): DropReason | null {
  if (update.length > MAX_LIVE_UPDATE_BYTES) return 'unsolicited';
  try {
    // Yjs update v1: varUint number of clients, then per client varUint struct count, client,
    // clock and the structs. A live update is one transaction, so it names one client and the
    // count is the second number read: no need to decode the structs.
    const reader = createReader(update);
    const clients = readBoundedUint(reader, MAX_LIVE_UPDATE_STRUCTS);
    if (clients === 0) return null;
    const firstCount = readBoundedUint(reader, Number.MAX_SAFE_INTEGER);
    if (firstCount > MAX_LIVE_UPDATE_STRUCTS) return 'unsolicited';
    if (clients === 1) return null;
    return Y.decodeUpdate(update).structs.length > MAX_LIVE_UPDATE_STRUCTS ? 'unsolicited' : null;
  } catch {
    return 'decode';
  }
}

/**
 * Clock units (one per map entry) a history answering `stateVector` would carry: what `doc` holds
 * beyond it. Throws on a malformed state vector (the caller bounds its size first).
 */
export function countMissing(doc: Y.Doc, stateVector: Uint8Array): number {
  const theirs = Y.decodeStateVector(stateVector);
  let missing = 0;
  for (const [client, clock] of Y.decodeStateVector(Y.encodeStateVector(doc))) missing += Math.max(0, clock - (theirs.get(client) ?? 0));
  return missing;
}

function message(type: number, write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, type);
  write(encoder);
  return encoding.toUint8Array(encoder);
}

/** Our state vector: "stream me what I lack". */
export const encodeStateVector = (doc: Y.Doc): Uint8Array => message(MESSAGE_SYNC, (e) => (encoding.writeVarUint(e, STEP_STATE_VECTOR), encoding.writeVarUint8Array(e, Y.encodeStateVector(doc))));
/** A live update, flooded to every peer. */
export const encodeLiveUpdate = (update: Uint8Array): Uint8Array => message(MESSAGE_SYNC, (e) => (encoding.writeVarUint(e, STEP_UPDATE), encoding.writeVarUint8Array(e, update)));
export const encodePresence = (update: Uint8Array): Uint8Array => message(MESSAGE_PRESENCE, (e) => encoding.writeVarUint8Array(e, update));
export const encodeHello = (challenge: Uint8Array): Uint8Array => message(MESSAGE_HELLO, (e) => encoding.writeVarUint8Array(e, challenge));
export const encodeSyncRequest = (): Uint8Array => Uint8Array.of(MESSAGE_SYNC_REQUEST);
export const encodeProof = (clientId: number, key: Uint8Array, sig: Uint8Array): Uint8Array =>
  message(MESSAGE_PROOF, (e) => (encoding.writeVarUint(e, clientId), encoding.writeVarUint8Array(e, key), encoding.writeVarUint8Array(e, sig)));
export const encodePiece = (update: Uint8Array, last: boolean): Uint8Array => message(MESSAGE_PIECE, (e) => (encoding.writeVarUint(e, last ? 1 : 0), encoding.writeVarUint8Array(e, update)));
export const encodeAck = (pieces: number): Uint8Array => message(MESSAGE_ACK, (e) => encoding.writeVarUint(e, pieces));
export const encodePreview = (preview: Uint8Array): Uint8Array => message(MESSAGE_PREVIEW, (e) => encoding.writeVarUint8Array(e, preview));
/** A media-negotiation message (its JSON text, core/call-state.ts). */
export const encodeMedia = (text: string): Uint8Array => message(MESSAGE_MEDIA, (e) => encoding.writeVarString(e, text));
