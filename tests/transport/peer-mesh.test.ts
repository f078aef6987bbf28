import { describe, expect, it } from 'vitest';
import { createPeerMesh, type PeerLike, type PeerMesh } from '../../src/transport/peer-mesh.js';
import type { SignalPayload } from '../../src/transport/signaling-client.js';
import { FakeClock } from '../helpers/fake-clock.js';

/**
 * Meshes joined through an in-memory signaling bus (delivered in order, like the node) and fake
 * peers that "connect" when an offer has been answered. Deterministic: no WebRTC, and no real
 * timers: every mesh and peer of a room runs on one FakeClock that moves only when a test says so.
 */

class FakePeer implements PeerLike {
  connected = false;
  private readonly listeners = new Map<string, Array<(arg?: unknown) => void>>();
  remote: FakePeer | null = null;
  constructor(readonly initiator: boolean, readonly owner: string) {}
  on(event: string, listener: (arg: never) => void): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener as (arg?: unknown) => void]);
    return this;
  }
  emit(event: string, arg?: unknown): void {
    for (const listener of this.listeners.get(event) ?? []) listener(arg);
  }
  signal(data: unknown): void {
    const { type, from } = data as { type: string; from: FakePeer };
    if (type === 'offer') {
      this.remote = from;
      from.remote = this;
      this.emit('signal', { type: 'answer', from: this });
    } else if (type === 'answer') {
      this.connected = true;
      from.connected = true;
      this.emit('connect');
      from.emit('connect');
    }
  }
  write(): boolean {
    return true;
  }
  destroy(): void {
    this.connected = false;
  }
  start(): void {
    if (this.initiator) this.emit('signal', { type: 'offer', from: this });
  }
}

function createRoom(maxConnections: number, readyOfferAfterMs?: number, staleOfferMs?: number, readyOfferMaxAgeMs?: number, inCall?: (id: string) => boolean) {
  const clock = new FakeClock();
  const meshes = new Map<string, PeerMesh>();
  const queue: SignalPayload[] = [];
  const offers: Array<[string, string]> = [];
  /** [answerer, offerer] of every answered offer. */
  const answered: Array<[string, string]> = [];
  const announces: string[] = [];
  /** Whose mesh created each peer, in order. */
  const created: string[] = [];
  const join = (id: string): PeerMesh => {
    const mesh = createPeerMesh({
      selfId: id,
      maxConnections,
      publish: (payload) => queue.push(payload),
      createPeer: (initiator) => {
        created.push(id);
        const peer = new FakePeer(initiator, id);
        // Like simple-peer, a new peer signals only after it is returned (here: at the clock's next turn).
        clock.setTimeout(() => peer.start(), 0);
        return peer;
      },
      onConnect: () => undefined,
      onData: () => undefined,
      onClose: () => undefined,
      connectTimeoutMs: 60_000,
      timers: clock,
      ...(readyOfferAfterMs === undefined ? {} : { readyOfferAfterMs }),
      ...(staleOfferMs === undefined ? {} : { staleOfferMs }),
      ...(readyOfferMaxAgeMs === undefined ? {} : { readyOfferMaxAgeMs }),
      ...(inCall === undefined ? {} : { inCall: () => inCall(id) }),
    });
    meshes.set(id, mesh);
    mesh.announce();
    return mesh;
  };
  /**
   * Delivers queued signaling to every member (the sender ignores its own), until quiet; before each
   * payload, whatever is due now runs (new peers' first signals, timers of zero delay). Time stands still.
   */
  const settle = (): void => {
    for (let rounds = 0; rounds < 10_000; rounds++) {
      clock.advance(0);
      const payload = queue.shift();
      if (payload === undefined) return;
      if (payload.kind === 'signal' && (payload.signal as { type: string }).type === 'offer') offers.push([payload.from, payload.to]);
      if (payload.kind === 'signal' && (payload.signal as { type: string }).type === 'answer') answered.push([payload.from, payload.to]);
      if (payload.kind === 'announce') announces.push(`${payload.from}->${payload.to ?? '*'}`);
      for (const mesh of meshes.values()) mesh.handleSignal(payload);
    }
    throw new Error('signaling never settled');
  };
  return { clock, meshes, join, settle, offers, answered, announces, queue, created };
}

