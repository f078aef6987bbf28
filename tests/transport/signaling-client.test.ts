import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { sealBox } from '../../src/crypto/box.js';
import { toBase64Url, utf8 } from '../../src/crypto/encoding.js';
import { createRoomSecret, deriveRoomKeys } from '../../src/crypto/keys.js';
import { createSignalingClient, type SignalPayload, type SignalingClient, type SocketLike } from '../../src/transport/signaling-client.js';
import type { SignalingServer } from '../../signaling/server.js';
import { TestClient, startNode, until, wsUrl } from '../helpers/node.js';

let node: SignalingServer | undefined;
const closers: Array<() => void> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) close();
  await node?.close();
});

function client(url: string, keys: ReturnType<typeof deriveRoomKeys>, received: SignalPayload[], drops: string[]): SignalingClient {
  const created = createSignalingClient({
    url,
    topic: keys.topic,
    signalKey: keys.signalKey,
    createSocket: (target) => new WebSocket(target) as unknown as SocketLike,
    onPayload: (payload) => received.push(payload),
    onStatus: () => undefined,
    onDrop: (reason) => drops.push(reason),
  });
  closers.push(() => created.close());
  return created;
}

describe('sealed signaling', () => {
  it('delivers sealed payloads to room members and drops forged, foreign and replayed ones', async () => {
    node = await startNode();
    const keys = deriveRoomKeys(createRoomSecret());
    const [aliceGot, bobGot, bobDrops]: [SignalPayload[], SignalPayload[], string[]] = [[], [], []];
    const alice = client(wsUrl(node), keys, aliceGot, []);
    client(wsUrl(node), keys, bobGot, bobDrops);
    await until(() => alice.connected(), 5000, 'alice connected');
    await until(() => (node?.stats.framesIn ?? 0) >= 2, 5000, 'both subscribed');
    alice.publish({ kind: 'announce', from: 'alice-peer' });
    await until(() => bobGot.length === 1, 5000, 'bob to get the announce');
    expect(bobGot[0]).toEqual({ kind: 'announce', from: 'alice-peer' });

    // Someone who knows the topic (as the node does) but not the secret.
    const intruder = await TestClient.connect(wsUrl(node));
    closers.push(() => intruder.close());
    intruder.subscribe(keys.topic);
    await intruder.roundTrip();
    const otherKeys = deriveRoomKeys(createRoomSecret());
    const seal = (key: Uint8Array, value: unknown): string => toBase64Url(sealBox(key, utf8(JSON.stringify(value))));
    intruder.publish(keys.topic, { type: 'signal', from: 'x', to: 'y', signal: { type: 'offer', sdp: 'v=0' } });
    intruder.publish(keys.topic, seal(otherKeys.signalKey, { kind: 'announce', from: 'mallory', ts: Date.now() }));
    intruder.publish(keys.topic, 'not base64 at all!');
    // A genuine payload from two days ago, replayed.
    intruder.publish(keys.topic, seal(keys.signalKey, { kind: 'announce', from: 'old', ts: Date.now() - 2 * 86_400_000 }));
    intruder.publish(keys.topic, seal(keys.signalKey, { kind: 'signal', from: 'x', to: 'y', signal: 'not an object', ts: Date.now() }));
    await until(() => bobDrops.length === 5, 5000, 'five drops');
    expect(bobDrops.sort()).toEqual(['decrypt', 'decrypt', 'decrypt', 'shape', 'shape']);
    expect(bobGot).toHaveLength(1);
    // Someone whose clock is ten minutes off still gets through…
    const skewed = seal(keys.signalKey, { kind: 'announce', from: 'slow-clock', ts: Date.now() - 600_000 });
    intruder.publish(keys.topic, skewed);
    await until(() => bobGot.length === 2, 5000, 'the skewed announce');
    expect(bobGot[1]).toEqual({ kind: 'announce', from: 'slow-clock' });
    // …but the same bytes again (a replay) are dropped.
    intruder.publish(keys.topic, skewed);
    await until(() => bobDrops.length === 6, 5000, 'the replay dropped');
    expect(bobGot).toHaveLength(2);
    // A forgery that borrows a genuine payload's nonce before it arrives does not get it dropped.
    const genuine = sealBox(keys.signalKey, utf8(JSON.stringify({ kind: 'announce', from: 'on-time', ts: Date.now() })));
    const forged = genuine.slice();
    forged[forged.length - 1] = (forged[forged.length - 1] as number) ^ 1;
    intruder.publish(keys.topic, toBase64Url(forged));
    intruder.publish(keys.topic, toBase64Url(genuine));
    await until(() => bobGot.length === 3, 5000, 'the genuine payload after the forgery');
    expect(bobGot[2]).toEqual({ kind: 'announce', from: 'on-time' });
    expect(bobDrops.filter((reason) => reason === 'decrypt')).toHaveLength(4);
    // What the intruder (or the node) sees of a genuine payload: ciphertext only.
    await intruder.roundTrip();
    const seenBefore = intruder.received.length;
    alice.publish({ kind: 'announce', from: 'alice-peer' });
    const fromAlice = await intruder.waitFor((frame) => frame.type === 'publish' && intruder.received.indexOf(frame) >= seenBefore);
    expect(String(fromAlice.data)).toMatch(/^[A-Za-z0-9_-]{60,}$/);
    expect(String(fromAlice.data)).not.toContain('alice');
    // The node echoes every publish to its sender too: Alice skips her own unopened (nothing
    // delivered, nothing counted), while Bob got both of hers.
    await until(() => bobGot.length === 4, 5000, 'bob to get the second announce');
    expect(aliceGot.filter((payload) => payload.from === 'alice-peer')).toEqual([]);
    // The key an announce names (to name someone who cannot be reached) is kept only in its shape:
    // a 43-character base64url key; anything else is left out, and the announce still counts.
    const key = 'A'.repeat(43);
    for (const named of [key, 'x'.repeat(10_000), { evil: true }, '<img src=x onerror=alert(1)>']) {
      intruder.publish(keys.topic, seal(keys.signalKey, { kind: 'announce', from: 'named', key: named, ts: Date.now() }));
    }
    await until(() => bobGot.length === 8, 5000, 'four named announces');
    expect(bobGot.slice(4)).toEqual([{ kind: 'announce', from: 'named', key }, { kind: 'announce', from: 'named' }, { kind: 'announce', from: 'named' }, { kind: 'announce', from: 'named' }]);
  });

  it('deflates a restart offer of a call under the node\'s frame limit, keeps every payload in order, and drops a decompression bomb', async () => {
    node = await startNode();
    const keys = deriveRoomKeys(createRoomSecret());
    const [bobGot, bobDrops]: [SignalPayload[], string[]] = [[], []];
    const alice = client(wsUrl(node), keys, [], []);
    client(wsUrl(node), keys, bobGot, bobDrops);
    await until(() => alice.connected(), 5000, 'alice connected');
    await until(() => (node?.stats.framesIn ?? 0) >= 2, 5000, 'both subscribed');
    // An offer the size of an ICE restart during a call with screens (nine sections, ~20 KB of SDP):
    // sealed plain it would be a ~27 KB frame, which the node refuses (MAX_FRAME_BYTES 16 KiB).
    const section = (i: number): string => `m=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99 100 101\r\na=mid:${i}\r\n${Array.from({ length: 48 }, (_, j) => `a=rtpmap:${96 + j} VP8/90000\r\na=rtcp-fb:${96 + j} nack pli\r\n`).join('')}`;
    const sdp = `v=0\r\n${Array.from({ length: 9 }, (_, i) => section(i)).join('')}`;
    expect(sdp.length).toBeGreaterThan(20_000);
    alice.publish({ kind: 'signal', from: 'a', to: 'b', signal: { type: 'offer', sdp } });
    // Candidates published right after are not overtaken by the offer's compression.
    for (let i = 0; i < 3; i++) alice.publish({ kind: 'signal', from: 'a', to: 'b', signal: { candidate: { candidate: `candidate:${i}` } } });
    await until(() => bobGot.length === 4, 5000, 'offer and candidates');
    expect((bobGot[0] as { signal: { sdp: string } }).signal.sdp).toBe(sdp);
    expect(bobGot.slice(1).map((payload) => (payload as { signal: { candidate: { candidate: string } } }).signal.candidate.candidate)).toEqual(['candidate:0', 'candidate:1', 'candidate:2']);
    expect(Object.values(node.stats.framesRejected).reduce((sum, n) => sum + n, 0)).toBe(0);
    // A member who deflates a payload that inflates past 64 KiB gets it dropped, not inflated.
    const intruder = await TestClient.connect(wsUrl(node));
    closers.push(() => intruder.close());
    intruder.subscribe(keys.topic);
    await intruder.roundTrip();
    const bomb = new Uint8Array(200_000).fill(0x20);
    const deflated = new Uint8Array(await new Response(new Blob([bomb]).stream().pipeThrough(new CompressionStream('deflate-raw'))).arrayBuffer());
    intruder.publish(keys.topic, toBase64Url(sealBox(keys.signalKey, Uint8Array.of(0, ...deflated))));
    await until(() => bobDrops.length === 1, 5000, 'the bomb dropped');
    expect(bobDrops).toEqual(['decode']);
    expect(bobGot).toHaveLength(4);
  });

  it('subscribes at once on a socket opened ahead of time, and a peer on it is reached without waiting', async () => {
    node = await startNode();
    const keys = deriveRoomKeys(createRoomSecret());
    const bobGot: SignalPayload[] = [];
    client(wsUrl(node), keys, bobGot, []);
    // The socket is open before the client exists, as when the app opened it on the home page.
    const early = new WebSocket(wsUrl(node));
    await new Promise((resolve) => early.once('open', resolve));
    await until(() => (node?.stats.framesIn ?? 0) >= 1, 5000, 'bob subscribed');
    const statuses: boolean[] = [];
    const alice = createSignalingClient({
      url: wsUrl(node),
      topic: keys.topic,
      signalKey: keys.signalKey,
      createSocket: () => early as unknown as SocketLike,
      onPayload: () => undefined,
      onStatus: (connected) => statuses.push(connected),
      onDrop: () => undefined,
    });
    closers.push(() => alice.close());
    // Connected within the call: no 'open' event is coming for this socket.
    expect(alice.connected()).toBe(true);
    expect(statuses).toEqual([true]);
    alice.publish({ kind: 'announce', from: 'alice-peer' });
    await until(() => bobGot.length === 1, 5000, 'bob to get the announce');
    expect(bobGot[0]).toEqual({ kind: 'announce', from: 'alice-peer' });
  });
});
