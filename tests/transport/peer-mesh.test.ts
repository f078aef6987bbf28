import { describe, expect, it } from 'vitest';
import { createPeerMesh, type PeerLike, type PeerMesh } from '../../src/transport/peer-mesh.js';
import type { SignalPayload } from '../../src/transport/signaling-client.js';

/**
 * Meshes joined through an in-memory signaling bus (delivered in order, like the node) and fake
 * peers that "connect" when an offer has been answered. Deterministic: no WebRTC, no timers.
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

function createRoom(maxConnections: number, readyOfferAfterMs?: number, staleOfferMs?: number, readyOfferMaxAgeMs?: number) {
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
        queueMicrotask(() => peer.start());
        return peer;
      },
      onConnect: () => undefined,
      onData: () => undefined,
      onClose: () => undefined,
      connectTimeoutMs: 60_000,
      ...(readyOfferAfterMs === undefined ? {} : { readyOfferAfterMs }),
      ...(staleOfferMs === undefined ? {} : { staleOfferMs }),
      ...(readyOfferMaxAgeMs === undefined ? {} : { readyOfferMaxAgeMs }),
    });
    meshes.set(id, mesh);
    mesh.announce();
    return mesh;
  };
  /** Delivers queued signaling to every member (the sender ignores its own), until quiet. */
  const settle = async (): Promise<void> => {
    for (let rounds = 0; rounds < 10_000; rounds++) {
      await Promise.resolve();
      const payload = queue.shift();
      if (payload === undefined) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        if (queue.length === 0) return;
        continue;
      }
      if (payload.kind === 'signal' && (payload.signal as { type: string }).type === 'offer') offers.push([payload.from, payload.to]);
      if (payload.kind === 'signal' && (payload.signal as { type: string }).type === 'answer') answered.push([payload.from, payload.to]);
      if (payload.kind === 'announce') announces.push(`${payload.from}->${payload.to ?? '*'}`);
      for (const mesh of meshes.values()) mesh.handleSignal(payload);
    }
    throw new Error('signaling never settled');
  };
  return { meshes, join, settle, offers, answered, announces, queue, created };
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
async function lostOffer(staleOfferMs: number) {
  const room = createRoom(20, undefined, staleOfferMs);
  const alice = room.join('alice');
  await room.settle();
  const bob = room.join('bob');
  const announce = room.queue.shift();
  if (announce === undefined) throw new Error('no announce');
  alice.handleSignal(announce);
  await new Promise((resolve) => setTimeout(resolve, 0));
  room.queue.length = 0;
  expect(alice.connectedPeers()).toEqual([]);
  return { room, alice, bob, announce };
}

