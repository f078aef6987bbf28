/**
 * Rate limits on what one peer sends: a token bucket per peer and message class, and a strike
 * counter that tells when a peer has gone over its limits so often that it should be cut off.
 * Time comes from `now` (milliseconds) so tests can drive it without waiting.
 */

export interface TokenBucketOptions {
  /** Tokens the bucket holds when full: how much may arrive back to back. At least 1. */
  readonly burst: number;
  /** Tokens added per second: the sustained rate. Above 0. */
  readonly perSecond: number;
  /** Milliseconds; monotonic `performance.now` by default, so a wall-clock change cannot refill a bucket. */
  readonly now?: () => number;
}

export interface TokenBucket {
  /** Spends `cost` tokens (default 1) if the bucket holds them; otherwise spends nothing and returns false. */
  take(cost?: number): boolean;
  /** Milliseconds until `cost` tokens (default 1) will be there; 0 if they are now. */
  waitMs(cost?: number): number;
}

/** Creates a full bucket. */
export function createTokenBucket(options: TokenBucketOptions): TokenBucket {
  const { burst, perSecond } = options;
  if (!(burst >= 1) || !(perSecond > 0)) throw new RangeError('a token bucket needs burst >= 1 and perSecond > 0');
  const now = options.now ?? ((): number => performance.now());
  let tokens = burst;
  let last = now();
  const refill = (): void => {
    const at = now();
    // A clock that steps back adds nothing rather than taking tokens away.
    tokens = Math.min(burst, tokens + (Math.max(0, at - last) * perSecond) / 1000);
    last = at;
  };
  // A cost above the burst could never be paid; it is charged as a full bucket instead.
  const clamp = (cost: number): number => Math.min(cost, burst);
  return {
    take(cost = 1): boolean {
      refill();
      if (tokens < clamp(cost)) return false;
      tokens -= clamp(cost);
      return true;
    },
    waitMs(cost = 1): number {
      refill();
      const missing = clamp(cost) - tokens;
      return missing <= 0 ? 0 : Math.ceil((missing * 1000) / perSecond);
    },
  };
}

export interface StrikeCounterOptions {
  /** Strikes tolerated within one window; the one after them reports "over". */
  readonly limit: number;
  /** Length of a window in milliseconds; it starts at the first strike after the previous one ended. */
  readonly windowMs: number;
  readonly now?: () => number;
}

export interface StrikeCounter {
  /** Records `weight` strikes (default 1); true when more than `limit` fell within the current window. */
  strike(weight?: number): boolean;
}

/** Creates a counter with no strikes. */
export function createStrikeCounter(options: StrikeCounterOptions): StrikeCounter {
  const now = options.now ?? ((): number => performance.now());
  let windowStart = -Infinity;
  let count = 0;
  return {
    strike(weight = 1): boolean {
      const at = now();
      if (at - windowStart > options.windowMs) {
        windowStart = at;
        count = 0;
      }
      count += weight;
      return count > options.limit;
    },
  };
}
