/**
 * A hostile peer in a room of two honest ones, all over real WebRTC through a real signaling node
 * on loopback. The hostile peer holds the room's keys (anyone with the link does) and sends
 * crafted messages; the honest peers (which admit updates through the room's schema, as browsers
 * do) must not crash, must drop and count what it sends, must not relay it to each other, and
 * must keep talking afterwards.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { createClock } from '../../src/core/hlc.js';
import { createMessageEntry, encodeMessageEntry } from '../../src/core/message-entry.js';
import { encodePresenceUpdate, signPresence } from '../../src/core/presence-record.js';
import { presenceId } from '../../src/core/presence-table.js';
import { toBase64Url } from '../../src/crypto/encoding.js';
import { createIdentity, type Identity } from '../../src/crypto/identity.js';
import { createRoomSecret, deriveRoomKeys } from '../../src/crypto/keys.js';
import { sealAndChunk } from '../../src/transport/wire-frames.js';
import { MESSAGE_BURST } from '../../src/transport/link.js';
import { encodeLiveUpdate, encodePiece, encodePresence, encodeStateVector, encodeSyncRequest, MAX_LIVE_UPDATE_BYTES } from '../../src/transport/wire-messages.js';
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

const clock = createClock(Date.now);
const messages = (peer: { doc: Y.Doc }): Y.Map<unknown> => peer.doc.getMap('messages');
const count = (peer: NodePeer, key: string): number => peer.drops.filter((drop) => drop === key).length;
const contents = (peer: NodePeer): string => JSON.stringify([...messages(peer).entries()].sort(([a], [b]) => a.localeCompare(b)));

/** Signs a message as `identity` and writes it into `doc` (one transaction); returns its id. */
async function post(doc: Y.Doc, identity: Identity, text: string): Promise<string> {
  const entry = await createMessageEntry(identity, { nick: 'Someone', text, hlc: clock.tick() });
  doc.getMap('messages').set(entry.id, encodeMessageEntry(entry));
  return entry.id;
}

interface Room {
  readonly url: string;
  readonly secret: Uint8Array;
  readonly alice: NodePeer;
  readonly bob: NodePeer;
  readonly hostile: HostilePeer;
}

/** Alice, Bob and a hostile peer, all connected, the hostile one having answered both. */
async function openRoom(aliceDoc?: Y.Doc): Promise<Room> {
  node = await startNode();
  const url = wsUrl(node);
  const secret = createRoomSecret();
  const alice = createNodePeer(url, secret, { nick: 'Alice', ...(aliceDoc === undefined ? {} : { doc: aliceDoc }) });
  const bob = createNodePeer(url, secret, { nick: 'Bob' });
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

/** Both honest peers write a new signed message; each must get the other's, and their documents must end equal. */
async function expectHonestTalk(alice: NodePeer, bob: NodePeer): Promise<void> {
  const fromAlice = await post(alice.doc, await alice.identity, 'still here');
  const fromBob = await post(bob.doc, await bob.identity, 'me too');
  await until(() => messages(alice).has(fromBob) && messages(bob).has(fromAlice), 15_000, 'alice and bob to exchange new messages');
  await until(() => contents(alice) === contents(bob), 15_000, 'alice and bob to converge');
}

/** One update per transaction: valid signed messages by `identity`, as a flood of small live updates. */
async function signedUpdates(identity: Identity, n: number): Promise<Uint8Array[]> {
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array) => void updates.push(update));
  for (let i = 0; i < n; i++) await post(doc, identity, `flood ${i}`);
  return updates;
}

