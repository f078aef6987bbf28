/**
 * A hostile peer in a room of two honest ones, all over real WebRTC through a real signaling node
 * on loopback. The hostile peer holds the room's keys (anyone with the link does) and sends
 * crafted messages; the honest peers must not crash, must drop and count what it sends, must not
 * relay its floods to each other, and must keep talking afterwards.
 */
import * as encoding from 'lib0/encoding';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { createRoomSecret, deriveRoomKeys } from '../../src/crypto/keys.js';
import { sealAndChunk } from '../../src/transport/wire-frames.js';
import { MAX_LIVE_UPDATE_BYTES, encodeAwareness, encodeHello, encodeSyncRequest, encodeSyncStep1, encodeSyncUpdate } from '../../src/transport/wire-messages.js';
import type { SignalingServer } from '../../signaling/server.js';
import { createNodePeer, type NodePeer } from '../helpers/node-peer.js';
import { startNode, until, wsUrl } from '../helpers/node.js';
import { createRandom } from '../helpers/random.js';
import { createHostilePeer, type HostilePeer } from './hostile-peer.js';

let node: SignalingServer | undefined;
const honest: NodePeer[] = [];
const hostiles: HostilePeer[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const peer of honest.splice(0)) peer.destroy();
  for (const peer of hostiles.splice(0)) peer.destroy();
  await node?.close();
  node = undefined;
});

const messages = (peer: NodePeer): Y.Map<unknown> => peer.doc.getMap('messages');
const count = (peer: NodePeer, key: string): number => peer.drops.filter((drop) => drop === key).length;
const keysWith = (peer: NodePeer, prefix: string): number => [...messages(peer).keys()].filter((key) => key.startsWith(prefix)).length;
const contents = (peer: NodePeer): string => JSON.stringify([...messages(peer).entries()].sort(([a], [b]) => a.localeCompare(b)));

interface Room {
  readonly url: string;
  readonly secret: Uint8Array;
  readonly alice: NodePeer;
  readonly bob: NodePeer;
  readonly hostile: HostilePeer;
}

/** Alice, Bob and a hostile peer, all connected, the hostile one having answered both greetings. */
async function openRoom(aliceDoc?: Y.Doc): Promise<Room> {
  node = await startNode();
  const url = wsUrl(node);
  const secret = createRoomSecret();
  const alice = createNodePeer(url, secret, aliceDoc === undefined ? {} : { doc: aliceDoc });
  const bob = createNodePeer(url, secret);
  const hostile = createHostilePeer(url, secret);
  honest.push(alice, bob);
  hostiles.push(hostile);
  await until(
    () => alice.status().peers === 2 && bob.status().peers === 2 && hostile.answered.has(alice.provider.selfId) && hostile.answered.has(bob.provider.selfId),
    20_000,
    'alice, bob and the hostile peer connected',
  );
  return { url, secret, alice, bob, hostile };
}

/** Both honest peers write a new message; each must get the other's, and their documents must end equal. */
async function expectHonestTalk(alice: NodePeer, bob: NodePeer, tag: string): Promise<void> {
  messages(alice).set(`after-${tag}-alice`, { text: 'still here' });
  messages(bob).set(`after-${tag}-bob`, { text: 'me too' });
  await until(() => messages(alice).has(`after-${tag}-bob`) && messages(bob).has(`after-${tag}-alice`), 15_000, 'alice and bob to exchange new messages');
  await until(() => contents(alice) === contents(bob), 15_000, 'alice and bob to converge');
}

/** One update per transaction, as a flood of small live updates. */
function smallUpdates(doc: Y.Doc, prefix: string, n: number): Uint8Array[] {
  const updates: Uint8Array[] = [];
  const collect = (update: Uint8Array): void => void updates.push(update);
  doc.on('update', collect);
  for (let i = 0; i < n; i++) doc.getMap('messages').set(`${prefix}${i}`, i);
  doc.off('update', collect);
  return updates;
}

/** A y-protocols awareness update for made-up clients. */
function fakePresence(clients: readonly number[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, clients.length);
  for (const client of clients) {
    encoding.writeVarUint(encoder, client);
    encoding.writeVarUint(encoder, 1);
    encoding.writeVarString(encoder, JSON.stringify({ nick: `ghost ${client}` }));
  }
  return encoding.toUint8Array(encoder);
}

