/**
 * The NAT lab against the raw WebRTC anchor (tests/bench/nat-raw-page.html, no app code): two
 * Chromiums in two LANs behind two NAT routers, signalling through the lab's node in inet. What it
 * shows is what any WebRTC app meets across real NATs, and what the app's own tests in the lab build on.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createNatLab, labNamespaces, LAB_ADDRESSES, sweepStaleLabs, type LabHost, type NatLab, type NatMode } from '../helpers/nat-lab.js';
import { startLabCoturn, type LabCoturn } from '../helpers/nat-lab-coturn.js';
import { useNatLab } from '../helpers/nat-lab-hooks.js';
import { startLabNode, type LabNode } from '../helpers/nat-lab-node.js';
import { labChromium, measureRawJoin, openRawPair, type RawPair, type SelectedPair } from '../helpers/nat-lab-raw.js';

/** In inet: prints each datagram's source as JSON and answers it; first knocks from the first port if asked. */
const LISTEN = `
const dgram = require('node:dgram');
const [host, ports, knock] = process.argv.slice(1);
const sockets = ports.split(',').map((port) => {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (_data, from) => {
    console.log(JSON.stringify({ port: Number(port), from: from.address + ':' + from.port }));
    socket.send('echo', from.port, from.address);
  });
  return new Promise((resolve) => socket.bind(Number(port), host, () => resolve(socket)));
});
Promise.all(sockets).then(([first]) => {
  if (!knock) return console.log('ready');
  const [knockHost, knockPort] = knock.split(':');
  first.send('knock', Number(knockPort), knockHost, () => console.log('ready'));
});
`;
/** In a LAN: from one local port, sends to each target in turn and waits for its answer. */
const SEND = `
const socket = require('node:dgram').createSocket('udp4');
const [localPort, ...targets] = process.argv.slice(1);
socket.bind(Number(localPort), async () => {
  for (const target of targets) {
    const [host, port] = target.split(':');
    const answered = new Promise((resolve, reject) => {
      socket.once('message', resolve);
      setTimeout(() => reject(new Error('no answer from ' + target)), 5000);
    });
    socket.send('hello', Number(port), host);
    await answered;
  }
  process.exit(0);
});
`;

/** Where the internet sees datagrams from `from`'s local port to 203.0.113.1 on each port come from. */
async function observedSources(lab: NatLab, from: LabHost, localPort: number, ports: readonly number[], knock?: string): Promise<string[]> {
  const listener = lab.spawn('inet', process.execPath, ['-e', LISTEN, LAB_ADDRESSES.node, ports.join(','), knock ?? '']);
  try {
    await listener.waitForOutput(/ready/);
    lab.exec(from, process.execPath, ['-e', SEND, String(localPort), ...ports.map((port) => `${LAB_ADDRESSES.node}:${port}`)]);
    await listener.waitForOutput(new RegExp(`"port":${ports.at(-1)}`));
    return listener.output().split('\n').filter((line) => line.startsWith('{')).map((line) => (JSON.parse(line) as { from: string }).from);
  } finally {
    await listener.stop();
  }
}

const types = (pair: SelectedPair): string[] => [pair.local.type, pair.remote.type];

