/**
 * What a room's connections tell a person about the network: which members are reached directly
 * and which through a relay, which cannot be reached and why, and how ICE restarts went. The
 * provider plugs it between its signaling and its mesh (room-provider.ts); the room's state turns
 * the events into People badges, a hint, and Diagnostics counts.
 *
 * A member who cannot be reached never proved a key over a connection, so the name shown for them
 * comes from the key in their sealed announce: a hint a member could fake, never used for trust.
 */
import { toBase64Url } from '../crypto/encoding.js';
import type { Identity } from '../crypto/identity.js';
import type { RestartOutcome } from './link-health.js';
import type { ConnectFailure, PeerMesh } from './peer-mesh.js';
import type { SignalPayload, SignalingClient } from './signaling-client.js';
import type { ConnectionPath } from './simple-peer-factory.js';

export type ConnectivityEvent =
  | { readonly kind: 'connected'; readonly peerId: string }
  | { readonly kind: 'connect_failed'; readonly peerId: string; readonly key: string | null; readonly cause: ConnectFailure }
  | { readonly kind: 'restart'; readonly peerId: string; readonly outcome: RestartOutcome };

/** Announced keys remembered, by peer id (oldest forgotten first). */
const MAX_ANNOUNCED = 256;

export interface Connectivity {
  /** Adds our key to our announces, once it is known. */
  outgoing(payload: SignalPayload): SignalPayload;
  /** Notes the key an announce names. */
  incoming(payload: SignalPayload): void;
  connected(peerId: string): void;
  connectFailed(peerId: string, cause: ConnectFailure): void;
  /** A restart started (the signaling socket is checked: it carries the restart), recovered or gave up. */
  restarted(peerId: string, outcome: RestartOutcome): void;
  /** The path of each direct connection whose peer proved a key, by that key. */
  paths(mesh: PeerMesh, provenKeys: ReadonlyMap<string, string>): Promise<Record<string, ConnectionPath>>;
}

export function createConnectivity(
  whoAmI: () => Promise<{ readonly identity: Identity }>,
  signaling: () => SignalingClient,
  report: ((event: ConnectivityEvent) => void) | undefined,
): Connectivity {
  let ownKey: string | null = null;
  whoAmI().then(({ identity }) => void (ownKey = toBase64Url(identity.publicKey)), () => undefined);
  const announced = new Map<string, string>();

  return {
    outgoing: (payload) => (payload.kind === 'announce' && ownKey !== null ? { ...payload, key: ownKey } : payload),
    incoming(payload) {
      if (payload.kind !== 'announce' || payload.key === undefined) return;
      announced.delete(payload.from);
      if (announced.size >= MAX_ANNOUNCED) announced.delete(announced.keys().next().value as string);
      announced.set(payload.from, payload.key);
    },
    connected: (peerId) => report?.({ kind: 'connected', peerId }),
    connectFailed: (peerId, cause) => report?.({ kind: 'connect_failed', peerId, key: announced.get(peerId) ?? null, cause }),
    restarted(peerId, outcome) {
      if (outcome === 'started') signaling().probe();
      report?.({ kind: 'restart', peerId, outcome });
    },
    async paths(mesh, provenKeys) {
      const result: Record<string, ConnectionPath> = {};
      await Promise.all(
        [...provenKeys].map(async ([peerId, key]) => {
          const path = await mesh.path(peerId);
          if (path !== null) result[key] = path;
        }),
      );
      return result;
    },
  };
}
