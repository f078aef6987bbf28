/**
 * Whom the provider refuses to talk to: peer ids cut off for flooding (for a while) or because
 * they proved to be a refused key (for good, until an unblock), and the keys refused. Bounded:
 * the oldest refused peer id is forgotten beyond MAX_REFUSED_PEERS.
 */
const MAX_REFUSED_PEERS = 1024;
/** Peer ids remembered per refused key, so an unblock can let them back. */
const MAX_PEERS_PER_KEY = 16;

export interface Refusals {
  isRefusedPeer(peerId: string): boolean;
  /** Refuses `peerId` for `forMs` (Infinity: until allowed again), optionally because it proved `key`. */
  refusePeer(peerId: string, forMs: number, key?: string): void;
  isRefusedKey(key: string): boolean;
  refuseKey(key: string): void;
  /** Lets `key` back; returns the peer ids refused because of it (now let back too), or null if it was not refused. */
  allowKey(key: string): string[] | null;
}

export function createRefusals(now: () => number): Refusals {
  const peers = new Map<string, number>();
  const keys = new Set<string>();
  const peersOfKeys = new Map<string, string[]>();
  return {
    isRefusedPeer(peerId) {
      const until = peers.get(peerId);
      if (until === undefined) return false;
      if (now() < until) return true;
      peers.delete(peerId);
      return false;
    },
    refusePeer(peerId, forMs, key) {
      peers.delete(peerId);
      if (peers.size >= MAX_REFUSED_PEERS) {
        const oldest = peers.keys().next().value;
        if (oldest !== undefined) peers.delete(oldest);
      }
      peers.set(peerId, now() + forMs);
      if (key !== undefined) peersOfKeys.set(key, [...(peersOfKeys.get(key) ?? []), peerId].slice(-MAX_PEERS_PER_KEY));
    },
    isRefusedKey: (key) => keys.has(key),
    refuseKey: (key) => void keys.add(key),
    allowKey(key) {
      if (!keys.delete(key)) return null;
      const backIn = peersOfKeys.get(key) ?? [];
      peersOfKeys.delete(key);
      for (const peerId of backIn) peers.delete(peerId);
      return backIn;
    },
  };
}