function isConnected(meshes: Map<string, PeerMesh>): boolean {
  const ids = [...meshes.keys()];
  const seen = new Set([ids[0]]);
  const stack = [ids[0] as string];
  while (stack.length > 0) {
    for (const next of meshes.get(stack.pop() as string)?.connectedPeers() ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        stack.push(next);
      }
    }
  }
  return seen.size === ids.length;
}

/** Alice in a room, Bob joining: his announce reaches her, but her offer never reaches him (he refused it: he had blocked her). */
function lostOffer(staleOfferMs: number) {
  const room = createRoom(20, undefined, staleOfferMs);
  const alice = room.join('alice');
  room.settle();
  const bob = room.join('bob');
  const announce = room.queue.shift();
  if (announce === undefined) throw new Error('no announce');
  alice.handleSignal(announce);
  room.clock.advance(0); // her new peer makes its offer
  expect(room.queue.filter((payload) => payload.kind === 'signal').map((payload) => payload.to)).toEqual(['bob']);
  room.queue.length = 0;
  expect(alice.connectedPeers()).toEqual([]);
  return { room, alice, bob, announce };
}

/** The signals in the queue, as "type->to". */
const signalled = (queue: readonly SignalPayload[]): string[] => queue.flatMap((payload) => (payload.kind === 'signal' ? [`${(payload.signal as { type: string }).type}->${payload.to}`] : []));

