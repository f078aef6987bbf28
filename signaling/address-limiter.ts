/**
 * Token buckets keyed by client address (an IPv4 address or an IPv6 network, see
 * client-address.ts), for requests that cost the node something per request: /ice mints a
 * credential, the STUN responder sends a datagram to a source it cannot verify.
 * Memory is bounded: a key whose bucket has refilled is the same as an absent key and is swept
 * away, and at `maxKeys` the oldest key is dropped (which only hands it a fresh bucket).
 */
import type { Clock } from './relay.js';

export interface AddressLimiterOptions {
  /** Tokens added per second. */
  readonly perSecond: number;
  /** Bucket size: requests allowed at once. */
  readonly burst: number;
  /** Keys kept at most. */
  readonly maxKeys: number;
  /** Monotonic milliseconds. */
  readonly now: Clock;
}

export interface AddressLimiter {
  /** Takes one token for `key`: 0 when allowed, otherwise the milliseconds until one is there. */
  take(key: string): number;
  /** Keys held now. */
  size(): number;
  /** Drops every key whose bucket has refilled. */
  sweep(): void;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Sweeping walks every key, so under a flood of new keys it runs at most this often. */
const SWEEP_INTERVAL_MS = 1000;

export function createAddressLimiter(options: AddressLimiterOptions): AddressLimiter {
  const { perSecond, burst, maxKeys, now } = options;
  const perMs = perSecond / 1000;
  const refillMs = burst / perMs;
  const buckets = new Map<string, Bucket>();
  let sweptAt = Number.NEGATIVE_INFINITY;

  const sweep = (): void => {
    const time = now();
    sweptAt = time;
    for (const [key, bucket] of buckets) if (time - bucket.at >= refillMs) buckets.delete(key);
  };

  const admit = (key: string, time: number): void => {
    if (buckets.size >= maxKeys && time - sweptAt >= SWEEP_INTERVAL_MS) sweep();
    if (buckets.size >= maxKeys) {
      const oldest = buckets.keys().next().value;
      if (oldest !== undefined) buckets.delete(oldest);
    }
    buckets.set(key, { tokens: burst - 1, at: time });
  };

  return {
    take(key) {
      const time = now();
      const bucket = buckets.get(key);
      if (bucket === undefined) {
        admit(key, time);
        return 0;
      }
      bucket.tokens = Math.min(burst, bucket.tokens + (time - bucket.at) * perMs);
      bucket.at = time;
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return 0;
      }
      return Math.ceil((1 - bucket.tokens) / perMs);
    },
    size: () => buckets.size,
    sweep,
  };
}