describe('NAT lab: raw WebRTC between two LANs behind NATs', () => {
  const lab = useNatLab();
  let turn: LabCoturn;
  /** Relays the raw pages' signals; its /ice hands out its own STUN responder and coturn. Stopped with the lab. */
  let node: LabNode;
  const pairs: RawPair[] = [];
  beforeAll(async () => {
    turn = await startLabCoturn(lab());
    node = await startLabNode(lab(), { TURN_URLS: turn.turnUrl, TURN_SECRET: turn.secret });
  });
  afterEach(async () => {
    for (const pair of pairs.splice(0)) await pair.close();
  });
  const useModes = (mode: NatMode): void => {
    lab().setNatMode('nat-a', mode);
    lab().setNatMode('nat-b', mode);
  };
  const stunOnly = (): RTCIceServer[] => [{ urls: turn.stunUrl }];
  /** A raw pair started with these servers, connected (b received a's "hello"). */
  const connectedPair = async (iceServers: RTCIceServer[]): Promise<RawPair> => {
    const pair = await openRawPair(lab(), node);
    pairs.push(pair);
    await pair.start(iceServers);
    await pair.b.waitForMessage('hello', 20_000);
    return pair;
  };
  /** Both ways, a message sent now arrives within timeoutMs. */
  const exchange = async (pair: RawPair, label: string, timeoutMs: number): Promise<void> => {
    const since = Date.now();
    expect(await pair.a.send(`${label} from a`)).toBe(true);
    expect(await pair.b.send(`${label} from b`)).toBe(true);
    await pair.b.waitForMessage(`${label} from a`, timeoutMs, since);
    await pair.a.waitForMessage(`${label} from b`, timeoutMs, since);
  };

  it('a cone NAT gives one inside socket one public port for every destination; a symmetric NAT a port per destination', async () => {
    useModes('cone');
    const coneSource = `${lab().publicAddress('nat-a')}:40000`;
    expect(await observedSources(lab(), 'lan-a', 40000, [7000, 7001, 7002])).toEqual([coneSource, coneSource, coneSource]);
    useModes('symmetric');
    const sources = await observedSources(lab(), 'lan-b', 40000, [7000, 7001, 7002]);
    expect(sources.every((source) => source.startsWith(`${lab().publicAddress('nat-b')}:`))).toBe(true);
    expect(new Set(sources).size).toBeGreaterThan(1);
  });

  it('a cone NAT keeps its port for a flow an outside host knocked on first (the knock is dropped unrecorded)', async () => {
    useModes('cone');
    // Recorded, the knock would make masquerade map the later outgoing flow to another port.
    const publicAddress = lab().publicAddress('nat-a');
    expect(await observedSources(lab(), 'lan-a', 40001, [7003], `${publicAddress}:40001`)).toEqual([`${publicAddress}:40001`]);
  });

  it('with no ICE servers the two browsers never connect (their mDNS host names do not resolve across the NATs)', async () => {
    useModes('cone');
    const pair = await openRawPair(lab(), node);
    pairs.push(pair);
    await pair.start([]);
    await expect(pair.a.waitForState(['connected', 'completed'], 15_000)).rejects.toThrow(/Timeout/);
    expect(await pair.b.received()).toEqual([]);
    // Each side signalled only host candidates, named by mDNS (xxxx.local): nothing the other can reach.
    for (const side of [pair.a, pair.b]) {
      const candidates = await side.signalledCandidates();
      expect(candidates.length).toBeGreaterThan(0);
      for (const candidate of candidates) expect(candidate).toMatch(/ [0-9a-f-]+\.local \d+ typ host/);
    }
  });

  it('through cone NATs, STUN alone connects them directly on a srflx pair', async () => {
    useModes('cone');
    const join = await measureRawJoin(lab(), node, stunOnly());
    console.info(`raw join, cone NATs, STUN: ${join.ms.toFixed(0)} ms, a ${types(join.a).join('/')}, b ${types(join.b).join('/')}`);
    expect(types(join.a)).toEqual(['srflx', 'srflx']);
    expect(join.a.local.address).toBe(lab().publicAddress('nat-a'));
    expect(join.a.remote.address).toBe(lab().publicAddress('nat-b'));
  });

  it('through symmetric NATs, STUN alone fails', async () => {
    useModes('symmetric');
    const pair = await openRawPair(lab(), node);
    pairs.push(pair);
    await pair.start(stunOnly());
    // Chromium gives up after about 15 s: iceConnectionState 'disconnected', connectionState 'failed'.
    const failed = await pair.a.waitForState(['failed'], 40_000);
    expect(failed.connection).toBe('failed');
    expect(await pair.b.received()).toEqual([]);
  });

  it('through symmetric NATs, coturn relays them', async () => {
    useModes('symmetric');
    const before = turn.allocations();
    const join = await measureRawJoin(lab(), node, turn.iceServers());
    console.info(`raw join, symmetric NATs, coturn: ${join.ms.toFixed(0)} ms, a ${types(join.a).join('/')}, b ${types(join.b).join('/')}`);
    expect(types(join.a)).toContain('relay');
    expect(types(join.b)).toContain('relay');
    expect(turn.allocations()).toBeGreaterThan(before);
  });

  it('the node in inet hands out its own STUN responder and coturn with minted credentials; with them the browsers connect through cone and symmetric NATs', async () => {
    const context = await (await labChromium(lab(), 'lan-a')).newContext();
    const response = await (await context.newPage()).goto(`${node.url}/ice`);
    const ice = (await response?.json()) as { iceServers: Array<RTCIceServer & { urls: string[] }> };
    await context.close();
    const stun = ice.iceServers.filter((server) => server.urls.every((url) => url.startsWith('stun:')));
    expect(stun.flatMap((server) => server.urls)).toEqual([`stun:${LAB_ADDRESSES.node}:3478`]);

    useModes('cone');
    const direct = await measureRawJoin(lab(), node, stun);
    expect(types(direct.a)).toEqual(['srflx', 'srflx']);
    useModes('symmetric');
    const relayed = await measureRawJoin(lab(), node, ice.iceServers);
    expect(types(relayed.a)).toContain('relay');
    console.info(`raw join with the node's /ice: cone ${direct.ms.toFixed(0)} ms (srflx), symmetric ${relayed.ms.toFixed(0)} ms (${types(relayed.a).join('/')})`);
  });

  it('a cone NAT that forgets its mappings does not break a direct connection: the next packet out gets the same port', async () => {
    useModes('cone');
    const pair = await connectedPair(stunOnly());
    const selected = await pair.a.selectedPair();
    const since = Date.now();
    lab().forgetMappings('nat-a');
    await exchange(pair, 'after forgetting', 5000);
    expect(await pair.a.selectedPair()).toEqual(selected);
    expect(lab().mappings('nat-a').some((flow) => flow.includes(`dport=${selected?.local.port ?? 0}`))).toBe(true);
    expect((await pair.a.states()).filter((state) => state.at >= since)).toEqual([]);
  });

  it('a cone NAT that moves to another public address (Wi-Fi → mobile) breaks a direct connection: it fails without an ICE restart', async () => {
    useModes('cone');
    const pair = await connectedPair(stunOnly());
    const since = Date.now();
    const old = lab().publicAddress('nat-a');
    expect(lab().changePublicAddress('nat-a')).not.toBe(old);
    // The other NAT drops packets from the new address (no flow was opened to it). About 5 s to
    // 'disconnected' and 15 s to 'failed' here.
    const disconnected = await pair.a.waitForState(['disconnected'], 20_000, since);
    const failed = await pair.a.waitForState(['failed'], 40_000, since);
    await pair.b.waitForState(['failed'], 40_000, since);
    console.info(`cone, public address changed: a disconnected after ${(disconnected.at - since).toFixed(0)} ms, failed after ${(failed.at - since).toFixed(0)} ms`);
    // (The data channel still reads 'open': SCTP notices later. The transport has no pair left.)
    expect(await pair.a.selectedPair()).toBeNull();
  });

  it('a symmetric NAT that forgets its mappings does not break a relayed connection: ICE keeps a relayed pair that still works', async () => {
    useModes('symmetric');
    const pair = await connectedPair(turn.iceServers());
    lab().forgetMappings('nat-a');
    // a's own allocation is tied to its old public port, but b's allocation lets any port of a's
    // address in (TURN permissions are per address), and ICE keeps checking that pair too. Messages
    // paused about a second here, with no state change.
    // Generous: on a loaded machine ICE's consent checks on the relayed pair come late.
    await exchange(pair, 'after forgetting', 30_000);
    const selected = await pair.a.selectedPair();
    expect(selected === null ? [] : types(selected)).toContain('relay');
  });

  it('a symmetric NAT that moves to another public address breaks a relayed connection too', async () => {
    useModes('symmetric');
    const pair = await connectedPair(turn.iceServers());
    const since = Date.now();
    lab().changePublicAddress('nat-b');
    const failed = await pair.b.waitForState(['failed'], 40_000, since);
    await pair.a.waitForState(['failed'], 40_000, since);
    console.info(`symmetric + coturn, public address changed: b failed after ${(failed.at - since).toFixed(0)} ms`);
  });
});

