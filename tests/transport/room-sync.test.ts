import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createRoomSecret } from '../../src/crypto/keys.js';
import { createNodePeer, type NodePeer } from '../helpers/node-peer.js';
import { until, wsUrl } from '../helpers/node.js';
import { useNodePeers } from '../helpers/node-peers-hook.js';
import { createRandom } from '../helpers/random.js';

const { peers, startNode } = useNodePeers();

/** These tests are about the provider's sync alone: plain values, applied as they come (see node-peer.ts). */
const PLAIN = { admission: 'none' } as const;
/** A doc holding `update`. */
const docFrom = (update: Uint8Array): Y.Doc => {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, update);
  return doc;
};
const messages = (peer: NodePeer): Y.Map<unknown> => peer.doc.getMap('messages');

describe('room provider over real WebRTC (Node peers)', () => {
  it('two peers sync a document both ways through the node', async () => {
    const node = await startNode();
    const secret = createRoomSecret();
    const alice = createNodePeer(wsUrl(node), secret, PLAIN);
    const bob = createNodePeer(wsUrl(node), secret, PLAIN);
    peers.push(alice, bob);
    messages(alice).set('a1', { text: 'hello from alice' });
    await until(() => alice.status().peers === 1 && bob.status().peers === 1, 20_000, 'a WebRTC connection');
    messages(bob).set('b1', { text: 'hello from bob' });
    await until(() => messages(alice).size === 2 && messages(bob).size === 2, 10_000, 'both messages on both sides');
    expect(messages(bob).get('a1')).toEqual({ text: 'hello from alice' });
    expect(alice.drops).toEqual([]);
  });

  it('a late joiner receives a 10k-message history larger than one data-channel message', async () => {
    const node = await startNode();
    const secret = createRoomSecret();
    const host = createNodePeer(wsUrl(node), secret, PLAIN);
    peers.push(host);
    host.doc.transact(() => {
      for (let i = 0; i < 10_000; i++) messages(host).set(`m${i}`, { text: `message number ${i} with some padding text`, n: i });
    });
    expect(Y.encodeStateAsUpdate(host.doc).length).toBeGreaterThan(256 * 1024);
    const late = createNodePeer(wsUrl(node), secret, PLAIN);
    peers.push(late);
    await until(() => messages(late).size === 10_000, 30_000, 'the whole history');
    expect(messages(late).get('m9999')).toEqual({ text: 'message number 9999 with some padding text', n: 9999 });
  });

  it('five peers that drop and rejoin at random while sending all converge, losing nothing', async () => {
    const node = await startNode();
    const url = wsUrl(node);
    const secret = createRoomSecret();
    const random = createRandom(3);
    const docs = Array.from({ length: 5 }, () => new Y.Doc());
    const online: Array<NodePeer | null> = docs.map((doc) => createNodePeer(url, secret, { ...PLAIN, doc, maxConnections: 3 }));
    const live = (): NodePeer[] => online.filter((peer): peer is NodePeer => peer !== null);
    let sent = 0;
    for (let step = 0; step < 60; step++) {
      const who = random.int(docs.length);
      const roll = random.next();
      const peer = online[who];
      if (roll < 0.15 && peer) {
        peer.destroy();
        online[who] = null;
      } else if (roll < 0.3 && !peer) {
        online[who] = createNodePeer(url, secret, { ...PLAIN, doc: docs[who] as Y.Doc, maxConnections: 3 });
      } else {
        // Offline peers keep writing too: their messages must arrive once they are back.
        (docs[who] as Y.Doc).getMap('messages').set(`p${who}-${step}`, { text: `step ${step} from peer ${who}` });
        sent++;
      }
      await new Promise((resolve) => setTimeout(resolve, random.int(120)));
    }
    for (let who = 0; who < docs.length; who++) {
      online[who] ??= createNodePeer(url, secret, { ...PLAIN, doc: docs[who] as Y.Doc, maxConnections: 3 });
    }
    peers.push(...live());
    await until(() => docs.every((doc) => doc.getMap("messages").size === sent), 45_000, `all ${sent} messages everywhere`);
    const contents = (doc: Y.Doc): Array<[string, unknown]> => [...doc.getMap('messages').entries()].sort(([a], [b]) => a.localeCompare(b));
    for (const doc of docs) expect(contents(doc)).toEqual(contents(docs[0] as Y.Doc));
  });

  it('peers return to the room after the signaling node restarts, and a newcomer reaches them', async () => {
    let node = await startNode();
    const { port } = node.address();
    const url = wsUrl(node);
    const secret = createRoomSecret();
    const alice = createNodePeer(url, secret, PLAIN);
    peers.push(alice);
    messages(alice).set('before', { text: 'written before the restart' });
    await until(() => alice.status().signaling, 10_000, 'alice on the node');
    await node.close();
    await until(() => !alice.status().signaling, 10_000, 'alice to notice the node is gone');
    node = await startNode({ port });
    await until(() => alice.status().signaling, 30_000, 'alice to reconnect to the restarted node');
    const bob = createNodePeer(url, secret, PLAIN);
    peers.push(bob);
    await until(() => messages(bob).get('before') !== undefined, 20_000, 'bob to get alice\'s history');
  });

  it('a joiner whose history source leaves mid-stream finishes it from another peer, from where it stopped', async () => {
    const node = await startNode();
    const url = wsUrl(node);
    const secret = createRoomSecret();
    const size = 150_000;
    const history = new Y.Doc();
    history.transact(() => {
      for (let i = 0; i < size; i++) history.getMap('messages').set(`m${i}`, `message ${i} ${'padding '.repeat(4)}`);
    });
    const state = Y.encodeStateAsUpdate(history);
    const holders = [createNodePeer(url, secret, { ...PLAIN, doc: docFrom(state) }), createNodePeer(url, secret, { ...PLAIN, doc: docFrom(state) })];
    peers.push(...holders);
    await until(() => holders.every((holder) => holder.status().peers === 1), 20_000, 'the two holders connected');
    const joiner = createNodePeer(url, secret, PLAIN);
    peers.push(joiner);
    // The joiner asks one holder at a time: once the first pieces are in, that holder leaves.
    await until(() => messages(joiner).size > 0 && joiner.provider.stats().historyFrom !== null, 20_000, 'the first pieces');
    const source = holders.find((holder) => holder.provider.selfId === joiner.provider.stats().historyFrom) as NodePeer;
    source.destroy();
    const before = messages(joiner).size;
    expect(before).toBeLessThan(size);
    await until(() => messages(joiner).size === size, 30_000, 'the whole history, from the other holder');
    expect(Y.encodeStateVector(joiner.doc)).toEqual(Y.encodeStateVector(history));
    expect(joiner.provider.stats().historyFrom).toBeNull();
  });
});
