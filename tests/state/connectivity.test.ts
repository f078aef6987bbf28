import { describe, expect, it } from 'vitest';
import { reachHint, RoomConnectivity } from '../../src/state/connectivity.svelte.js';

describe('who can be reached, as People shows it', () => {
  it('lists a member whose connection failed, with the cause, until they connect', () => {
    let now = 1_000_000;
    const state = new RoomConnectivity(() => now);
    state.handle({ kind: 'connect_failed', peerId: 'p1', key: 'k1', cause: 'no_path' });
    state.handle({ kind: 'connect_failed', peerId: 'p1', key: 'k1', cause: 'timeout' });
    expect(state.unreachable).toEqual([{ peerId: 'p1', key: 'k1', cause: 'timeout', at: now }]);
    expect(state.counts).toEqual({ 'failed: no path': 1, 'failed: timeout': 1 });
    now += 1000;
    state.handle({ kind: 'connected', peerId: 'p1' });
    expect(state.unreachable).toEqual([]);
    state.handle({ kind: 'restart', peerId: 'p1', outcome: 'started' });
    state.handle({ kind: 'restart', peerId: 'p1', outcome: 'recovered' });
    expect(state.counts).toMatchObject({ connected: 1, 'restart: started': 1, 'restart: recovered': 1 });
  });

  it('forgets members who stopped trying, and keeps at most 32 however many fail', () => {
    let now = 0;
    const state = new RoomConnectivity(() => now);
    for (let i = 0; i < 100; i++) state.handle({ kind: 'connect_failed', peerId: `p${i}`, key: null, cause: 'timeout' });
    expect(state.unreachable).toHaveLength(32);
    now = 89_999;
    state.expire();
    expect(state.unreachable).toHaveLength(32);
    now = 90_001;
    state.expire();
    expect(state.unreachable).toHaveLength(0);
  });

  it('gives the reason a person can act on', () => {
    expect(reachHint(false, false)).toBe('this server has no relay configured');
    expect(reachHint(false, true)).toMatch(/Hide my IP address.*no relay/);
    expect(reachHint(true, false)).toMatch(/not even through the relay/);
  });
});
