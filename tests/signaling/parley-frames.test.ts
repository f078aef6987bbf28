/**
 * The frames Parley's own client publishes, measured: three peers, each Parley's signaling client
 * (which seals every payload) with simple-peer made by Parley's peer factory over @roamhq/wrtc,
 * connect pairwise through a node while a member of the topic records every frame. The defaults of MAX_FRAME_BYTES and the delivered-bytes budget are derived from these sizes
 * (README, "What the node enforces"); this test fails if the client's frames outgrow them.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../signaling/config.js';
import type { SignalingServer } from '../../signaling/server.js';
import { openBox } from '../../src/crypto/box.js';
import { fromBase64Url, fromUtf8 } from '../../src/crypto/encoding.js';
import { createRoomSecret, deriveRoomKeys } from '../../src/crypto/keys.js';
import wrtc from '@roamhq/wrtc';
import { WebSocket } from 'ws';
import { createSignalingClient, type SignalingClient, type SocketLike } from '../../src/transport/signaling-client.js';
import { createPeerFactory } from '../../src/transport/simple-peer-factory.js';
import type { PeerLike } from '../../src/transport/peer-mesh.js';
import { TestClient, metric, rejected, startNode, until, wsUrl } from '../helpers/node.js';
import { FULL_ROOM, manualClock, subscribeMembers, type CountingMember } from './full-room.js';

const DEFAULTS = defaultConfig();

interface Captured {
  readonly kind: string;
  /** The client's frame exactly as it sent it, and as the node charged it. */
  readonly frame: string;
  readonly from: string;
  readonly to: string | undefined;
}

const captured: Captured[] = [];
const nodes: SignalingServer[] = [];
const peers: PeerLike[] = [];
const signaling: SignalingClient[] = [];
const clients: Array<{ close(): void }> = [];
afterAll(async () => {
  for (const peer of peers) peer.destroy();
  for (const client of signaling) client.close();
  for (const client of clients) client.close();
  for (const node of nodes) await node.close();
});

function classify(signalKey: Uint8Array, data: string): Omit<Captured, 'frame'> {
  const sealed = fromBase64Url(data);
  const opened = sealed === null ? null : openBox(signalKey, sealed);
  const payload = JSON.parse(fromUtf8(opened ?? new Uint8Array()) ?? 'null') as { kind: string; from: string; to?: string; signal?: { type?: string } };
  const kind = payload.kind === 'announce' ? 'announce' : (payload.signal?.type ?? 'unknown');
  return { kind, from: payload.from, to: payload.to };
}

const sizes = (kind: string): number[] => captured.filter((entry) => entry.kind === kind).map((entry) => Buffer.byteLength(entry.frame));
const largest = (kind: string): Captured => {
  const ofKind = captured.filter((entry) => entry.kind === kind);
  return ofKind.reduce((a, b) => (Buffer.byteLength(b.frame) > Buffer.byteLength(a.frame) ? b : a));
};

/** Peer ids as the room provider makes them: 12 random bytes in hex. */
const peerId = (n: number): string => n.toString(16).padStart(24, 'c');

/**
 * `count` peers that announce, then connect pairwise (the smaller id offers), every signal going
 * through Parley's sealed signaling client. Resolves when every pair is connected.
 */
async function meetPairwise(url: string, keys: { topic: string; signalKey: Uint8Array }, count: number): Promise<void> {
  const createPeer = createPeerFactory({ wrtc });
  const links = new Map<string, PeerLike>();
  let connected = 0;
  const clientsById = new Map<string, SignalingClient>();
  for (let i = 0; i < count; i++) {
    const self = peerId(i);
    const client = createSignalingClient({
      url,
      topic: keys.topic,
      signalKey: keys.signalKey,
      createSocket: (to) => new WebSocket(to) as unknown as SocketLike,
      onPayload: (payload) => {
        if (payload.kind !== 'signal' || payload.to !== self) return;
        link(self, payload.from, false).signal(payload.signal);
      },
      onStatus: () => undefined,
      onDrop: () => undefined,
    });
    signaling.push(client);
    clientsById.set(self, client);
  }
  const link = (self: string, other: string, initiator: boolean): PeerLike => {
    const key = `${self}>${other}`;
    let peer = links.get(key);
    if (peer === undefined) {
      peer = createPeer(initiator);
      peers.push(peer);
      links.set(key, peer);
      peer.on('signal', (signal) => clientsById.get(self)?.publish({ kind: 'signal', from: self, to: other, signal }));
      peer.on('connect', () => void connected++);
    }
    return peer;
  };
  await until(() => [...clientsById.values()].every((client) => client.connected()), 10_000, 'signaling clients connected');
  for (const [self, client] of clientsById) client.publish({ kind: 'announce', from: self });
  for (let i = 0; i < count; i++) for (let j = i + 1; j < count; j++) link(peerId(i), peerId(j), true);
  await until(() => connected === count * (count - 1), 30_000, 'every pair connected');
}

