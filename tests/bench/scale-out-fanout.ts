/**
 * Scale-out bench, parts 1 and 2: the signaling bench's fan-out workload (signaling.ts: 20 topics ×
 * 50 subscribers × 200 publishes of ~600 B, raw clients) against three set-ups alive side by side —
 * two nodes sharing a Redis with each topic's members split over them, one node without Redis, and
 * y-webrtc's bin/server.js — counted per CPU-second of every server process (nodes + redis-server);
 * then publish → delivery latency on the two nodes, one receiver on the publisher's node and one
 * on the other, for the same publishes.
 */
import { randomBytes } from 'node:crypto';
import { FrameCounter, maskedFrame, type BenchSocket } from './raw-ws.js';
import { startServer, type ServerProcess } from './servers.js';
import { DATA_CHARS, SUBSCRIBERS_PER_TOPIC, TOPICS, buildPublishes, fanOutRun, fanOutTopic, subscribeAll, type FanOutRun } from './signaling.js';
import { cpuSecondsOf, openClientsOn, sleep, startBenchNode } from './scale-out-cluster.js';
import type { NodeProcess } from '../helpers/node-process.js';
import type { RedisServer } from '../helpers/redis.js';
import type { BenchOptions } from './signaling.js';

export type FanOutSetup = 'cluster' | 'single' | 'reference';
export const FAN_OUT_SETUPS: readonly FanOutSetup[] = ['cluster', 'single', 'reference'];
export const SETUP_LABELS: Readonly<Record<FanOutSetup, string>> = {
  cluster: '2 Parley nodes + Redis',
  single: '1 Parley node, no Redis',
  reference: 'y-webrtc bin/server.js',
};

interface RunningSetup {
  clients: BenchSocket[];
  counter: FrameCounter;
  /** Every server process of the set-up, whose CPU the run is charged. */
  cpu: Pick<ServerProcess, 'cpuSeconds'>;
  /** CPU-seconds of each process between the last two `cpu.cpuSeconds()` calls (a run's start and end). */
  split(): number[];
  stop(): Promise<void>;
}

/** Node (0 = A, 1 = B) of fan-out client i: alternate subscribers of every topic (i % TOPICS) on each node. */
const fanOutNodeOf = (i: number): number => Math.floor(i / TOPICS) % 2;

/**
 * Until every node counts every other node's subscribers: one publish per topic from a member on A
 * and one from a member on B reach all 50 members, each saying `clients` 50.
 */
async function settleCounts(clients: readonly BenchSocket[], counter: FrameCounter): Promise<void> {
  const filler = 'x'.repeat(DATA_CHARS);
  for (let attempt = 1; ; attempt++) {
    for (const client of clients) {
      client.resetCount();
      client.captureNext = true;
    }
    const expected = 2 * TOPICS * SUBSCRIBERS_PER_TOPIC;
    const done = counter.arm(expected, 3_000).catch(() => undefined);
    for (let topic = 0; topic < TOPICS; topic++) {
      for (const publisher of [topic, topic + TOPICS]) clients[publisher]?.send(maskedFrame(JSON.stringify({ type: 'publish', topic: fanOutTopic(topic), data: filler })));
    }
    await done;
    await sleep(100);
    const settled = clients.every((client) => client.frames === 2 && (JSON.parse(client.captured?.toString() ?? '{}') as { clients?: number }).clients === SUBSCRIBERS_PER_TOPIC);
    if (settled) return;
    if (attempt === 20) throw new Error('the two nodes never agreed on the subscriber counts');
    await sleep(250);
  }
}

