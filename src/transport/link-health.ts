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
/**
 * After this device sends, a working path brings the peer's acknowledgement (SCTP) within a round
 * trip; nothing at all received this long after a send means the path is gone. Chromium's own
 * consent checks take about 6 s to say so ('disconnected'), 16 s to say 'failed' (NAT lab). 1.2 s
 * restarted living peers on a machine starved of CPU (tests/e2e/hostile-attacks.test.ts under load).
 */
export const SILENT_AFTER_SEND_MS = 2000;
/**
 * After a restart the silence after a send triggered, the next one waits this long: a peer that is
 * alive but too slow to answer in time (a starved machine) must not be restarted over and over.
 */
export const SILENCE_RESTART_COOLDOWN_MS = 30_000;
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
  /** Bytes received on the connection so far (null: unknown); read around a send to notice a dead path. */
  readonly receivedBytes?: () => Promise<number | null>;
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
  /** This side sent something: if nothing at all comes back within SILENT_AFTER_SEND_MS, the path is gone. */
  sent(): void;
  /** The signaling socket is back (it had died with the network): a restart under way is sent again over it. */
  signalingBack(): void;
  /** An offer/answer exchange completed: a restart's new ICE parameters are in place on both sides. */
  negotiated(): void;
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
  let watchingSend = false;
  let lastSilenceRestart = -Infinity;
  /**
   * Whether an offer/answer exchange completed since the restart began. Chromium can report
   * 'connected' for the old path just after a restart starts, so only that state after the new
   * parameters are in place means the path is back.
   */
  let negotiatedSince = false;
  /** The current attempt was sent again after the signaling socket came back (once per attempt). */
  let resent = false;

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

  const restartNow = (resending = false): void => {
    if (closed) return;
    resent = resending;
    graceTimer = clear(graceTimer);
    restartTimer = clear(restartTimer);
    if (attempts >= maxRestarts) {
      closed = true;
      options.onRestart?.('gave_up');
      options.giveUp();
      return;
    }
    attempts++;
    negotiatedSince = false;
    lastRestart = timers.now();
    options.onRestart?.('started');
    options.restart();
    restartTimer = timers.setTimeout(() => {
      restartTimer = undefined;
      if (negotiatedSince && isUp(options.state())) recovered();
      else restartNow();
    }, timeoutMs);
  };

  return {
    iceState(state) {
      if (closed) return;
      if (isUp(state)) {
        if (attempts === 0 || negotiatedSince) recovered();
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
    sent() {
      const read = options.receivedBytes;
      if (closed || watchingSend || read === undefined || restartTimer !== undefined) return;
      if (timers.now() - lastSilenceRestart < SILENCE_RESTART_COOLDOWN_MS) return;
      watchingSend = true;
      void read().then((before) => {
        if (before === null || closed) {
          watchingSend = false;
          return;
        }
        timers.setTimeout(() => {
          void read().then((after) => {
            watchingSend = false;
            if (closed || after === null || after !== before || restartTimer !== undefined) return;
            lastSilenceRestart = timers.now();
            restartNow();
          });
        }, SILENT_AFTER_SEND_MS);
      });
    },
    negotiated() {
      if (closed || attempts === 0) return;
      negotiatedSince = true;
      if (isUp(options.state())) recovered();
    },
    signalingBack() {
      // Once per attempt: a restart whose offer itself broke the socket must not loop forever.
      if (closed || restartTimer === undefined || resent) return;
      // Not a new attempt: the last one never reached the peer.
      attempts = Math.max(0, attempts - 1);
      restartNow(true);
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
