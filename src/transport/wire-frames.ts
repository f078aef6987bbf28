/**
 * Data-channel framing: every message is sealed with the room's wire key (AES-256-GCM, native:
 * a 30 MiB history seals in milliseconds, where tweetnacl took 0.6 s each way), then cut into
 * chunks well under the 256 KiB data-channel limit (a `send` of 262,145 bytes closes the channel, measured in Chromium).
 *
 * Chunk layout (big-endian): [version u8][message id u32][index u32][count u32][sealed bytes…].
 * Chunk headers are not secret; a peer that tampers with them only breaks reassembly of its own
 * messages, which then fail to open and are dropped and counted.
 */
import { AES_GCM_OVERHEAD, openAesGcm, sealAesGcm } from '../crypto/aes-gcm.js';
import type { DropReason } from '../core/types.js';

/** 2: histories in pieces, signed presence and proven hellos (wire-messages.ts); version 1 peers are dropped as malformed. */
const FRAME_VERSION = 2;
const HEADER_BYTES = 13;
/** 16 KiB chunks: the size every WebRTC stack delivers without fragmentation trouble. */
export const CHUNK_PAYLOAD_BYTES = 16 * 1024 - HEADER_BYTES;

/**
 * The largest message peers exchange, opened: a live update (256 KiB), a history piece (256 KiB
 * and one entry), a presence greeting (1,000 signed records). Histories travel in pieces
 * (core/history-pieces.ts), so no message ever needs more, and nothing larger is reassembled.
 */
export const MAX_MESSAGE_BYTES = 512 * 1024;
/** Chunks one sealed message of MAX_MESSAGE_BYTES takes. */
export const MAX_CHUNKS = Math.ceil((MAX_MESSAGE_BYTES + AES_GCM_OVERHEAD) / CHUNK_PAYLOAD_BYTES);
/** Bytes of partial messages one link may hold: two of the largest at once. */
export const LINK_PARTIAL_BYTES = 2 * MAX_CHUNKS * CHUNK_PAYLOAD_BYTES;
/** Bytes of partial messages the whole page may hold, over every link. */
export const PAGE_PARTIAL_BYTES = 8 * 1024 * 1024;
/** A partial message not completed this long after its first chunk is dropped (a 512 KiB message takes ~4 s at 1 Mbit/s). */
export const PARTIAL_EXPIRY_MS = 15_000;
/** Stale partial messages are looked for at most this often (every chunk of a history need not look). */
const EXPIRY_SWEEP_MS = 1000;

export interface ReassemblyLimits {
  readonly maxMessageBytes: number;
  readonly maxPartialBytes: number;
  readonly maxPartialMessages: number;
  readonly expiryMs: number;
}

export const DEFAULT_REASSEMBLY_LIMITS: ReassemblyLimits = { maxMessageBytes: MAX_MESSAGE_BYTES, maxPartialBytes: LINK_PARTIAL_BYTES, maxPartialMessages: 4, expiryMs: PARTIAL_EXPIRY_MS };

/** Seals `message` and splits it into chunks ready for the data channel. */
export async function sealAndChunk(wireKey: Uint8Array, message: Uint8Array, messageId: number): Promise<Uint8Array[]> {
  const sealed = await sealAesGcm(wireKey, message);
  const count = Math.max(1, Math.ceil(sealed.length / CHUNK_PAYLOAD_BYTES));
  const chunks: Uint8Array[] = [];
  for (let index = 0; index < count; index++) {
    const part = sealed.subarray(index * CHUNK_PAYLOAD_BYTES, (index + 1) * CHUNK_PAYLOAD_BYTES);
    const chunk = new Uint8Array(HEADER_BYTES + part.length);
    const view = new DataView(chunk.buffer);
    view.setUint8(0, FRAME_VERSION);
    view.setUint32(1, messageId >>> 0);
    view.setUint32(5, index);
    view.setUint32(9, count);
    chunk.set(part, HEADER_BYTES);
    chunks.push(chunk);
  }
  return chunks;
}

interface PartialMessage {
  readonly count: number;
  readonly parts: Array<Uint8Array | undefined>;
  /** Bytes reserved against the budgets at the first chunk: the whole message's worth. */
  readonly reserved: number;
  readonly startedAt: number;
  received: number;
  bytes: number;
}

/** A complete sealed message, still to be opened with openFrame; or why a chunk was dropped. */
export type ChunkResult = { readonly kind: 'complete'; readonly sealed: Uint8Array } | { readonly kind: 'pending' } | { readonly kind: 'dropped'; readonly reason: DropReason };

/** Opens a message reassembled from chunks; null if it was not sealed with this key or was altered. Never throws. */
export function openFrame(wireKey: Uint8Array, sealed: Uint8Array): Promise<Uint8Array | null> {
  return openAesGcm(wireKey, sealed);
}

