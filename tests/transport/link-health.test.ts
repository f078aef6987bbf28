import { describe, expect, it } from 'vitest';
import { createLinkHealth, DISCONNECTED_GRACE_MS, MAX_RESTARTS, RESTART_TIMEOUT_MS, SILENCE_RESTART_COOLDOWN_MS, SILENT_AFTER_SEND_MS, type RestartOutcome } from '../../src/transport/link-health.js';
import { FakeClock } from '../helpers/fake-clock.js';

/** One connection's health on a fake clock, recording what it did. */
function watch() {
  const clock = new FakeClock();
  let state = 'connected';
  let received = 0;
  const restarts: number[] = [];
  const outcomes: RestartOutcome[] = [];
  let gaveUp = 0;
  const health = createLinkHealth({
    timers: clock,
    restart: () => restarts.push(clock.now()),
    giveUp: () => void gaveUp++,
    onRestart: (outcome) => outcomes.push(outcome),
    state: () => state,
    receivedBytes: async () => received,
  });
  const report = (next: string): void => {
    state = next;
    health.iceState(next);
  };
  return { clock, health, report, restarts, outcomes, gaveUp: () => gaveUp, receive: (bytes: number) => void (received += bytes) };
}

describe('a live connection that loses its path', () => {
  it('rides out a disconnect that heals within the grace, without restarting', () => {
    const link = watch();
    link.report('disconnected');
    link.clock.advance(DISCONNECTED_GRACE_MS - 1);
    link.report('connected');
    link.clock.advance(60_000);
    expect(link.restarts).toEqual([]);
  });

  it('restarts ICE once a disconnect outlasts the grace, and reports the recovery', () => {
    const link = watch();
    link.report('disconnected');
    link.clock.advance(DISCONNECTED_GRACE_MS);
    expect(link.restarts).toHaveLength(1);
    link.clock.advance(10);
    link.report('checking');
    link.health.negotiated();
    link.report('connected');
    link.clock.advance(60_000);
    expect(link.restarts).toHaveLength(1);
    expect(link.outcomes).toEqual(['started', 'recovered']);
  });

  it('restarts at once on failed, again when a restart brings nothing, and gives up after the last', () => {
    const link = watch();
    link.report('failed');
    expect(link.restarts).toHaveLength(1);
    link.clock.advance(RESTART_TIMEOUT_MS * MAX_RESTARTS);
    expect(link.restarts).toHaveLength(MAX_RESTARTS);
    expect(link.gaveUp()).toBe(1);
    expect(link.outcomes.at(-1)).toBe('gave_up');
    // Once given up, nothing more: the mesh has made a new connection.
    link.report('failed');
    expect(link.restarts).toHaveLength(MAX_RESTARTS);
  });

  it('counts a restart over a path that never broke as recovered when its time is up, not as a failure', () => {
    const link = watch();
    link.health.networkChanged();
    expect(link.restarts).toHaveLength(1);
    // The old path kept working: the exchange completes, and no state change follows.
    link.health.negotiated();
    link.clock.advance(RESTART_TIMEOUT_MS);
    expect(link.outcomes).toEqual(['started', 'recovered']);
    link.clock.advance(RESTART_TIMEOUT_MS * 5);
    expect(link.restarts).toHaveLength(1);
    expect(link.gaveUp()).toBe(0);
  });

  it('treats the peer asking to restart right after our own restart as the same restart', () => {
    const link = watch();
    link.report('failed');
    expect(link.health.peerAsked()).toBe(false);
    link.clock.advance(5000);
    link.health.negotiated();
    link.report('connected');
    expect(link.health.peerAsked()).toBe(true);
    expect(link.restarts).toHaveLength(2);
  });

  it("does not take the old path's 'connected', reported before the new parameters are in place, for a recovery", () => {
    const link = watch();
    link.report('disconnected');
    link.clock.advance(DISCONNECTED_GRACE_MS);
    link.report('connected');
    expect(link.outcomes).toEqual(['started']);
    // The restart never completed: it is tried again.
    link.clock.advance(RESTART_TIMEOUT_MS);
    expect(link.restarts).toHaveLength(2);
    link.health.negotiated();
    expect(link.outcomes).toEqual(['started', 'started', 'recovered']);
  });

  it('notices a dead path from a send that brings nothing back, long before the browser says disconnected', async () => {
    const link = watch();
    link.health.sent();
    await Promise.resolve();
    link.receive(120); // the acknowledgement
    link.clock.advance(SILENT_AFTER_SEND_MS);
    await Promise.resolve();
    expect(link.restarts).toEqual([]);
    link.health.sent();
    await Promise.resolve();
    link.clock.advance(SILENT_AFTER_SEND_MS);
    await Promise.resolve();
    expect(link.restarts).toHaveLength(1);
    // A peer that is alive but slow is not restarted again and again: one silence restart per cooldown.
    link.health.negotiated();
    link.report('connected');
    link.health.sent();
    await Promise.resolve();
    link.clock.advance(SILENT_AFTER_SEND_MS);
    await Promise.resolve();
    expect(link.restarts).toHaveLength(1);
    link.clock.advance(SILENCE_RESTART_COOLDOWN_MS);
    link.health.sent();
    await Promise.resolve();
    link.clock.advance(SILENT_AFTER_SEND_MS);
    await Promise.resolve();
    expect(link.restarts).toHaveLength(2);
  });

  it('sends a restart again when the signaling socket comes back, once per attempt, without counting the lost one', () => {
    const link = watch();
    link.report('failed');
    link.health.signalingBack();
    // A restart whose own offer broke the socket (too big for the node) would otherwise loop for ever.
    link.health.signalingBack();
    link.health.signalingBack();
    expect(link.restarts).toHaveLength(2);
    link.clock.advance(RESTART_TIMEOUT_MS * (MAX_RESTARTS - 1));
    expect(link.gaveUp()).toBe(0);
    // A later attempt may be sent again once too.
    link.health.signalingBack();
    expect(link.restarts).toHaveLength(2 + (MAX_RESTARTS - 1) + 1);
    link.clock.advance(RESTART_TIMEOUT_MS * 2);
    expect(link.gaveUp()).toBe(1);
  });

  it('restarts at most once however often a hostile peer asks at once', () => {
    const link = watch();
    let granted = 0;
    for (let i = 0; i < 1000; i++) if (link.health.peerAsked()) granted++;
    expect(granted).toBe(1);
    expect(link.restarts).toHaveLength(1);
  });

  it('does nothing once closed', () => {
    const link = watch();
    link.report('disconnected');
    link.health.close();
    link.clock.advance(60_000);
    link.health.networkChanged();
    expect(link.restarts).toEqual([]);
  });
});