describe('honest peers facing a hostile peer (real WebRTC, Node peers)', () => {
  it('drop and count garbage after the handshake, and keep serving the honest traffic that follows', async () => {
    const errors = vi.spyOn(console, 'error');
    const { alice, bob, hostile } = await openRoom();
    const target = alice.provider.selfId;
    const random = createRandom(7);
    const randomBytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => random.int(256));
    // First a solicited sync step 2 that Yjs cannot read: ask alice for her step 1, answer it with garbage.
    hostile.nextStep1Answer = Uint8Array.of(0, 1, 4, 1, 1, 5, 0);
    await hostile.send(target, [encodeSyncRequest()]);
    await until(() => count(alice, 'frame:decode') === 1, 10_000, 'the unreadable step 2 to be counted');
    const garbage: Uint8Array[] = [
      // Random bytes, sealed correctly.
      ...Array.from({ length: 30 }, () => randomBytes(1 + random.int(64))),
      // Unknown message types, and a sync message of an unknown step.
      Uint8Array.of(7), Uint8Array.of(99), Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x04), Uint8Array.of(0, 9, 0),
      // Truncated varints and payloads.
      Uint8Array.of(0x80), Uint8Array.of(0, 0x80), Uint8Array.of(0, 2, 0xff), Uint8Array.of(1, 0x85), Uint8Array.of(2), Uint8Array.of(2, 0x80),
      // Trailing bytes after a well-formed message.
      Uint8Array.of(3, 0),
      // Invalid Yjs updates: Y.applyUpdate throws on each.
      encodeSyncUpdate(Uint8Array.of(1, 1, 5, 0, 0xff, 0xff)), encodeSyncUpdate(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x0f)), encodeSyncUpdate(randomBytes(40)),
      // Malformed presence.
      encodeAwareness(Uint8Array.of(5, 1)),
      // A second HELLO on the same connection.
      encodeHello(1234),
    ];
    await hostile.send(target, garbage);
    // Chunks that are not frames, and a frame that was not sealed with the wire key.
    hostile.sendRaw(target, [Uint8Array.of(9, 9, 9), randomBytes(200)]);
    const { wireKey: wrongKey } = deriveRoomKeys(createRoomSecret());
    hostile.sendRaw(target, await sealAndChunk(wrongKey, encodeSyncRequest(), 999));
    // Alice opens one link's messages in order, so once the wrong-key frame is counted, all the above was handled.
    await until(() => count(alice, 'frame:decrypt') > 0, 10_000, 'the garbage to be handled');
    expect(count(alice, 'frame:decode')).toBeGreaterThanOrEqual(11);
    expect(count(alice, 'frame:unknown_type')).toBeGreaterThanOrEqual(4);
    expect(count(alice, 'frame:unsolicited')).toBeGreaterThan(0);
    expect(count(alice, 'frame:chunk')).toBeGreaterThan(0);
    expect(count(alice, 'frame:decrypt')).toBeGreaterThan(0);
    expect(count(alice, 'presence:decode')).toBeGreaterThan(0);

    // The connection still works: a valid update from the same peer is applied and relayed.
    const [legit] = smallUpdates(hostile.doc, 'legit-', 1);
    await hostile.send(target, [encodeSyncUpdate(legit as Uint8Array)]);
    await until(() => messages(alice).has('legit-0') && messages(bob).has('legit-0'), 10_000, 'the valid update after the garbage');
    expect(alice.provider.stats().floodDisconnects).toBe(0);
    expect(alice.status().peers).toBe(2);
    await expectHonestTalk(alice, bob, 'garbage');
    // Nothing reached the console (y-protocols alone logs every update it fails to apply).
    expect(errors).not.toHaveBeenCalled();
  });

  it('drop an unsolicited sync step 2 carrying a 10k-entry history', async () => {
    const { alice, bob, hostile } = await openRoom();
    const history = new Y.Doc();
    history.transact(() => {
      for (let i = 0; i < 10_000; i++) history.getMap('messages').set(`history-${i}`, { text: `planted ${i}` });
    });
    const stepTwo = encoding.createEncoder();
    encoding.writeVarUint(stepTwo, 0);
    encoding.writeVarUint(stepTwo, 1);
    encoding.writeVarUint8Array(stepTwo, Y.encodeStateAsUpdate(history));
    await hostile.send(alice.provider.selfId, [encoding.toUint8Array(stepTwo)]);
    await until(() => count(alice, 'frame:unsolicited') > 0, 10_000, 'the unsolicited step 2 to be counted');
    await expectHonestTalk(alice, bob, 'step2');
    expect(keysWith(alice, 'history-')).toBe(0);
    expect(keysWith(bob, 'history-')).toBe(0);
  });

  it('drop a live update of 10k structs, which never reaches the other honest peer', async () => {
    const { alice, bob, hostile } = await openRoom();
    const big = new Y.Doc();
    big.transact(() => {
      for (let i = 0; i < 10_000; i++) big.getMap('messages').set(`s${i}`, i);
    });
    const update = Y.encodeStateAsUpdate(big);
    // Small enough in bytes that the struct count is what refuses it.
    expect(update.length).toBeLessThan(MAX_LIVE_UPDATE_BYTES);
    await hostile.send(alice.provider.selfId, [encodeSyncUpdate(update)]);
    await until(() => count(alice, 'frame:unsolicited') > 0, 10_000, 'the oversized live update to be counted');
    await expectHonestTalk(alice, bob, 'structs');
    expect(keysWith(alice, 's')).toBe(0);
    expect(keysWith(bob, 's')).toBe(0);
  });

  it('rate-limit a burst of 5,000 small live updates and cut the flooder off', async () => {
    const { alice, bob, hostile } = await openRoom();
    await hostile.send(alice.provider.selfId, smallUpdates(hostile.doc, 'flood-', 5000).map(encodeSyncUpdate));
    await until(() => alice.provider.stats().floodDisconnects === 1, 15_000, 'alice to cut the flooder off');
    expect(count(alice, 'frame:rate')).toBeGreaterThan(0);
    await until(() => alice.status().peers === 1, 10_000, 'the flooder gone from alice');
    await expectHonestTalk(alice, bob, 'flood');
    expect(keysWith(alice, 'flood-')).toBeLessThan(5000);
    expect(keysWith(bob, 'flood-')).toBeLessThan(5000);
    // It is refused for a while: announcing again gets it nowhere.
    hostile.announce();
    await until(() => count(alice, 'frame:refused') > 0, 10_000, 'its announce to be refused');
  });

  it('rate-limit an awareness flood of 1,000 updates on its own budget, counted in people', async () => {
    const { alice, bob, hostile } = await openRoom();
    const target = alice.provider.selfId;
    const base = 2_000_000_000;
    const ghosts = (peer: NodePeer): number => [...peer.awareness.getStates().keys()].filter((client) => client >= base).length;
    // 1,000 updates of 10 made-up people each.
    const flood = Array.from({ length: 1000 }, (_, i) => encodeAwareness(fakePresence(Array.from({ length: 10 }, (_, j) => base + i * 10 + j))));
    // In bursts the message budget lets through, so it is the presence budget that stops them.
    for (let start = 0; start < flood.length && alice.provider.stats().floodDisconnects === 0; start += 250) {
      const handled = (): number => ghosts(alice) / 10 + count(alice, 'presence:rate');
      const before = handled();
      await hostile.send(target, flood.slice(start, start + 250));
      await until(() => handled() >= before + 250 || alice.provider.stats().floodDisconnects > 0, 10_000, 'alice to handle a burst');
    }
    expect(count(alice, 'presence:rate')).toBeGreaterThan(0);
    expect(alice.provider.stats().floodDisconnects).toBe(1);
    expect(ghosts(alice)).toBeLessThan(10_000);
    expect(ghosts(bob)).toBeLessThan(10_000);
    await expectHonestTalk(alice, bob, 'presence');
  });

  it('answer a flood of sync step 1 requests for the whole history no faster than their budget', async () => {
    const history = new Y.Doc();
    history.transact(() => {
      for (let i = 0; i < 2000; i++) history.getMap('messages').set(`old-${i}`, i);
    });
    const { alice, bob, hostile } = await openRoom(history);
    const target = alice.provider.selfId;
    const stepTwos = (): number => (hostile.received.get(target) ?? []).filter((message) => message.kind === 'sync-step2').length;
    const before = stepTwos();
    // Step 1 from an empty document: each asks for all 2,000 entries.
    await hostile.send(target, Array.from({ length: 50 }, () => encodeSyncStep1(new Y.Doc())));
    await until(() => count(alice, 'frame:rate') >= 45, 10_000, 'the step 1 flood to be limited');
    expect(stepTwos() - before).toBeLessThan(50);
    await expectHonestTalk(alice, bob, 'step1');
  });

  it('replayed sealed frames change nothing', async () => {
    const { alice, bob, hostile } = await openRoom();
    messages(alice).set('live', { text: 'a live message' });
    const fromAlice = (): Uint8Array[] => hostile.chunks.get(alice.provider.selfId) ?? [];
    await until(() => (hostile.received.get(alice.provider.selfId) ?? []).some((message) => message.kind === 'sync-update'), 10_000, 'the hostile peer to see the live message');
    await until(() => messages(bob).has('live'), 10_000, 'bob to get the live message');
    const before = contents(alice);
    // Alice's HELLO, step 1, presence, step 2 and live update, replayed to bob and back to alice.
    hostile.sendRaw(bob.provider.selfId, fromAlice());
    hostile.sendRaw(alice.provider.selfId, fromAlice());
    await until(() => count(bob, 'frame:unsolicited') >= 2 && count(alice, 'frame:unsolicited') >= 2, 10_000, 'the replayed HELLO and step 2 to be refused');
    expect(contents(alice)).toBe(before);
    expect(contents(bob)).toBe(before);
    await expectHonestTalk(alice, bob, 'replay');
  });

  it('disconnectClient cuts a person off and refuses them when they come back', async () => {
    const { url, secret, alice, bob, hostile } = await openRoom();
    alice.provider.disconnectClient(hostile.clientId);
    await until(() => alice.status().peers === 1, 10_000, 'alice to drop the hostile peer');
    expect(alice.provider.stats().refusedConnections).toBe(1);
    hostile.announce();
    await until(() => count(alice, 'frame:refused') > 0, 10_000, 'its announce to be refused');
    // Back with a new peer id but the same client id: closed right after its HELLO.
    const again = createHostilePeer(url, secret, { clientId: hostile.clientId });
    hostiles.push(again);
    await until(() => alice.provider.stats().refusedConnections === 2, 20_000, 'alice to refuse the returning client');
    await until(() => alice.status().peers === 1 && bob.status().peers === 3, 20_000, 'bob, who did not refuse it, to keep it');
    await expectHonestTalk(alice, bob, 'refused');
  });
});
