/**
 * What a room's connections mean to the person using it: who is reached directly and who through
 * the relay (People), who cannot be reached and the likely reason (a hint under People), and the
 * counts behind it (Diagnostics). Fed by the provider's connectivity events (transport/connectivity.ts).
 */
import { t } from '../i18n/i18n.svelte.js';
import type { ConnectivityEvent } from '../transport/connectivity.js';
import type { ConnectFailure } from '../transport/peer-mesh.js';
import type { ConnectionPath } from '../transport/simple-peer-factory.js';

/** A member whose connection attempts failed; forgotten once they connect, or stop trying for this long. */
const UNREACHABLE_FOR_MS = 90_000;
const MAX_UNREACHABLE = 32;

export interface Unreachable {
  readonly peerId: string;
  /** The key their announce named (a hint), to show their nickname if People knows it. */
  readonly key: string | null;
  readonly cause: ConnectFailure;
  readonly at: number;
}

/** Why someone may be out of reach, in words a person can act on (in the page's language). */
export function reachHint(hasRelay: boolean, relayOnly: boolean): string {
  if (!hasRelay && relayOnly) return t('people.hint.relayOnlyWithoutRelay');
  if (!hasRelay) return t('people.hint.noRelay');
  return t('people.hint.blocked');
}

export class RoomConnectivity {
  /** How each directly connected member's traffic travels, by their key. */
  paths: Record<string, ConnectionPath> = $state.raw({});
  unreachable: readonly Unreachable[] = $state.raw([]);
  /** Connection attempts and restarts, by outcome; Diagnostics shows them. */
  counts: Record<string, number> = $state.raw({});
  /** The node offers a TURN relay (relay-only is possible). */
  hasRelay = $state(false);
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  count(name: string): void {
    this.counts = { ...this.counts, [name]: (this.counts[name] ?? 0) + 1 };
  }

  handle(event: ConnectivityEvent): void {
    if (event.kind === 'connected') {
      this.#forget(event.peerId);
      this.count('connected');
    } else if (event.kind === 'connect_failed') {
      this.count(`failed: ${event.cause.replace('_', ' ')}`);
      const rest = this.unreachable.filter((entry) => entry.peerId !== event.peerId);
      this.unreachable = [...rest, { peerId: event.peerId, key: event.key, cause: event.cause, at: this.#now() }].slice(-MAX_UNREACHABLE);
    } else {
      this.count(`restart: ${event.outcome.replace('_', ' ')}`);
    }
  }

  /** Forgets members who stopped trying. */
  expire(): void {
    const since = this.#now() - UNREACHABLE_FOR_MS;
    if (this.unreachable.some((entry) => entry.at < since)) this.unreachable = this.unreachable.filter((entry) => entry.at >= since);
  }

  #forget(peerId: string): void {
    if (this.unreachable.some((entry) => entry.peerId === peerId)) this.unreachable = this.unreachable.filter((entry) => entry.peerId !== peerId);
  }
}