async function startSetup(setup: FanOutSetup, redis: RedisServer, firstBlock: number): Promise<{ running: RunningSetup; nodes: NodeProcess[] }> {
  const counter = new FrameCounter();
  const count = TOPICS * SUBSCRIBERS_PER_TOPIC;
  if (setup === 'reference') {
    const server = await startServer('reference');
    const clients = await openClientsOn(count, firstBlock, counter, () => server.port);
    await subscribeAll(clients, counter, fanOutTopic);
    return { running: { clients, counter, cpu: server, split: () => [], stop: () => server.stop() }, nodes: [] };
  }
  const nodes = setup === 'cluster'
    ? [await startBenchNode('bench-a', redis.url), await startBenchNode('bench-b', redis.url)]
    : [await startBenchNode('bench-single')];
  const clients = await openClientsOn(count, firstBlock, counter, (i) => (nodes[setup === 'cluster' ? fanOutNodeOf(i) : 0] as NodeProcess).port);
  await subscribeAll(clients, counter, fanOutTopic);
  if (setup === 'cluster') await settleCounts(clients, counter);
  const pids = [...nodes.map((node) => node.pid), ...(setup === 'cluster' ? [redis.pid() ?? -1] : [])];
  const stop = async (): Promise<void> => {
    for (const client of clients) client.destroy();
    await Promise.all(nodes.map((node) => node.kill('SIGTERM')));
  };
  let previous: number[] = [];
  let last: number[] = [];
  const cpuSeconds = (): number => {
    previous = last;
    last = pids.map((pid) => cpuSecondsOf([pid]));
    return last.reduce((a, b) => a + b, 0);
  };
  const split = (): number[] => last.map((value, i) => value - (previous[i] ?? 0));
  return { running: { clients, counter, cpu: { cpuSeconds }, split, stop }, nodes };
}

const rotate = <T>(items: readonly T[], by: number): T[] => items.map((_, i) => items[(i + by) % items.length] as T);

export interface FanOutResults {
  runs: Map<FanOutSetup, FanOutRun[]>;
  /** Per cluster run: CPU-seconds of node A, node B and redis-server. */
  clusterSplit: number[][];
  /** Each publish's frame size at most, for the notes. */
  largestBytes: number;
}

/**
 * The fan-out runs, the set-ups taking turns in a rotating order after a warm-up each; then, while
 * the cluster's nodes still run, `andThen` (the latency part) gets them.
 */
export async function runFanOut(options: BenchOptions, redis: RedisServer, runs: number, andThen: (nodes: NodeProcess[]) => Promise<void>): Promise<FanOutResults> {
  const { log } = options;
  const running = new Map<FanOutSetup, RunningSetup>();
  const results = new Map<FanOutSetup, FanOutRun[]>(FAN_OUT_SETUPS.map((setup) => [setup, []]));
  const { frames, largestBytes } = buildPublishes(TOPICS * SUBSCRIBERS_PER_TOPIC);
  let clusterNodes: NodeProcess[] = [];
  const clusterSplit: number[][] = [];
  try {
    for (const [k, setup] of FAN_OUT_SETUPS.entries()) {
      const started = await startSetup(setup, redis, 2000 + k * 100);
      running.set(setup, started.running);
      if (setup === 'cluster') clusterNodes = started.nodes;
    }
    for (let run = 0; run <= runs; run++) {
      for (const setup of rotate(FAN_OUT_SETUPS, run)) {
        const entry = running.get(setup);
        if (entry === undefined) throw new Error(`no ${setup} set-up`);
        const result = await fanOutRun(entry.cpu, entry.clients, entry.counter, frames);
        log(`  ${run === 0 ? 'warm-up' : `run ${run}`} ${setup}: ${Math.round(result.perServerCpuSecond).toLocaleString('en-US')} deliveries/CPU-s, ${Math.round(result.perSecond).toLocaleString('en-US')}/s (${result.seconds.toFixed(3)} s, server CPU ${(result.serverCpu * 100).toFixed(0)}%)`);
        if (run > 0) results.get(setup)?.push(result);
        if (run > 0 && setup === 'cluster') clusterSplit.push(entry.split());
        await sleep(300);
      }
    }
    // Latency on an otherwise idle cluster: the other set-ups' clients go first.
    for (const setup of ['single', 'reference'] as const) {
      await running.get(setup)?.stop();
      running.delete(setup);
    }
    await andThen(clusterNodes);
  } finally {
    for (const entry of running.values()) await entry.stop();
  }
  return { runs: results, clusterSplit, largestBytes };
}

// --- Latency -----------------------------------------------------------------------------------

const LATENCY_ROOMS = 20;
/** Publishes per second over all rooms: 25/s per publisher, half its sustained frame rate limit. */
export const LATENCY_RATE = 500;
const SEQ_DIGITS = 8;