describe('honest peers facing a hostile peer (real WebRTC, Node peers)', () => {
  it('drop and count garbage after the handshake, and keep serving the honest traffic that follows', async () => {
    const errors = vi.spyOn(console, 'error');
    const { alice, bob, hostile } = await openRoom();
    const target = alice.provider.selfId;
    const random = createRandom(7);
    const randomBytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => random.int(256));
    const garbage: Uint8Array[] = [
      // Random bytes, sealed correctly.
      ...Array.from({ length: 30 }, () => randomBytes(1 + random.int(64))),
      // Unknown message types, and a sync message of an unknown step (1: the old whole-history reply).
      Uint8Array.of(9), Uint8Array.of(99), Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x04), Uint8Array.of(0, 1, 0),
      // Truncated varints and payloads, and an over-long varint (lib0 reads it as Infinity).
      Uint8Array.of(0x80), Uint8Array.of(0, 0x80), Uint8Array.of(0, 2, 0xff), Uint8Array.of(1, 0x85), Uint8Array.of(2), Uint8Array.of(2, 0x80),
      Uint8Array.of(1, ...new Array<number>(147).fill(0x80), 1),
      // Trailing bytes after a well-formed message.
      Uint8Array.of(3, 0),
      // Malformed presence.
      encodePresence(Uint8Array.of(5, 1)),
    ];
    // First the garbage that costs a strike each (fewer than the limit), then a valid message.
    const [valid] = await signedUpdates(await hostile.identity, 1);
    await hostile.send(target, [...garbage, encodeLiveUpdate(valid as Uint8Array)]);
    hostile.sendRaw(target, [Uint8Array.of(9, 9, 9), randomBytes(200)]);
    await until(() => messages(alice).size === 1 && messages(bob).size === 1, 10_000, 'the valid message after the garbage, relayed');
    expect(count(alice, 'frame:decode')).toBeGreaterThanOrEqual(10);
    expect(count(alice, 'frame:unknown_type')).toBeGreaterThanOrEqual(3);
    expect(count(alice, 'frame:chunk')).toBeGreaterThan(0);
    expect(count(alice, 'presence:decode')).toBe(1);
    expect(alice.provider.stats().floodDisconnects).toBe(0);
    // Then what no honest peer sends: updates Yjs cannot read, a frame sealed with another key. Twenty strikes each.
    const { wireKey: wrongKey } = deriveRoomKeys(createRoomSecret());
    hostile.sendRaw(target, await sealAndChunk(wrongKey, encodeSyncRequest(), 999));
    await hostile.send(target, [encodeLiveUpdate(Uint8Array.of(1, 1, 5, 0, 0xff, 0xff)), encodeLiveUpdate(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x0f)), encodeLiveUpdate(randomBytes(40))]);
    await until(() => alice.provider.stats().floodDisconnects === 1, 10_000, 'the sender of garbage to be cut off');
    expect(count(alice, 'frame:decrypt')).toBe(1);
    expect(count(alice, 'update:decode')).toBeGreaterThanOrEqual(2);
    expect(alice.status().peers).toBe(1);
    await expectHonestTalk(alice, bob);
    // Nothing reached the console.
    expect(errors).not.toHaveBeenCalled();
  });

  it('refuse history pieces nobody asked for, and a live update of 10k structs; neither reaches the other honest peer', async () => {
    const { alice, bob, hostile } = await openRoom();
    const mallory = await createIdentity();
    const history = new Y.Doc();
    for (let i = 0; i < 300; i++) await post(history, mallory, `planted ${i}`);
    await hostile.send(alice.provider.selfId, [encodePiece(Y.encodeStateAsUpdate(history), true)]);
    await until(() => count(alice, 'update:unsolicited') > 0, 10_000, 'the unsolicited piece to be counted');
    const big = new Y.Doc();
    big.transact(() => {
      for (let i = 0; i < 10_000; i++) big.getMap('messages').set(`s${i}`, 'x');
    });
    const update = Y.encodeStateAsUpdate(big);
    expect(update.length).toBeLessThan(MAX_LIVE_UPDATE_BYTES);
    await hostile.send(bob.provider.selfId, [encodeLiveUpdate(update)]);
    await until(() => count(bob, 'update:unsolicited') > 0, 10_000, 'the oversized live update to be counted');
    await expectHonestTalk(alice, bob);
    expect(messages(alice).size).toBe(2);
    expect(messages(bob).size).toBe(2);
  });

  it('refuse junk under unknown roots and forged entries whole: not applied, not relayed', async () => {
    const { alice, bob, hostile } = await openRoom();
    const junk = new Y.Doc();
    const junkUpdates: Uint8Array[] = [];
    junk.on('update', (update: Uint8Array) => void junkUpdates.push(update));
    junk.getMap('junk').set('blob', 'x'.repeat(100_000));
    junk.getMap('messages').set('nested', new Y.Map());
    junk.getMap('messages').set('not-a-message', 'hello');
    const mallory = await createIdentity();
    const forged = await createMessageEntry(mallory, { nick: 'Mallory', text: 'forged', hlc: clock.tick() });
    junk.getMap('messages').set(forged.id, encodeMessageEntry({ ...forged, text: 'changed after signing' }));
    await hostile.send(alice.provider.selfId, junkUpdates.map(encodeLiveUpdate));
    await until(() => count(alice, 'update:unknown_root') === 1 && count(alice, 'update:shape') >= 2 && count(alice, 'update:signature') === 1, 10_000, 'each junk update refused');
    await expectHonestTalk(alice, bob);
    for (const peer of [alice, bob]) {
      expect(peer.doc.share.has('junk')).toBe(false);
      expect(messages(peer).has(forged.id)).toBe(false);
      expect(messages(peer).size).toBe(2);
    }
  });

  it('refuse a validly signed message written over someone else\'s, under its id: the original stays everywhere', async () => {
    const { alice, bob, hostile } = await openRoom();
    const id = await post(alice.doc, await alice.identity, 'the meeting is at noon');
    await until(() => messages(bob).has(id), 10_000, 'bob to have alice\'s message');
    const original = messages(alice).get(id);
    // The attacker holds what everyone holds, signs its own entry under alice's message id and writes it over hers.
    Y.applyUpdate(hostile.doc, Y.encodeStateAsUpdate(alice.doc));
    const mallory = await hostile.identity;
    const entry = await createMessageEntry(mallory, { nick: 'Alice', text: 'the meeting is cancelled', hlc: clock.tick() }, () => id);
    const updates: Uint8Array[] = [];
    hostile.doc.on('update', (update: Uint8Array) => void updates.push(update));
    hostile.doc.getMap('messages').set(id, encodeMessageEntry(entry));
    await hostile.send(alice.provider.selfId, updates.map(encodeLiveUpdate));
    await until(() => count(alice, 'update:not_author') === 1, 10_000, 'the overwrite refused');
    await expectHonestTalk(alice, bob);
    expect(messages(alice).get(id)).toBe(original);
    expect(messages(bob).get(id)).toBe(original);
  });

  it('rate-limit a burst of 5,000 signed live updates and cut the flooder off', async () => {
    const { alice, bob, hostile } = await openRoom();
    const updates = await signedUpdates(await hostile.identity, 5000);
    await hostile.send(alice.provider.selfId, updates.map(encodeLiveUpdate));
    await until(() => alice.provider.stats().floodDisconnects === 1, 20_000, 'alice to cut the flooder off');
    expect(count(alice, 'frame:rate')).toBeGreaterThan(0);
    await until(() => alice.status().peers === 1, 10_000, 'the flooder gone from alice');
    await expectHonestTalk(alice, bob);
    // The message budget (400 at once, then 100/s) is what got through before the cut.
    expect(messages(alice).size).toBeLessThanOrEqual(MESSAGE_BURST + 50);
    // It is refused for a while: announcing again gets it nowhere.
    hostile.announce();
    await until(() => count(alice, 'frame:refused') > 0, 10_000, 'its announce to be refused');
  });

  it('keep each member in presence as they signed it: a forged record for Bob\'s client id with a huge clock changes nothing', async () => {
    const { alice, bob, hostile } = await openRoom();
    await until(() => alice.nicks().includes('Bob') && bob.nicks().includes('Alice'), 20_000, 'alice and bob to see each other');
    const bobKey = toBase64Url((await bob.identity).publicKey);
    const bobEntry = alice.presence.entries().get(presenceId(bob.doc.clientID, bobKey));
    expect(bobEntry?.state.nick).toBe('Bob');
    const mallory = await hostile.identity;
    // Bob's client id, the top clock, a state of the attacker's choosing: signed with the attacker's key.
    const fake = await signPresence(mallory, bob.doc.clientID, 0xffff_ffff, { nick: 'Fake Person', color: '#000000', status: 'away', text: 'I left, ignore my messages', typing: false });
    // The same, claiming Bob's key without his signature.
    const stolen = { ...fake, key: bobKey, json: JSON.stringify({ key: bobKey, sig: fake.sig, state: fake.stateText }) };
    const updates = [fake, stolen].map((record) => encodePresence(encodePresenceUpdate([record])));
    await hostile.send(alice.provider.selfId, updates);
    await until(() => count(alice, 'presence:signature') === 1, 10_000, 'the stolen key refused');
    // Bob is still Bob, and the forged record is a separate entry under the attacker's own key.
    expect(alice.presence.entries().get(presenceId(bob.doc.clientID, bobKey))?.state.nick).toBe('Bob');
    const forgedEntry = alice.presence.entries().get(presenceId(bob.doc.clientID, toBase64Url(mallory.publicKey)));
    expect(forgedEntry?.key).not.toBe(bobKey);
    // Bob's renewals still land: his next record replaces his entry.
    await until(() => (alice.presence.entries().get(presenceId(bob.doc.clientID, bobKey))?.clock ?? 0) > (bobEntry?.clock ?? 0), 20_000, 'bob renewing');
    await expectHonestTalk(alice, bob);
  });

  it('answer a flood of requests for the whole history no faster than their budget', async () => {
    const history = new Y.Doc();
    const author = await createIdentity();
    for (let i = 0; i < 2000; i++) await post(history, author, `old ${i}`);
    const { alice, bob, hostile } = await openRoom(history);
    const target = alice.provider.selfId;
    const pieces = (): number => (hostile.received.get(target) ?? []).filter((message) => message.kind === 'piece').length;
    const before = pieces();
    // State vectors of an empty document: each asks for all 2,000 entries.
    await hostile.send(target, Array.from({ length: 50 }, () => encodeStateVector(new Y.Doc())));
    await until(() => count(alice, 'frame:rate') >= 45, 10_000, 'the request flood to be limited');
    // The 2,000 entries fit in a few pieces: fewer than three histories went out for fifty requests.
    expect(pieces() - before).toBeLessThan(12);
    await expectHonestTalk(alice, bob);
  });

  it('replayed sealed frames change nothing', async () => {
    const { alice, bob, hostile } = await openRoom();
    const id = await post(alice.doc, await alice.identity, 'a live message');
    await until(() => (hostile.received.get(alice.provider.selfId) ?? []).some((message) => message.kind === 'live-update'), 10_000, 'the hostile peer to see the live message');
    await until(() => messages(bob).has(id), 10_000, 'bob to get the live message');
    const before = contents(alice);
    const fromAlice = hostile.chunks.get(alice.provider.selfId) ?? [];
    // Alice's challenge, proof, presence, pieces and live update, replayed to bob and back to alice.
    hostile.sendRaw(bob.provider.selfId, fromAlice);
    hostile.sendRaw(alice.provider.selfId, fromAlice);
    await until(() => count(bob, 'frame:unsolicited') >= 1 && count(alice, 'frame:unsolicited') >= 1, 10_000, 'the replayed proof refused');
    expect(contents(alice)).toBe(before);
    expect(contents(bob)).toBe(before);
    await expectHonestTalk(alice, bob);
  });

  it('disconnectKey cuts a person off and refuses them when they come back with a new connection', async () => {
    const { url, secret, alice, bob, hostile } = await openRoom();
    const key = toBase64Url((await hostile.identity).publicKey);
    alice.provider.disconnectKey(key);
    await until(() => alice.status().peers === 1, 10_000, 'alice to drop the hostile peer');
    expect(alice.provider.stats().refusedConnections).toBe(1);
    hostile.announce();
    await until(() => count(alice, 'frame:refused') > 0, 10_000, 'its announce to be refused');
    // Back with a new peer id but the same key: closed right after its proof.
    const again = createHostilePeer(url, secret, { identity: await hostile.identity });
    hostiles.push(again);
    await until(() => alice.provider.stats().refusedConnections === 2, 20_000, 'alice to refuse the returning key');
    await until(() => alice.status().peers === 1 && bob.status().peers === 3, 20_000, 'bob, who did not refuse it, to keep it');
    await expectHonestTalk(alice, bob);
  });
});