describe('peer mesh', () => {
  it('connects everyone who joins at once: offers that cross are settled to one connection per pair', async () => {
    const room = createRoom(20);
    for (const id of ['d', 'a', 'c', 'b', 'e']) room.join(id);
    await room.settle();
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

  it('offers to a newcomer at once: the newcomer makes no offer and sends no second announce', async () => {
    const room = createRoom(20);
    for (const id of ['a', 'm', 'z']) {
      room.join(id);
      await room.settle();
    }
    room.offers.length = 0;
    room.announces.length = 0;
    const newcomer = room.join('k');
    await room.settle();
    expect(newcomer.connectedPeers().sort()).toEqual(['a', 'm', 'z']);
    expect(room.offers.map(([from, to]) => `${from}->${to}`).sort()).toEqual(['a->k', 'm->k', 'z->k']);
    expect(room.announces).toEqual(['k->*']);
  });

  it('answers an announce with an offer made ahead of time, in the same moment, and makes the next one after', async () => {
    const room = createRoom(20, 0);
    const alice = room.join('alice');
    await room.settle();
    await new Promise((resolve) => setTimeout(resolve, 5)); // the ready offer is made and its offer held
    const signalled = (): string[] => room.queue.flatMap((payload) => (payload.kind === 'signal' ? [`${(payload.signal as { type: string }).type}->${payload.to}`] : []));
    for (const name of ['bob', 'carol']) {
      room.queue.length = 0;
      room.join(name);
      const announce = room.queue.shift();
      if (announce === undefined) throw new Error('no announce');
      alice.handleSignal(announce);
      // Published within the announce's handling: no connection to set up, no offer to wait for.
      expect(signalled()).toEqual([`offer->${name}`]);
      await room.settle();
      expect(room.meshes.get(name)?.connectedPeers()).toContain('alice');
      await new Promise((resolve) => setTimeout(resolve, 5)); // the next ready offer
    }
    for (const mesh of room.meshes.values()) mesh.destroy();
  });

  it('renews its ready offer while nobody comes, so a newcomer hours later still gets one at once', async () => {
    const room = createRoom(20, 0, undefined, 20);
    const alice = room.join('alice');
    await room.settle();
    await new Promise((resolve) => setTimeout(resolve, 100)); // several lifetimes of a ready offer
    expect(room.created.filter((owner) => owner === 'alice').length).toBeGreaterThan(2);
    room.queue.length = 0;
    room.join('bob');
    const announce = room.queue.shift();
    if (announce === undefined) throw new Error('no announce');
    alice.handleSignal(announce);
    expect(room.queue.flatMap((payload) => (payload.kind === 'signal' ? [(payload.signal as { type: string }).type] : []))).toEqual(['offer']);
    await room.settle();
    expect(alice.connectedPeers()).toEqual(['bob']);
    for (const mesh of room.meshes.values()) mesh.destroy();
  });

  it('makes a new offer when a peer whose offer was lost announces again, instead of waiting for the timeout', async () => {
    const { room, alice, bob, announce } = await lostOffer(50);
    // Right away, a second announce changes nothing (the offer may still be on its way)…
    alice.handleSignal(announce);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(room.queue.filter((payload) => payload.kind === 'signal')).toEqual([]);
    // …but once the offer is stale, Bob's next announce (he unblocked her) gets a new one, and they connect.
    await new Promise((resolve) => setTimeout(resolve, 60));
    bob.announce();
    await room.settle();
    expect(alice.connectedPeers()).toEqual(['bob']);
    expect(bob.connectedPeers()).toEqual(['alice']);
  });

  it('makes a new offer at once when the peer whose offer was lost asks for one (an unblock)', async () => {
    const { room, alice, bob } = await lostOffer(1e9);
    // A room-wide announce right away is taken as "the offer may still be on its way"…
    bob.announce();
    await room.settle();
    expect(bob.connectedPeers()).toEqual([]);
    // …one addressed to Alice says Bob holds no connection with her: she offers again at once.
    bob.announce('alice');
    await room.settle();
    expect(alice.connectedPeers()).toEqual(['bob']);
    expect(bob.connectedPeers()).toEqual(['alice']);
  });

  it('keeps a saturated room connected and lets a newcomer in, whatever its id', async () => {
    const room = createRoom(2);
    for (const id of ['m', 'n', 'o', 'p']) {
      room.join(id);
      await room.settle();
    }
    for (const newcomer of ['a', 'z']) {
      const mesh = room.join(newcomer);
      await room.settle();
      expect(mesh.connectedPeers().length, newcomer).toBeGreaterThan(0);
    }
    expect(isConnected(room.meshes)).toBe(true);
    // Offers stay within the cap; accepting goes up to half as many again.
    for (const mesh of room.meshes.values()) expect(mesh.connectedPeers().length).toBeLessThanOrEqual(4);
  });

  it('ignores signals addressed to someone else and answers nobody it did not expect', async () => {
    const room = createRoom(20);
    const alice = room.join('alice');
    await room.settle();
    alice.handleSignal({ kind: 'signal', from: 'mallory', to: 'bob', signal: { type: 'offer' } });
    alice.handleSignal({ kind: 'signal', from: 'mallory', to: 'alice', signal: { type: 'answer' } });
    await room.settle();
    expect(alice.connectedPeers()).toEqual([]);
  });
});