/** One link's reassembly: push chunks in, get complete sealed messages out. */
export interface Reassembler {
  /** Never throws: bad input, a budget exceeded or an expired message yields `dropped`. */
  push(chunk: Uint8Array): ChunkResult;
  /** Bytes this link's partial messages hold (reserved). */
  partialBytes(): number;
  /** Drops partial messages older than the expiry; returns how many. */
  expire(): number;
  /** Forgets everything (the link closed), giving its bytes back to the page's budget. */
  clear(): void;
}

/**
 * The page-wide budget every link's reassembler draws on, so many attacking connections together
 * cannot hold more than PAGE_PARTIAL_BYTES; it also expires stale partial messages on every link
 * whenever any link receives something.
 */
export class ReassemblyBudget {
  readonly limit: number;
  used = 0;
  readonly #members = new Set<Reassembler>();
  constructor(limit: number = PAGE_PARTIAL_BYTES) {
    this.limit = limit;
  }
  join(member: Reassembler): void {
    this.#members.add(member);
  }
  leave(member: Reassembler): void {
    this.#members.delete(member);
  }
  #lastSweep = -Infinity;
  /** Expires stale partial messages on every link, at most once a second of `now`; returns how many were dropped. */
  expireAll(now: number = performance.now()): number {
    if (now - this.#lastSweep < EXPIRY_SWEEP_MS) return 0;
    this.#lastSweep = now;
    let dropped = 0;
    for (const member of this.#members) dropped += member.expire();
    return dropped;
  }
}

export interface ReassemblerOptions {
  readonly limits?: Partial<ReassemblyLimits>;
  /** The page's budget; a private one of PAGE_PARTIAL_BYTES when not given. */
  readonly budget?: ReassemblyBudget;
  /** Milliseconds, for expiry. */
  readonly now?: () => number;
  /** A partial message of this link expired (possibly noticed while another link was receiving): counted, a strike. */
  readonly onExpired?: () => void;
}

/** Reassembles one peer's chunks into sealed messages within the link's and the page's budgets. */
export function createReassembler(options: ReassemblerOptions = {}): Reassembler {
  const limits = { ...DEFAULT_REASSEMBLY_LIMITS, ...options.limits };
  const budget = options.budget ?? new ReassemblyBudget();
  const now = options.now ?? ((): number => performance.now());
  const partials = new Map<number, PartialMessage>();
  const maxCount = Math.ceil((limits.maxMessageBytes + AES_GCM_OVERHEAD) / CHUNK_PAYLOAD_BYTES);
  let held = 0;
  const drop = (reason: DropReason): ChunkResult => ({ kind: 'dropped', reason });
  const forget = (id: number, partial: PartialMessage): void => {
    partials.delete(id);
    held -= partial.reserved;
    budget.used -= partial.reserved;
  };
  const reassembler: Reassembler = {
    push(chunk) {
      if (chunk.length <= HEADER_BYTES || chunk[0] !== FRAME_VERSION) return drop('chunk');
      const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      const id = view.getUint32(1);
      const index = view.getUint32(5);
      const count = view.getUint32(9);
      const body = chunk.subarray(HEADER_BYTES);
      // The size is known from the first chunk's header: checked before anything is kept or opened.
      if (count === 0 || index >= count || body.length > CHUNK_PAYLOAD_BYTES) return drop('chunk');
      if (count > maxCount) return drop('size');
      if (count === 1) return { kind: 'complete', sealed: body.slice() };
      budget.expireAll(now());
      let partial = partials.get(id);
      if (partial === undefined) {
        const reserved = count * CHUNK_PAYLOAD_BYTES;
        if (partials.size >= limits.maxPartialMessages || held + reserved > limits.maxPartialBytes || budget.used + reserved > budget.limit) return drop('budget');
        partial = { count, parts: new Array<Uint8Array | undefined>(count), reserved, startedAt: now(), received: 0, bytes: 0 };
        partials.set(id, partial);
        held += reserved;
        budget.used += reserved;
      }
      if (partial.count !== count || partial.parts[index] !== undefined) {
        forget(id, partial);
        return drop('chunk');
      }
      // A view, not a copy: each chunk arrives in a buffer of its own, and the parts are copied once into the whole.
      partial.parts[index] = body;
      partial.received++;
      partial.bytes += body.length;
      if (partial.received < count) return { kind: 'pending' };
      forget(id, partial);
      const sealed = new Uint8Array(partial.bytes);
      let at = 0;
      for (const part of partial.parts as Uint8Array[]) {
        sealed.set(part, at);
        at += part.length;
      }
      return { kind: 'complete', sealed };
    },
    partialBytes: () => held,
    expire() {
      const cutoff = now() - limits.expiryMs;
      let dropped = 0;
      for (const [id, partial] of partials) {
        if (partial.startedAt > cutoff) continue;
        forget(id, partial);
        dropped++;
        options.onExpired?.();
      }
      return dropped;
    },
    clear() {
      for (const [id, partial] of partials) forget(id, partial);
      budget.leave(reassembler);
    },
  };
  budget.join(reassembler);
  return reassembler;
}