export interface LatencyRun {
  sameP99: number;
  crossP99: number;
  sameP50: number;
  crossP50: number;
  samples: number;
  /** Publishes a receiver never got. */
  lost: number;
}

const percentile = (sorted: Float64Array, p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;

/**
 * Room r: publisher 3r and receiver 3r+1 on node A, receiver 3r+2 on node B. Both receivers get
 * the same publishes; each one's arrival time minus its write time (performance.now(), one clock).
 */
export async function latencyRuns(nodes: readonly NodeProcess[], reps: number, seconds: number, log: (line: string) => void): Promise<LatencyRun[]> {
  const [a, b] = nodes;
  if (a === undefined || b === undefined) throw new Error('latency needs two nodes');
  const counter = new FrameCounter();
  const clients = await openClientsOn(LATENCY_ROOMS * 3, 2500, counter, (i) => (i % 3 === 2 ? b : a).port);
  const topic = (room: number): string => `bench-latency-${room}`;
  try {
    await subscribeAll(clients, counter, (i) => topic(Math.floor(i / 3)));
    const filler = randomBytes(DATA_CHARS).toString('base64').slice(0, DATA_CHARS - SEQ_DIGITS - 1);
    const total = Math.ceil(LATENCY_RATE * seconds);
    const runs: LatencyRun[] = [];
    for (let rep = 0; rep <= reps; rep++) {
      // Rep 0 is a warm-up, and waits until B delivers A's publishes at all (its counts settled).
      const count = rep === 0 ? LATENCY_RATE : total;
      const sentAt = new Float64Array(count);
      const same = new Float64Array(count).fill(Number.NaN);
      const cross = new Float64Array(count).fill(Number.NaN);
      clients.forEach((client, i) => {
        const into = i % 3 === 1 ? same : i % 3 === 2 ? cross : undefined;
        client.onText = into === undefined ? undefined : (payload) => {
          const at = performance.now();
          const start = payload.indexOf('"data":"L') + 9;
          if (start < 9) return;
          const seq = Number(payload.toString('latin1', start, start + SEQ_DIGITS));
          if (seq < count) into[seq] = at - (sentAt[seq] as number);
        };
      });
      const frames = Array.from({ length: count }, (_, seq) => maskedFrame(JSON.stringify({ type: 'publish', topic: topic(seq % LATENCY_ROOMS), data: `L${String(seq).padStart(SEQ_DIGITS, '0')}${filler}` })));
      await new Promise<void>((resolve) => {
        const startedAt = performance.now();
        let sent = 0;
        const timer = setInterval(() => {
          // As many as the rate says by now, at most 20 at once after a stall of the bench process.
          const due = Math.min(count, Math.floor(((performance.now() - startedAt) * LATENCY_RATE) / 1000), sent + 20);
          for (; sent < due; sent++) {
            sentAt[sent] = performance.now();
            clients[(sent % LATENCY_ROOMS) * 3]?.send(frames[sent] as Buffer);
          }
          if (sent >= count) {
            clearInterval(timer);
            resolve();
          }
        }, 5);
      });
      await sleep(1000);
      const got = (values: Float64Array): Float64Array => values.filter((value) => !Number.isNaN(value)).sort();
      const sameSorted = got(same);
      const crossSorted = got(cross);
      const lost = 2 * count - sameSorted.length - crossSorted.length;
      if (rep === 0) {
        if (crossSorted.length === 0) throw new Error('node B delivered none of node A\'s publishes');
        continue;
      }
      const run = { sameP99: percentile(sameSorted, 0.99), crossP99: percentile(crossSorted, 0.99), sameP50: percentile(sameSorted, 0.5), crossP50: percentile(crossSorted, 0.5), samples: count, lost };
      log(`  latency run ${rep}: p99 same node ${run.sameP99.toFixed(2)} ms, cross-node ${run.crossP99.toFixed(2)} ms (p50 ${run.sameP50.toFixed(2)} / ${run.crossP50.toFixed(2)} ms), ${count} publishes, ${lost} lost`);
      runs.push(run);
      await sleep(300);
    }
    return runs;
  } finally {
    for (const client of clients) client.destroy();
  }
}