describe('NAT lab lifecycle', () => {
  /** Links of the host's own namespace with a name the lab gives its links (other tests may add links of their own). */
  const labLinksInHost = (): string[] =>
    execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' })
      .split('\n')
      .map((line) => line.split(': ')[1]?.split('@')[0] ?? '')
      .filter((name) => ['wan', 'lan', 'to-a', 'to-b', 'br0', 'void', 'void-end'].includes(name));

  it('dispose deletes every namespace of the lab and kills its processes, and may be called twice; no link is ever made in the host\'s namespace', async () => {
    const lab = createNatLab();
    expect(labNamespaces(lab.prefix)).toHaveLength(5);
    expect(labLinksInHost()).toEqual([]);
    const sleeper = lab.spawn('lan-b', 'sleep', ['600']);
    await lab.dispose();
    await lab.dispose();
    expect(labNamespaces(lab.prefix)).toEqual([]);
    expect(await sleeper.exited).not.toBe(0);
    expect(labLinksInHost()).toEqual([]);
  });

  it('a new lab sweeps away the namespaces of a run that died', () => {
    const dead = spawnSync('true').pid;
    const stale = `plab${dead}n1-inet`;
    execFileSync('ip', ['netns', 'add', stale]);
    expect(sweepStaleLabs()).toContain(stale);
    expect(labNamespaces(stale)).toEqual([]);
  });
});
