/**
 * Keeps one live connection through network changes: when its ICE path goes `failed`, or stays
 * `disconnected` past a short grace, or the browser says the network changed (`online`), ICE is
 * restarted over the sealed signaling. A restart keeps the DTLS session and the data channel, so
 * messages written meanwhile wait in the channel and go out once the new path is up. Only when
 * several restarts in a row fail is the connection torn down and made again.
 *
 * Pure: the clock is injected (MeshTimers), so tests move time by hand.
 */
import type { MeshTimers } from './peer-mesh.js';

/**
 * Chromium reports `disconnected` after about 2.5 s without an answer to its consent checks; a
 * path that comes back by itself (a brief Wi-Fi hiccup) does so within a second of that. Waiting
 * longer only adds to the time a person stares at a stalled conversation.
 */
export const DISCONNECTED_GRACE_MS = 1000;
/** A restart that has not brought the path back in this long is tried again. */
export const RESTART_TIMEOUT_MS = 8000;
/** Restarts in a row before the connection is torn down and redone from the start. */
export const MAX_RESTARTS = 3;
/** A peer's request to restart that comes this soon after one of ours is the same restart. */
const SAME_RESTART_MS = 2000;

export type RestartOutcome = 'started' | 'recovered' | 'gave_up';

export interface LinkHealthOptions {
  readonly timers: MeshTimers;
  /** Restart ICE now (or ask the peer to, on the answering side). */
  readonly restart: () => void;
  /** Restarts did not bring the path back: tear the connection down (the mesh then makes a new one). */
  readonly giveUp: () => void;
  readonly onRestart?: (outcome: RestartOutcome) => void;
  /**
   * The connection's ICE state now. A restart of a path that still works (the network changed
   * but the old path survived) may never leave `connected`, so no state change says it is over:
   * when its time is up, a connected state counts as recovered rather than as a failed restart.
   */
  readonly state: () => string;
  readonly graceMs?: number;
  readonly restartTimeoutMs?: number;
  readonly maxRestarts?: number;
}

export interface LinkHealth {
  /** Each ICE connection state the connection reports. */
  iceState(state: string): void;
  /** The network changed (the browser fired `online`): restart now, the old path may be gone. */
  networkChanged(): void;
  /** The peer asks for a restart; true if this side should restart now (not already doing one). */
  peerAsked(): boolean;
  close(): void;
}

export function createLinkHealth(options: LinkHealthOptions): LinkHealth {
  const { timers } = options;
  const graceMs = options.graceMs ?? DISCONNECTED_GRACE_MS;
  const timeoutMs = options.restartTimeoutMs ?? RESTART_TIMEOUT_MS;
  const maxRestarts = options.maxRestarts ?? MAX_RESTARTS;
  let graceTimer: unknown;
  let restartTimer: unknown;
  let attempts = 0;
  let lastRestart = -Infinity;
  let closed = false;

  const clear = (handle: unknown): undefined => {
    if (handle !== undefined) timers.clearTimeout(handle);
    return undefined;
  };

  const isUp = (state: string): boolean => state === 'connected' || state === 'completed';
  const recovered = (): void => {
    graceTimer = clear(graceTimer);
    restartTimer = clear(restartTimer);
    if (attempts === 0) return;
    attempts = 0;
    options.onRestart?.('recovered');
  };

  const restartNow = (): void => {
    if (closed) return;
    graceTimer = clear(graceTimer);
    restartTimer = clear(restartTimer);
    if (attempts >= maxRestarts) {
      closed = true;
      options.onRestart?.('gave_up');
      options.giveUp();
      return;
    }
    attempts++;
    lastRestart = timers.now();
    options.onRestart?.('started');
    options.restart();
    restartTimer = timers.setTimeout(() => {
      restartTimer = undefined;
      if (isUp(options.state())) recovered();
      else restartNow();
    }, timeoutMs);
  };

  return {
    iceState(state) {
      if (closed) return;
      if (isUp(state)) {
        // A restart's own first report can be the old path's 'connected'; only a state after the
        // restart began counts, and a still-working old path is confirmed by the timer above.
        if (attempts === 0 || timers.now() > lastRestart) recovered();
      } else if (state === 'failed') {
        restartNow();
      } else if (state === 'disconnected' && graceTimer === undefined && restartTimer === undefined) {
        graceTimer = timers.setTimeout(() => {
          graceTimer = undefined;
          restartNow();
        }, graceMs);
      }
    },
    networkChanged() {
      if (closed || timers.now() - lastRestart < SAME_RESTART_MS) return;
      restartNow();
    },
    peerAsked() {
      if (closed || timers.now() - lastRestart < SAME_RESTART_MS) return false;
      restartNow();
      return true;
    },
    close() {
      closed = true;
      graceTimer = clear(graceTimer);
      restartTimer = clear(restartTimer);
    },
  };
}
