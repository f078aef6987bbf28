import { describe, expect, it } from 'vitest';
import { createRoomSecret } from '../../src/crypto/keys.js';
import { toBase64Url } from '../../src/crypto/encoding.js';
import type { ConnectivityEvent } from '../../src/transport/connectivity.js';
import type { SignalingServer } from '../../signaling/server.js';
import { createNodePeer, type NodePeer } from '../helpers/node-peer.js';
import { until, wsUrl } from '../helpers/node.js';
import { useNodePeers } from '../helpers/node-peers-hook.js';

/**
 * ICE restarts over real WebRTC (Node peers): a network change restarts ICE on the live
 * connection, over the sealed signaling, and the connection carries on: same data channel, no
 * reconnect, nothing written meanwhile lost. (Across real NATs whose mappings vanish: tests/e2e/nat-*.)
 */
const { peers, startNode } = useNodePeers();

const PLAIN = { admission: 'none' } as const;

async function pair(): Promise<{ node: SignalingServer; alice: NodePeer; bob: NodePeer; events: Record<'alice' | 'bob', ConnectivityEvent[]> }> {
  const node = await startNode();
  const secret = createRoomSecret();
  const events = { alice: [] as ConnectivityEvent[], bob: [] as ConnectivityEvent[] };
  const alice = createNodePeer(wsUrl(node), secret, { ...PLAIN, onConnectivity: (event) => events.alice.push(event) });
  const bob = createNodePeer(wsUrl(node), secret, { ...PLAIN, onConnectivity: (event) => events.bob.push(event) });
  peers.push(alice, bob);
  await until(() => alice.status().peers === 1 && bob.status().peers === 1, 20_000, 'a WebRTC connection');
  return { node, alice, bob, events };
}

const kinds = (events: ConnectivityEvent[]): string[] => events.map((event) => (event.kind === 'restart' ? `restart:${event.outcome}` : event.kind));

describe('ICE restarts on a live connection (Node peers)', () => {
  it.each(['alice', 'bob'] as const)('a network change on %s restarts ICE and keeps the connection and what was written meanwhile', async (who) => {
    const { node, alice, bob, events } = await pair();
    const changed = who === 'alice' ? alice : bob;
    const other = who === 'alice' ? bob : alice;
    const framesBefore = node.stats.framesIn;
    changed.provider.networkChanged();
    // Written while the restart is under way: it must arrive, over the same connection.
    changed.doc.getMap('messages').set('during', { text: 'written during the restart' });
    await until(() => other.doc.getMap('messages').has('during'), 10_000, 'the message written during the restart');
    await until(() => kinds(events[who]).includes('restart:recovered'), 20_000, 'the restart to end');
    expect(kinds(events[who])).toEqual(['connected', 'restart:started', 'restart:recovered']);
    // A real restart went through the node: a new offer, its answer and new candidates (sealed), not
    // just a timer that found the old path still up. (The periodic re-announce adds at most one each.)
    expect((node.stats.framesIn) - framesBefore).toBeGreaterThanOrEqual(4);
    // No connection was torn down or made again on either side.
    expect(kinds(events.alice).filter((kind) => kind === 'connected')).toHaveLength(1);
    expect(kinds(events.bob).filter((kind) => kind === 'connected')).toHaveLength(1);
    expect(alice.status().peers).toBe(1);
    other.doc.getMap('messages').set('after', { text: 'after the restart' });
    await until(() => changed.doc.getMap('messages').has('after'), 10_000, 'a message after the restart');
  }, 60_000);

  it('reports each direct connection as direct, by the key its peer proved', async () => {
    const { alice, bob } = await pair();
    const bobKey = toBase64Url((await bob.identity).publicKey);
    let paths: Record<string, string> = {};
    await until(async () => {
      paths = await alice.provider.paths();
      return Object.keys(paths).length === 1;
    }, 10_000, 'a path');
    expect(paths).toEqual({ [bobKey]: 'direct' });
  });
});
