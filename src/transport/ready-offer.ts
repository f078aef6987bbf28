/**
 * One offer made ahead of time: the next person who announces gets it at once instead of after a
 * new connection is set up and its offer created (25–45 ms of a loaded machine, on the joining
 * person's critical path). Its signals (offer, candidates) are held until it is given to someone.
 *
 * It is replaced after a while, used or not, so its candidates never describe a network the
 * device has since left. It is made only while `allowed()` says so: when the node offers a TURN
 * relay, a ready offer would hold a relay allocation per member for as long as they stay, used
 * or not, so connections are then made on demand (see peer-mesh.ts' caller).
 */
import type { MeshTimers, PeerLike } from './peer-mesh.js';

/** A ready offer is replaced after this long, whether used or not. */
export const READY_OFFER_MAX_AGE_MS = 5 * 60_000;

export interface ReadyOfferOptions {
  readonly timers: MeshTimers;
  readonly createPeer: (initiator: boolean) => PeerLike;
  /** Sends one of the offer's signals to the peer it was given to. */
  readonly send: (to: string, signal: unknown) => void;
  /** Make one this long after start (and after each use); off when undefined. */
  readonly afterMs: number | undefined;
  readonly maxAgeMs?: number;
  /** Whether one may be made now (the mesh is not full, no relay would be held...). */
  readonly allowed: () => boolean;
}

export interface ReadyOffers {
  /** Makes one later unless one is ready or planned. */
  schedule(): void;
  /** The ready offer's peer for `peerId`, its held signals sent; null if there is none fit to use. */
  take(peerId: string): PeerLike | null;
  destroy(): void;
}

interface ReadyOffer {
  readonly peer: PeerLike;
  readonly made: number;
  readonly held: unknown[];
  to: string | null;
  broken: boolean;
}

export function createReadyOffers(options: ReadyOfferOptions): ReadyOffers {
  const { timers } = options;
  const maxAgeMs = options.maxAgeMs ?? READY_OFFER_MAX_AGE_MS;
  let ready: ReadyOffer | null = null;
  let readyTimer: unknown;
  let refreshTimer: unknown;
  let destroyed = false;
  const cancel = (handle: unknown): void => {
    if (handle !== undefined) timers.clearTimeout(handle);
  };

  const schedule = (): void => {
    const delay = options.afterMs;
    if (delay === undefined || destroyed || ready !== null || readyTimer !== undefined) return;
    readyTimer = timers.setTimeout(() => {
      readyTimer = undefined;
      if (destroyed || ready !== null || !options.allowed()) return;
      let peer: PeerLike;
      try {
        peer = options.createPeer(true);
      } catch {
        return;
      }
      const offer: ReadyOffer = { peer, made: timers.now(), held: [], to: null, broken: false };
      peer.on('signal', (signal) => {
        if (offer.to === null) offer.held.push(signal);
        else options.send(offer.to, signal);
      });
      peer.on('error', () => void (offer.broken = true));
      peer.on('close', () => void (offer.broken = true));
      ready = offer;
      refreshTimer = timers.setTimeout(() => {
        if (ready !== offer) return;
        ready = null;
        offer.peer.destroy();
        schedule();
      }, maxAgeMs);
    }, delay);
  };

  return {
    schedule,
    take(peerId) {
      const offer = ready;
      ready = null;
      cancel(refreshTimer);
      schedule();
      if (offer === null) return null;
      if (offer.broken || timers.now() - offer.made > maxAgeMs || !options.allowed()) {
        offer.peer.destroy();
        return null;
      }
      offer.to = peerId;
      for (const signal of offer.held.splice(0)) options.send(peerId, signal);
      return offer.peer;
    },
    destroy() {
      destroyed = true;
      cancel(readyTimer);
      cancel(refreshTimer);
      ready?.peer.destroy();
      ready = null;
    },
  };
}