/** Median number of candidates one side sent for one connection. */
function candidatesPerConnection(): number {
  const counts = new Map<string, number>();
  for (const entry of captured.filter((e) => e.kind === 'candidate')) counts.set(`${entry.from}>${entry.to}`, (counts.get(`${entry.from}>${entry.to}`) ?? 0) + 1);
  const sorted = [...counts.values()].sort((a, b) => a - b);
  return Math.max(1, sorted[Math.floor(sorted.length / 2)] ?? 1);
}

describe("Parley's own signaling frames", () => {
  it('are a small fraction of MAX_FRAME_BYTES: announces, offers, answers and candidates', async () => {
    const node = await startNode();
    nodes.push(node);
    const secret = createRoomSecret();
    const keys = deriveRoomKeys(secret);
    const tap = await TestClient.connect(wsUrl(node));
    clients.push(tap);
    tap.socket.on('message', (raw: Buffer) => {
      const frame = JSON.parse(raw.toString()) as { type?: string; topic?: string; data?: unknown };
      if (frame.type !== 'publish' || typeof frame.data !== 'string') return;
      // signaling-client.ts sends exactly this; the node adds only `clients` when relaying.
      captured.push({ ...classify(keys.signalKey, frame.data), frame: JSON.stringify({ type: 'publish', topic: frame.topic, data: frame.data }) });
    });
    tap.subscribe(keys.topic);
    await tap.roundTrip();
    await meetPairwise(wsUrl(node), keys, 3);
    await tap.roundTrip();

    for (const kind of ['announce', 'offer', 'answer', 'candidate']) {
      console.info(`${kind}: ${sizes(kind).length} frames, ${Math.min(...sizes(kind))}–${Math.max(...sizes(kind))} B`);
      expect(sizes(kind).length, kind).toBeGreaterThan(0);
    }
    expect(captured.map((entry) => entry.kind)).not.toContain('unknown');
    expect(Math.max(...captured.map((entry) => Buffer.byteLength(entry.frame)))).toBeLessThanOrEqual(DEFAULTS.maxFrameBytes / 4);
  });

  it("a joiner's whole frame burst of these frames reaches every member of a full room under the default budgets", async () => {
    // A join as Parley's client makes it (an announce, then per connection its offer or answer and
    // its candidates, largest sizes measured), as many frames as the frame limit passes at once.
    const clock = manualClock();
    const node = await startNode({ now: clock.now });
    nodes.push(node);
    const topic = deriveRoomKeys(createRoomSecret()).topic; // as long as the captured frames' topic
    const [joiner, ...members] = (await subscribeMembers(node, topic, FULL_ROOM, clients)) as [CountingMember, ...CountingMember[]];
    const retopic = (entry: Captured): string => JSON.stringify({ ...(JSON.parse(entry.frame) as object), topic });
    const handshake = retopic(largest(Buffer.byteLength(largest('offer').frame) > Buffer.byteLength(largest('answer').frame) ? 'offer' : 'answer'));
    const candidate = retopic(largest('candidate'));
    const frames = [retopic(largest('announce'))];
    // The joiner spent two frames (subscribe, ping) and keeps one for the ping below.
    const burst = DEFAULTS.rateLimitBurst - 3;
    const perConnection = 1 + candidatesPerConnection();
    while (frames.length < burst) frames.push(frames.length % perConnection === 1 ? handshake : candidate);
    const bytes = frames.reduce((sum, frame) => sum + Buffer.byteLength(frame), 0);
    console.info(`join burst: ${frames.length} frames, ${perConnection - 1} candidates per connection, ${bytes} B, ${bytes * FULL_ROOM} B delivered of a ${DEFAULTS.deliveredBytesBurst} B budget`);
    for (const frame of frames) joiner.send(frame);
    await joiner.roundTrip();
    await Promise.all(members.map((member) => member.roundTrip()));
    for (const member of members) expect(member.received()).toBe(frames.length);
    expect(await metric(node, rejected('byte_budget'))).toBe(0);
    expect(await metric(node, rejected('rate_limited'))).toBe(0);
  });
});
