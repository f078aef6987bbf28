/** IPC messages between y-webrtc-compat.test.ts and the y-webrtc-peer.ts children it spawns. */

/** What a child is told, as JSON in the PARLEY_PEER environment variable. */
export interface PeerConfig {
  readonly signalingUrl: string;
  readonly room: string;
  /** This peer's key in the shared Y.Map. */
  readonly name: string;
  /** The other peer's key; the child reports once it has seen it (and its ack). */
  readonly other: string;
  /** y-webrtc password mode: signaling payloads are encrypted by the client. */
  readonly password?: string;
  /** The child gives up and exits on its own after this long, even if the parent is gone. */
  readonly lifetimeMs: number;
}

/** Child → parent. */
export type PeerReport =
  | {
      readonly type: 'converged';
      readonly name: string;
      /** The whole Y.Map as this peer sees it. */
      readonly entries: Readonly<Record<string, string>>;
      /** `provider.room.webrtcConns.size`: peers connected over WebRTC data channels. */
      readonly webrtcConns: number;
      /** WebRTC connections whose simple-peer reports `connected` (data channel open). */
      readonly webrtcConnected: number;
      /** `provider.room.bcConns.size`: peers reached over BroadcastChannel (must be 0 across processes). */
      readonly bcConns: number;
      /** Milliseconds from provider creation to convergence. */
      readonly elapsedMs: number;
    }
  | { readonly type: 'error'; readonly name: string; readonly message: string };

/** Parent → child. */
export type ParentCommand = { readonly type: 'exit' };

export function isPeerReport(value: unknown): value is PeerReport {
  if (typeof value !== 'object' || value === null) return false;
  const type = (value as { type?: unknown }).type;
  return type === 'converged' || type === 'error';
}

export function isParentCommand(value: unknown): value is ParentCommand {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'exit';
}

/** Keys the two peers write: first their own entry (exchanged by sync step 1/2 when the channel opens), then an ack (sent as a live update). */
export const entryKey = (name: string): string => name;
export const ackKey = (name: string): string => `${name}:ack`;
