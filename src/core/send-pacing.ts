/**
 * Pacing one's own sends within the room's flood rule (flood-gate.ts): the same token bucket every
 * member runs over an author's stamps, run ahead of time by the author's own device, so it waits
 * for a token instead of sending a message every member would hide. A person who pastes fifteen
 * lines sees the last ones wait a few seconds, never vanish.
 */
import type { FloodPolicy } from './flood-gate.js';

/** The same slack the flood gate allows for floating point (flood-gate.ts). */
const EPSILON = 1e-9;

export interface Pacer {
  /** Milliseconds from `nowMs` until a message stamped then would be within the rule; 0 if now. */
  waitMs(nowMs: number, policy: FloodPolicy): number;
  /** Records a message sent with a stamp at `wallMs` (its HLC wall time). */
  sent(wallMs: number, policy: FloodPolicy): void;
}

export function createPacer(): Pacer {
  /** Tokens left after the last message, and its stamp's wall time; null before the first. */
  let last: { tokens: number; wallMs: number } | null = null;
  const tokensAt = (wallMs: number, policy: FloodPolicy): number =>
    last === null ? policy.burst : Math.min(policy.burst, last.tokens + (Math.max(0, wallMs - last.wallMs) * policy.perSecond) / 1000);
  return {
    waitMs(nowMs, policy) {
      if (last === null) return 0;
      const at = Math.max(nowMs, last.wallMs);
      if (tokensAt(at, policy) >= 1 - EPSILON) return 0;
      // Tokens still missing, at the policy's rate; counted from when the stamp will have moved past the last one.
      return Math.ceil(at - nowMs + ((1 - tokensAt(at, policy)) * 1000) / policy.perSecond);
    },
    sent(wallMs, policy) {
      last = { tokens: Math.max(0, tokensAt(wallMs, policy) - 1), wallMs: Math.max(wallMs, last?.wallMs ?? wallMs) };
    },
  };
}
