/**
 * The messages peers exchange once wire-frames.ts has opened them: their encoders, the one parser
 * every received message goes through, and the check on what a live update may carry.
 *
 * Layout (lib0 encoding): varUint type, then
 *   SYNC (0)          varUint step (0 step 1, 1 step 2, 2 live update, as y-protocols/sync), varUint8Array payload
 *   AWARENESS (1)     varUint8Array y-protocols awareness update
 *   HELLO (2)         varUint the sender's awareness client id
 *   SYNC_REQUEST (3)  nothing
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import type { DropReason } from '../core/types.js';

const MESSAGE_SYNC = 0;
const MESSAGE_AWARENESS = 1;
/** A peer's own awareness client id, so its presence can be dropped as soon as its connection closes. */
const MESSAGE_HELLO = 2;
/** "Send me your sync step 1": lets a peer that just learned things through a sync reply offer them by diff. */
const MESSAGE_SYNC_REQUEST = 3;

/**
 * Structs one live update may carry. A live update is one transaction of its author: sending a
 * message is one struct, so 200 is far above any honest one; anything bigger is a history, which
 * travels as a sync step 2 answering a step 1 (and the provider offers its own big transactions
 * that way, see room-provider.ts).
 */
export const MAX_LIVE_UPDATE_STRUCTS = 200;
/**
 * Bytes one live update may carry: the largest message entry is about 51 KB of UTF-8
 * (MAX_ENTRY_CHARS characters of up to 3 bytes), so 256 KiB leaves room while bounding the work
 * of counting the structs of an update that names more than one client.
 */
export const MAX_LIVE_UPDATE_BYTES = 256 * 1024;

export type WireMessage =
  | { readonly kind: 'sync-step1'; readonly stateVector: Uint8Array }
  | { readonly kind: 'sync-step2'; readonly update: Uint8Array }
  | { readonly kind: 'sync-update'; readonly update: Uint8Array }
  | { readonly kind: 'awareness'; readonly update: Uint8Array }
  | { readonly kind: 'hello'; readonly clientId: number }
  | { readonly kind: 'sync-request' }
  | { readonly kind: 'invalid'; readonly reason: DropReason };

const invalid = (reason: DropReason): WireMessage => ({ kind: 'invalid', reason });

/** Reads a length-prefixed payload, refusing a length beyond the message instead of reading past it. */
function readPayload(decoder: decoding.Decoder): Uint8Array | null {
  const length = decoding.readVarUint(decoder);
  if (length > decoder.arr.length - decoder.pos) return null;
  return decoding.readUint8Array(decoder, length);
}

/** Parses one opened message; never throws: anything malformed is `invalid` with the reason to count. */
export function parseWireMessage(bytes: Uint8Array): WireMessage {
  let message: WireMessage;
  try {
    const decoder = decoding.createDecoder(bytes);
    const type = decoding.readVarUint(decoder);
    if (type === MESSAGE_SYNC) {
      const step = decoding.readVarUint(decoder);
      const payload = readPayload(decoder);
      if (payload === null) return invalid('decode');
      if (step === syncProtocol.messageYjsSyncStep1) message = { kind: 'sync-step1', stateVector: payload };
      else if (step === syncProtocol.messageYjsSyncStep2) message = { kind: 'sync-step2', update: payload };
      else if (step === syncProtocol.messageYjsUpdate) message = { kind: 'sync-update', update: payload };
      else return invalid('unknown_type');
    } else if (type === MESSAGE_AWARENESS) {
      const payload = readPayload(decoder);
      if (payload === null) return invalid('decode');
      message = { kind: 'awareness', update: payload };
    } else if (type === MESSAGE_HELLO) {
      // Yjs client ids are 32-bit; a larger one is not a client id.
      const clientId = decoding.readVarUint(decoder);
      if (clientId > 0xffffffff) return invalid('decode');
      message = { kind: 'hello', clientId };
    } else if (type === MESSAGE_SYNC_REQUEST) {
      message = { kind: 'sync-request' };
    } else {
      return invalid('unknown_type');
    }
    // Trailing bytes mean a sender that does not speak this protocol.
    if (decoding.hasContent(decoder)) return invalid('decode');
  } catch {
    // lib0 throws on a truncated varint or one over 53 bits.
    return invalid('decode');
  }
  return message;
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
    const decoder = decoding.createDecoder(update);
    const clients = decoding.readVarUint(decoder);
    if (clients === 0) return null;
    const firstCount = decoding.readVarUint(decoder);
    if (firstCount > MAX_LIVE_UPDATE_STRUCTS) return 'unsolicited';
    if (clients === 1) return null;
    return Y.decodeUpdate(update).structs.length > MAX_LIVE_UPDATE_STRUCTS ? 'unsolicited' : null;
  } catch {
    return 'decode';
  }
}

/**
 * Clock units (one per map entry, one per character of text) a sync step 2 answering
 * `stateVector` would carry: what `doc` holds beyond it. Throws on a malformed state vector.
 */
export function countMissing(doc: Y.Doc, stateVector: Uint8Array): number {
  const theirs = Y.decodeStateVector(stateVector);
  let missing = 0;
  for (const [client, clock] of Y.decodeStateVector(Y.encodeStateVector(doc))) missing += Math.max(0, clock - (theirs.get(client) ?? 0));
  return missing;
}

function syncMessage(write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_SYNC);
  write(encoder);
  return encoding.toUint8Array(encoder);
}

/** Sync step 1: our state vector, asking the peer for what we lack. */
export function encodeSyncStep1(doc: Y.Doc): Uint8Array {
  return syncMessage((encoder) => syncProtocol.writeSyncStep1(encoder, doc));
}

/** Sync step 2: what `doc` holds beyond `stateVector`. Throws on a malformed state vector. */
export function encodeSyncStep2(doc: Y.Doc, stateVector: Uint8Array): Uint8Array {
  return syncMessage((encoder) => syncProtocol.writeSyncStep2(encoder, doc, stateVector));
}

/** A live update, flooded to every peer. */
export function encodeSyncUpdate(update: Uint8Array): Uint8Array {
  return syncMessage((encoder) => syncProtocol.writeUpdate(encoder, update));
}

export function encodeAwareness(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_AWARENESS);
  encoding.writeVarUint8Array(encoder, update);
  return encoding.toUint8Array(encoder);
}

export function encodeHello(clientId: number): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_HELLO);
  encoding.writeVarUint(encoder, clientId);
  return encoding.toUint8Array(encoder);
}

export function encodeSyncRequest(): Uint8Array {
  return Uint8Array.of(MESSAGE_SYNC_REQUEST);
}
