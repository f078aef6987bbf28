/**
 * What the peer mesh (peer-mesh.ts) needs of a connection and a clock, and the writer it hands out
 * for a connected peer's data channel, with that channel's backpressure.
 */
import type { ChunkWriter } from './link-sender.js';
import type { ConnectionPath } from './simple-peer-factory.js';

/** The part of a simple-peer instance used here. */
export interface PeerLike {
  signal(data: unknown): void;
  write(chunk: Uint8Array): boolean;
  destroy(): void;
  readonly connected: boolean;
  on(event: 'signal', listener: (data: unknown) => void): this;
  on(event: 'connect' | 'close' | 'drain' | 'negotiated', listener: () => void): this;
  on(event: 'data', listener: (data: Uint8Array) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  /** A writer straight to the data channel, with its own backpressure (simple-peer-factory.ts); absent: write() and 'drain'. */
  channelWriter?(): ChunkWriter | null;
  /** Opens the files channel (files-channel.ts) and hands its messages to `onMessage`; absent or null: files go on the main channel. */
  bulkChannel?(onMessage: (chunk: Uint8Array) => void): ChunkWriter | null;
  /** ICE state changes (simple-peer's 'iceStateChange'): what link-health.ts watches. */
  on(event: 'iceStateChange', listener: (state: string) => void): this;
  /** Restart ICE, or ask the offering side to (simple-peer-factory.ts); absent: no restarts. */
  restartIce?(): void;
  /** Pass new ICE servers / policy to the live connection. */
  setConfiguration?(configuration: RTCConfiguration): void;
  /** Bytes received on the connection's transport; link-health.ts reads it around sends. */
  receivedBytes?(): Promise<number | null>;
  /** 'direct' or 'relayed', from the selected candidate pair. */
  connectionPath?(): Promise<ConnectionPath | null>;
  /** The live RTCPeerConnection for calls (simple-peer-factory.ts); absent or null: no media. */
  mediaConnection?(): { readonly connection: RTCPeerConnection; readonly polite: boolean } | null;
}

/**
 * The clock the mesh reads and schedules with: the real one by default; tests pass a fake they
 * advance by hand, so timeouts and offer ages are exact instead of raced against real time.
 */
export interface MeshTimers {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `callback` once, `ms` from now; returns a handle for clearTimeout (never undefined). */
  setTimeout(callback: () => void, ms: number): unknown;
  /** Cancels a handle `setTimeout` returned; a handle that already ran or was cancelled is ignored. */
  clearTimeout(handle: unknown): void;
}

export const REAL_TIMERS: MeshTimers = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** What the writer needs of its mesh entry: still the peer's connection, a send to note, a failure to act on. */
export interface WriterHooks {
  current(): boolean;
  sent(): void;
  failed(): void;
}

/**
 * A writer to one connected peer: straight to the data channel where the peer offers that
 * (simple-peer-factory.ts), else through simple-peer's write() and 'drain'. A write that throws
 * (the channel closed under it) drops the connection; writes to a replaced connection are no-ops.
 */
export function peerWriter(peer: PeerLike, hooks: WriterHooks): ChunkWriter {
  const direct = peer.channelWriter?.() ?? null;
  const write = (send: (chunk: Uint8Array) => boolean) => (chunk: Uint8Array): boolean => {
    if (!hooks.current()) return true;
    hooks.sent();
    try {
      return send(chunk);
    } catch {
      hooks.failed();
      return true;
    }
  };
  if (direct !== null) return { write: write((chunk) => direct.write(chunk)), onDrain: (listener) => direct.onDrain(listener) };
  return { write: write((chunk) => peer.write(chunk)), onDrain: (listener) => void peer.on('drain', listener) };
}