describe('peer mesh', () => {
  it('connects everyone who joins at once: offers that cross are settled to one connection per pair', () => {
    const room = createRoom(20);
    for (const id of ['d', 'a', 'c', 'b', 'e']) room.join(id);
    room.settle();
    for (const [id, mesh] of room.meshes) expect(mesh.connectedPeers().sort(), id).toEqual([...room.meshes.keys()].filter((other) => other !== id).sort());
    // Joining at once, pairs may offer to each other at the same time; each such pair still ends
    // with one connection, made by the smaller id's offer (the fake peers record who answered whom).
    const crossed = room.offers.map(([from, to]) => [from, to].sort().join('-'));
    expect(new Set(crossed).size).toBe(10);
    expect(room.offers.length, 'some offers crossed').toBeGreaterThan(10);
    expect(room.answered.map(([from, to]) => [from, to].sort().join('-')).sort()).toEqual([...new Set(crossed)].sort());
    for (const [answerer, offerer] of room.answered) {
      if (room.offers.some(([from, to]) => from === answerer && to === offerer)) expect(offerer < answerer, `${offerer} → ${answerer}`).toBe(true);
    }
  });

  it('offers to a newcomer at once: the newcomer makes no offer and sends no second announce', () => {
    const room = createRoom(20);
    for (const id of ['a', 'm', 'z']) {
      room.join(id);
      room.settle();
    }
    room.offers.length = 0;
    room.announces.length = 0;
    const newcomer = room.join('k');
    room.settle();
    expect(newcomer.connectedPeers().sort()).toEqual(['a', 'm', 'z']);
    expect(room.offers.map(([from, to]) => `${from}->${to}`).sort()).toEqual(['a->k', 'm->k', 'z->k']);
    expect(room.announces).toEqual(['k->*']);
  });

  it('answers an announce with an offer made ahead of time, in the same moment, and makes the next one after', () => {
    const room = createRoom(20, 5);
    const alice = room.join('alice');
    room.settle();
    expect(room.created, 'no ready offer before its delay').toEqual([]);
    room.clock.advance(5); // the ready offer is made and its offer held
    room.settle();
    expect(room.created).toEqual(['alice']);
    expect(room.queue, 'a ready offer is held, not published').toEqual([]);
    for (const name of ['bob', 'carol']) {
      room.queue.length = 0;
      room.join(name);
      const announce = room.queue.shift();
      if (announce === undefined) throw new Error('no announce');
      const made = room.created.length;
      alice.handleSignal(announce);
      // Published within the announce's handling: no connection to set up, no offer to wait for.
      expect(signalled(room.queue)).toEqual([`offer->${name}`]);
      expect(room.created.length, 'the ready offer was used, no new peer made for it').toBe(made);
      room.settle();
      expect(room.meshes.get(name)?.connectedPeers()).toContain('alice');
      const before = room.created.filter((owner) => owner === 'alice').length;
      room.clock.advance(5); // the next ready offer
      expect(room.created.filter((owner) => owner === 'alice').length).toBe(before + 1);
    }
    for (const mesh of room.meshes.values()) mesh.destroy();
  });

  it('renews its ready offer while nobody comes, so a newcomer hours later still gets one at once', () => {
    const room = createRoom(20, 0, undefined, 20);
    const alice = room.join('alice');
    room.settle();
    room.clock.advance(100); // several lifetimes of a ready offer
    // One at once, then a new one each 20 ms lifetime: at 20, 40, 60, 80 and 100 ms.
    expect(room.created.filter((owner) => owner === 'alice').length).toBe(6);
    room.settle();
    room.queue.length = 0;
    room.join('bob');
    const announce = room.queue.shift();
    if (announce === undefined) throw new Error('no announce');
    alice.handleSignal(announce);
    expect(room.queue.flatMap((payload) => (payload.kind === 'signal' ? [(payload.signal as { type: string }).type] : []))).toEqual(['offer']);
    room.settle();
    expect(alice.connectedPeers()).toEqual(['bob']);
    for (const mesh of room.meshes.values()) mesh.destroy();
  });

  it('never hands out a ready offer older than its lifetime, even when the timer that renews it is late (a device that slept)', () => {
    const room = createRoom(20, 0, undefined, 20);
    const alice = room.join('alice');
    room.settle();
    expect(room.created).toEqual(['alice']);
    room.clock.jump(21); // its renewal was due at 20 ms and has not run
    room.queue.length = 0;
    room.join('bob');
    const announce = room.queue.shift();
    if (announce === undefined) throw new Error('no announce');
    alice.handleSignal(announce);
    // The stale offer is dropped, not sent: a fresh peer is made for Bob and signals at the next turn.
    expect(signalled(room.queue)).toEqual([]);
    expect(room.created.filter((owner) => owner === 'alice').length).toBe(2);
    room.settle();
    expect(alice.connectedPeers()).toEqual(['bob']);
    for (const mesh of room.meshes.values()) mesh.destroy();
  });

  it('makes a new offer when a peer whose offer was lost announces again, instead of waiting for the timeout', () => {
    const { room, alice, bob, announce } = lostOffer(50);
    // Right away, a second announce changes nothing (the offer may still be on its way)…
    alice.handleSignal(announce);
    room.clock.advance(0);
    expect(room.queue.filter((payload) => payload.kind === 'signal')).toEqual([]);
    // …nor one a moment before the offer is stale…
    room.clock.advance(49);
    bob.announce();
    room.settle();
    expect(bob.connectedPeers()).toEqual([]);
    // …but once it is, Bob's next announce (he unblocked her) gets a new one, and they connect.
    room.clock.advance(1);
    bob.announce();
    room.settle();
    expect(alice.connectedPeers()).toEqual(['bob']);
    expect(bob.connectedPeers()).toEqual(['alice']);
  });

  it('makes a new offer at once when the peer whose offer was lost asks for one (an unblock)', () => {
    const { room, alice, bob } = lostOffer(1e9);
    // A room-wide announce right away is taken as "the offer may still be on its way"…
    bob.announce();
    room.settle();
    expect(bob.connectedPeers()).toEqual([]);
    // …one addressed to Alice says Bob holds no connection with her: she offers again at once.
    bob.announce('alice');
    room.settle();
    expect(alice.connectedPeers()).toEqual(['bob']);
    expect(bob.connectedPeers()).toEqual(['alice']);
  });

  it('drops a connection not made within the connect timeout, so the next announce gets a new offer', () => {
    const { room, alice, bob } = lostOffer(1e9);
    room.clock.advance(59_999);
    bob.announce();
    room.settle();
    expect(bob.connectedPeers(), 'the unanswered offer is still awaited').toEqual([]);
    room.clock.advance(1); // 60 s: the connect timeout
    bob.announce();
    room.settle();
    expect(alice.connectedPeers()).toEqual(['bob']);
    expect(bob.connectedPeers()).toEqual(['alice']);
  });

  it('keeps a saturated room connected and lets a newcomer in, whatever its id', () => {
    const room = createRoom(2);
    for (const id of ['m', 'n', 'o', 'p']) {
      room.join(id);
      room.settle();
    }
    for (const newcomer of ['a', 'z']) {
      const mesh = room.join(newcomer);
      room.settle();
      expect(mesh.connectedPeers().length, newcomer).toBeGreaterThan(0);
    }
    expect(isConnected(room.meshes)).toBe(true);
    // Offers stay within the cap; accepting goes up to half as many again.
    for (const mesh of room.meshes.values()) expect(mesh.connectedPeers().length).toBeLessThanOrEqual(4);
  });

  it('passes an ICE restart offer to the live connection, and takes a fresh offer from a connected peer as a new connection', () => {
    const room = createRoom(20);
    const alice = room.join('alice');
    room.settle();
    const bob = room.join('bob');
    room.settle();
    expect(alice.connectedPeers()).toEqual(['bob']);
    const made = room.created.length;
    // An offer on a connection that is up goes out marked as a restart…
    const fake = new FakePeer(true, 'alice');
    alice.handleSignal({ kind: 'signal', from: 'bob', to: 'alice', signal: { type: 'offer', from: fake, restart: true } });
    room.clock.advance(0);
    expect(room.created.length, 'a restart makes no new connection').toBe(made);
    expect(alice.connectedPeers()).toEqual(['bob']);
    // …while one that is not is Bob starting over (he gave up on the old connection): Alice answers it on a new one.
    alice.handleSignal({ kind: 'signal', from: 'bob', to: 'alice', signal: { type: 'offer', from: fake } });
    room.clock.advance(0);
    expect(room.created.length).toBe(made + 1);
    expect(room.created.at(-1)).toBe('alice');
    void bob;
  });

  it('connects two call members directly where the text mesh left them apart, beyond every cap', () => {
    const calling = new Set<string>();
    const room = createRoom(1, undefined, undefined, undefined, (id) => calling.has(id));
    for (const id of ['ann', 'ben', 'cat', 'dan', 'eve']) {
      room.join(id);
      room.settle();
    }
    expect(isConnected(room.meshes)).toBe(true);
    // Two people the partial mesh did not connect directly.
    const ids = [...room.meshes.keys()];
    const pair = ids.flatMap((a) => ids.filter((b) => a < b && !room.meshes.get(a)?.connectedPeers().includes(b)).map((b) => [a, b] as const))[0];
    if (pair === undefined) throw new Error('the mesh is complete: no pair to test');
    const [first, second] = pair;
    // Someone not in the call announcing as usual changes nothing between them.
    room.meshes.get(first)?.announce();
    room.settle();
    expect(room.meshes.get(first)?.connectedPeers()).not.toContain(second);
    // Both join the call; the second one's call announce makes the first offer, caps or not.
    calling.add(first);
    calling.add(second);
    room.meshes.get(second)?.announce(undefined, true);
    room.settle();
    expect(room.meshes.get(first)?.connectedPeers()).toContain(second);
    expect(room.meshes.get(second)?.connectedPeers()).toContain(first);
    // A call announce heard by someone not in the call is an ordinary announce: nobody else goes over the cap.
    for (const id of ids.filter((id) => !calling.has(id))) expect(room.meshes.get(id)?.connectedPeers().length ?? 0).toBeLessThanOrEqual(1 + 2);
  });

  it('ignores signals addressed to someone else and answers nobody it did not expect', () => {
    const room = createRoom(20);
    const alice = room.join('alice');
    room.settle();
    alice.handleSignal({ kind: 'signal', from: 'mallory', to: 'bob', signal: { type: 'offer' } });
    alice.handleSignal({ kind: 'signal', from: 'mallory', to: 'alice', signal: { type: 'answer' } });
    room.settle();
    expect(alice.connectedPeers()).toEqual([]);
  });
});
