/**
 * Signaling node benchmark: our node against y-webrtc's bin/server.js and against a fair relay
 * (tests/bench/fair-relay.ts: serialise once, `ws.send` per receiver), each in its own child
 * process, with the clients (raw sockets, see raw-ws.ts) in this process.
 *  - fan-out: 20 topics × 50 subscribers × 200 publishes per topic of ~600 B = 200,000 deliveries;
 *  - memory: 3,000 idle subscribed connections (10 per topic), post-GC delta per connection
 *    (our node and y-webrtc's only).
 * Our node runs with every limit and budget at its default; clients spread over loopback source
 * addresses (≤ 25 per address) to stay under its per-IP limit, 4 publishes per connection to stay
 * under its frame rate limit; those 4 publishes cost ~130 KB of its 100 MiB delivered-bytes burst.
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { BenchSocket, FrameCounter, maskedFrame } from './raw-ws.js';
import { SERVER_LABELS, startServer, type ServerKind, type ServerProcess } from './servers.js';
import { formatBytes, formatRate, median, type Row, type Section } from './report.js';
import { defaultConfig } from '../../signaling/config.js';

export const TOPICS = 20;
export const SUBSCRIBERS_PER_TOPIC = 50;
export const PUBLISHES_PER_SUBSCRIBER = 4; // 50 × 4 = 200 publishes per topic
export const DELIVERIES = TOPICS * SUBSCRIBERS_PER_TOPIC * PUBLISHES_PER_SUBSCRIBER * SUBSCRIBERS_PER_TOPIC;
export const DATA_CHARS = 600;
const MEMORY_CONNECTIONS = 3000;
const MEMORY_TOPICS = 300;
export const PER_ADDRESS = 25;
const CONNECT_CONCURRENCY = 64;
const WAIT_MS = 60_000;

export interface BenchOptions {
  quick: boolean;
  log: (line: string) => void;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Loopback source address for the `index`-th connection, `PER_ADDRESS` per address, from 127.0.1.1 on. */
export function sourceAddress(index: number, firstBlock: number): string {
  const n = firstBlock + Math.floor(index / PER_ADDRESS);
  return `127.${Math.floor(n / 62500) % 250}.${1 + (Math.floor(n / 250) % 250)}.${1 + (n % 250)}`;
}

/**
 * Opens `count` clients, `CONNECT_CONCURRENCY` at a time; client i connects to `target(i)` from
 * sourceAddress(i, firstBlock).
 */
export async function openClientsTo(count: number, firstBlock: number, counter: FrameCounter, target: (i: number) => { port: number; path: string }, timeoutMs = 10_000): Promise<BenchSocket[]> {
  const clients: BenchSocket[] = new Array<BenchSocket>(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next++;
      const { port, path } = target(index);
      clients[index] = await BenchSocket.connect({ host: '127.0.0.1', port, path, localAddress: sourceAddress(index, firstBlock), counter, timeoutMs });
    }
  };
  await Promise.all(Array.from({ length: CONNECT_CONCURRENCY }, worker));
  return clients;
}

const openClients = (server: ServerProcess, count: number, firstBlock: number, counter: FrameCounter): Promise<BenchSocket[]> => openClientsTo(count, firstBlock, counter, () => server);

/** Subscribes client i to topicOf(i), then a ping per client; resolves when every pong is back. */
export async function subscribeAll(clients: readonly BenchSocket[], counter: FrameCounter, topicOf: (i: number) => string): Promise<void> {
  const ping = maskedFrame(JSON.stringify({ type: 'ping' }));
  for (const client of clients) {
    client.resetCount();
    client.captureNext = true;
  }
  const done = counter.arm(clients.length, WAIT_MS);
  clients.forEach((client, i) => {
    client.send(maskedFrame(JSON.stringify({ type: 'subscribe', topics: [topicOf(i)] })));
    client.send(ping);
  });
  await done;
  for (const client of clients) {
    if (client.frames !== 1 || client.captured?.toString() !== '{"type":"pong"}') throw new Error(`expected one pong, got ${client.frames} frames: ${client.captured?.toString() ?? ''}`);
  }
}

export const fanOutTopic = (i: number): string => `bench-fanout-${i % TOPICS}`;

/** Pre-masked publish frames: frames[round][client], and the largest frame's size as the node charges it. */
export function buildPublishes(count: number): { frames: Buffer[][]; largestBytes: number } {
  const filler = randomBytes(DATA_CHARS).toString('base64').slice(0, DATA_CHARS - 12);
  let largestBytes = 0;
  const frames = Array.from({ length: PUBLISHES_PER_SUBSCRIBER }, (_, round) =>
    Array.from({ length: count }, (_, i) => {
      const data = `${String(round).padStart(2, '0')}${String(i).padStart(10, '0')}${filler}`;
      const text = JSON.stringify({ type: 'publish', topic: fanOutTopic(i), data });
      largestBytes = Math.max(largestBytes, Buffer.byteLength(text));
      return maskedFrame(text);
    }),
  );
  return { frames, largestBytes };
}

/** Frames our node dropped so far, by reason (all of them zero in a valid run: verifyDeliveries checks every delivery). */
async function parleyRejections(server: ServerProcess): Promise<Record<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
  const counts: Record<string, number> = {};
  for (const match of text.matchAll(/^parley_frames_rejected_total\{reason="([a-z_]+)"\} (\d+)$/gm)) counts[match[1] ?? ''] = Number(match[2]);
  return counts;
}

export interface FanOutRun {
  perSecond: number;
  /** Deliveries per CPU-second the server process used: less sensitive to other load on the machine. */
  perServerCpuSecond: number;
  seconds: number;
  serverCpu: number;
  clientCpu: number;
}

/** One timed fan-out: every publish written at once; from the first write to the last delivery. `server` may be several processes. */
export async function fanOutRun(server: Pick<ServerProcess, 'cpuSeconds'>, clients: readonly BenchSocket[], counter: FrameCounter, frames: Buffer[][]): Promise<FanOutRun> {
  for (const client of clients) {
    client.resetCount();
    client.captureNext = true;
  }
  const done = counter.arm(DELIVERIES, WAIT_MS);
  const serverCpuBefore = server.cpuSeconds();
  const clientCpuBefore = process.cpuUsage();
  const start = performance.now();
  for (const round of frames) round.forEach((frame, i) => clients[i]?.send(frame));
  const end = await done;
  const seconds = (end - start) / 1000;
  const serverCpuSeconds = server.cpuSeconds() - serverCpuBefore;
  const serverCpu = serverCpuSeconds / seconds;
  const clientUsage = process.cpuUsage(clientCpuBefore);
  const clientCpu = (clientUsage.user + clientUsage.system) / 1e6 / seconds;
  await sleep(100); // anything beyond the exact total would show up here
  verifyDeliveries(clients, counter);
  return { perSecond: DELIVERIES / seconds, perServerCpuSecond: DELIVERIES / serverCpuSeconds, seconds, serverCpu, clientCpu };
}

function verifyDeliveries(clients: readonly BenchSocket[], counter: FrameCounter): void {
  if (counter.frames !== DELIVERIES) throw new Error(`expected ${DELIVERIES} deliveries, got ${counter.frames}`);
  const expectedPerClient = SUBSCRIBERS_PER_TOPIC * PUBLISHES_PER_SUBSCRIBER;
  clients.forEach((client, i) => {
    if (client.frames !== expectedPerClient) throw new Error(`client ${i} got ${client.frames} frames, expected ${expectedPerClient}`);
    // The first delivery of every client is parsed: right topic, whole payload, subscriber count.
    const message = JSON.parse(client.captured?.toString() ?? 'null') as { type?: string; topic?: string; data?: string; clients?: number } | null;
    if (message?.type !== 'publish' || message.topic !== fanOutTopic(i) || message.data?.length !== DATA_CHARS || message.clients !== SUBSCRIBERS_PER_TOPIC) {
      throw new Error(`client ${i} received a wrong publish: ${client.captured?.toString().slice(0, 120) ?? 'nothing'}`);
    }
  });
}

interface MemoryResult {
  rssPerConnection: number;
  heapPerConnection: number;
}

async function memoryRun(kind: ServerKind, connections: number, log: (line: string) => void): Promise<MemoryResult> {
  const server = await startServer(kind);
  const counter = new FrameCounter();
  let clients: BenchSocket[] = [];
  try {
    // Warm-up (module loading, JIT) so it is not charged to the connections measured after it.
    const warm = await openClients(server, 50, 1000, counter);
    await subscribeAll(warm, counter, (i) => `bench-warm-${i % 5}`);
    for (const client of warm) client.destroy();
    await sleep(500);
    const before = await server.memory();
    clients = await openClients(server, connections, 0, counter);
    await subscribeAll(clients, counter, (i) => `bench-idle-${i % MEMORY_TOPICS}`);
    await sleep(1500);
    const after = await server.memory();
    const result = {
      rssPerConnection: (after.rss - before.rss) / connections,
      heapPerConnection: (after.heapUsed + after.external - (before.heapUsed + before.external)) / connections,
    };
    log(`  memory ${kind}: rss ${formatBytes(result.rssPerConnection)}/conn, heap+external ${formatBytes(result.heapPerConnection)}/conn`);
    return result;
  } finally {
    for (const client of clients) client.destroy();
    await server.stop();
  }
}

/** Extra node flags for our server in the fan-out part, e.g. BENCH_PARLEY_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof'. */
function parleyNodeArgs(): string[] {
  return (process.env['BENCH_PARLEY_NODE_ARGS'] ?? '').split(' ').filter((arg) => arg.length > 0);
}

const DEFAULTS = defaultConfig();
const formatRejections = (counts: Record<string, number>): string => {
  const nonZero = Object.entries(counts).filter(([, count]) => count > 0);
  return nonZero.length === 0 ? 'none' : nonZero.map(([reason, count]) => `${reason} ${count}`).join(', ');
};

const FAN_OUT_KINDS: readonly ServerKind[] = ['parley', 'reference', 'fair'];
const MEMORY_KINDS: readonly ServerKind[] = ['parley', 'reference'];
/** The servers in a different order each run, so none always goes first (or right after the slowest). */
const rotate = <T>(items: readonly T[], by: number): T[] => items.map((_, i) => items[(i + by) % items.length] as T);

export async function runSignalingBench(options: BenchOptions): Promise<Section> {
  const { log } = options;
  const fanOutRuns = options.quick ? 2 : 5;
  const memoryRuns = options.quick ? 1 : 5;
  const connections = TOPICS * SUBSCRIBERS_PER_TOPIC;

  const loadAtStart = loadavg().map((load) => load.toFixed(2)).join(', ');
  log(`fan-out: ${TOPICS} topics × ${SUBSCRIBERS_PER_TOPIC} subscribers, ${DELIVERIES} deliveries per run, ${fanOutRuns} runs per server (+1 warm-up)`);
  const servers = new Map<ServerKind, { server: ServerProcess; clients: BenchSocket[]; counter: FrameCounter }>();
  const fanOut = new Map<ServerKind, FanOutRun[]>(FAN_OUT_KINDS.map((kind) => [kind, []]));
  const { frames, largestBytes } = buildPublishes(connections);
  let rejections: Record<string, number> = {};
  try {
    for (const [k, kind] of FAN_OUT_KINDS.entries()) {
      const server = await startServer(kind, kind === 'parley' ? parleyNodeArgs() : []);
      const counter = new FrameCounter();
      const clients = await openClients(server, connections, k * 100, counter);
      await subscribeAll(clients, counter, fanOutTopic);
      servers.set(kind, { server, clients, counter });
    }
    for (let run = 0; run <= fanOutRuns; run++) {
      for (const kind of rotate(FAN_OUT_KINDS, run)) {
        const entry = servers.get(kind);
        if (entry === undefined) throw new Error(`no ${kind} server`);
        const result = await fanOutRun(entry.server, entry.clients, entry.counter, frames);
        const label = run === 0 ? 'warm-up' : `run ${run}`;
        log(`  ${label} ${kind}: ${formatRate(result.perSecond)} (${result.seconds.toFixed(3)} s, server CPU ${(result.serverCpu * 100).toFixed(0)}%, client CPU ${(result.clientCpu * 100).toFixed(0)}%)`);
        if (run > 0) fanOut.get(kind)?.push(result);
        await sleep(300);
      }
    }
    const parley = servers.get('parley');
    if (parley !== undefined) rejections = await parleyRejections(parley.server);
  } finally {
    for (const { server, clients } of servers.values()) {
      for (const client of clients) client.destroy();
      await server.stop();
    }
  }

  log(`memory: ${MEMORY_CONNECTIONS} idle connections over ${MEMORY_TOPICS} topics, ${memoryRuns} runs per server`);
  const memory = new Map<ServerKind, MemoryResult[]>(MEMORY_KINDS.map((kind) => [kind, []]));
  for (let run = 0; run < memoryRuns; run++) {
    for (const kind of rotate(MEMORY_KINDS, run)) memory.get(kind)?.push(await memoryRun(kind, MEMORY_CONNECTIONS, log));
  }

  const pick = <T>(map: Map<ServerKind, T[]>, kind: ServerKind, f: (value: T) => number): number => median((map.get(kind) ?? []).map(f));
  const rate = (kind: ServerKind): number => pick(fanOut, kind, (r) => r.perSecond);
  const cpuRate = (kind: ServerKind): number => pick(fanOut, kind, (r) => r.perServerCpuSecond);
  const rss = (kind: ServerKind): number => pick(memory, kind, (r) => r.rssPerConnection);
  const heap = (kind: ServerKind): number => pick(memory, kind, (r) => r.heapPerConnection);
  const cpu = (kind: ServerKind): string => `${(pick(fanOut, kind, (r) => r.serverCpu) * 100).toFixed(0)}% / ${(pick(fanOut, kind, (r) => r.clientCpu) * 100).toFixed(0)}%`;

  const anchored = (value: string, kind: ServerKind): string => `${value} (${SERVER_LABELS[kind]})`;
  const rows: Row[] = [
    {
      measure: `Fan-out deliveries/s against y-webrtc's server (median of ${fanOutRuns})`,
      ours: formatRate(rate('parley')), reference: anchored(formatRate(rate('reference')), 'reference'),
      ratio: rate('parley') / rate('reference'), floor: '≥ 3×', met: rate('parley') >= 3 * rate('reference'),
    },
    {
      measure: `Fan-out deliveries/s against a fair relay: serialise once, \`ws.send\` per receiver (median of ${fanOutRuns}; informational)`,
      ours: formatRate(rate('parley')), reference: anchored(formatRate(rate('fair')), 'fair'),
      ratio: rate('parley') / rate('fair'), floor: '—', met: undefined,
    },
    {
      measure: `Fan-out deliveries per server CPU-second, against y-webrtc's server (median of ${fanOutRuns}; informational)`,
      ours: formatRate(cpuRate('parley')).replace('/s', ''), reference: anchored(formatRate(cpuRate('reference')).replace('/s', ''), 'reference'),
      ratio: cpuRate('parley') / cpuRate('reference'), floor: '—', met: undefined,
    },
    {
      measure: `… against the fair relay (median of ${fanOutRuns}; informational)`,
      ours: formatRate(cpuRate('parley')).replace('/s', ''), reference: anchored(formatRate(cpuRate('fair')).replace('/s', ''), 'fair'),
      ratio: cpuRate('parley') / cpuRate('fair'), floor: '—', met: undefined,
    },
    {
      measure: `Memory per idle subscribed connection, heapUsed+external (median of ${memoryRuns})`,
      ours: formatBytes(heap('parley')), reference: anchored(formatBytes(heap('reference')), 'reference'),
      ratio: heap('parley') / heap('reference'), floor: '≤ 1×', met: heap('parley') <= heap('reference'),
    },
    {
      measure: `Memory per idle subscribed connection, RSS (median of ${memoryRuns}; informational, see notes)`,
      ours: formatBytes(rss('parley')), reference: anchored(formatBytes(rss('reference')), 'reference'),
      ratio: rss('parley') / rss('reference'), floor: '—', met: undefined,
    },
  ];
  const rssRange = (kind: ServerKind): string => {
    const values = (memory.get(kind) ?? []).map((r) => r.rssPerConnection);
    return `${formatBytes(Math.min(...values))}–${formatBytes(Math.max(...values))}`;
  };
  const runs = (kind: ServerKind): string => (fanOut.get(kind) ?? []).map((r) => Math.round(r.perSecond / 1000)).join(', ');
  const notes = [
    `Fan-out: ${TOPICS} topics × ${SUBSCRIBERS_PER_TOPIC} subscribers (${connections} connections, ${PER_ADDRESS} per loopback source address), ${PUBLISHES_PER_SUBSCRIBER} publishes per subscriber of a ${DATA_CHARS}-char \`data\` string, all written at once; time from the first publish written to the last of the ${DELIVERIES.toLocaleString('en-US')} deliveries received. The servers take turns, in a rotating order, after one warm-up run each.`,
    `Fan-out runs (k deliveries/s): ${FAN_OUT_KINDS.map((kind) => `${SERVER_LABELS[kind]} ${runs(kind)}`).join('; ')}. Median CPU during a run, server / client process: ${FAN_OUT_KINDS.map((kind) => `${SERVER_LABELS[kind]} ${cpu(kind)}`).join('; ')}.`,
    `The fair relay (tests/bench/fair-relay.ts, on \`ws\` like our node, no limits) serialises each publish once to a Buffer and calls \`ws.send\` per receiver, which builds a header and writes header and payload to that receiver's socket; y-webrtc's server also re-serialises the message per receiver. Our node builds one complete frame per publish and writes it to every receiver, corked so that each receiver's frames of one event-loop turn leave in one writev.`,
    `Memory: ${MEMORY_CONNECTIONS.toLocaleString('en-US')} connections each subscribed to one of ${MEMORY_TOPICS} topics and answered one ping; fresh server per run, preloaded with tests/bench/memory-probe.cjs (\`--expose-gc\`, 3× \`gc()\` then \`process.memoryUsage()\`); delta against a baseline taken after a 50-connection warm-up, divided by the connection count. The floor is judged on heapUsed+external, what each server's code allocates per connection; it varies by about 2% run to run. RSS adds the same native per-socket cost to both servers plus allocator and GC slack that varies far more from run to run (range over runs: ${SERVER_LABELS.parley} ${rssRange('parley')}, ${SERVER_LABELS.reference} ${rssRange('reference')}), so it is shown for information.`,
    `Load average when the bench started (1, 5, 15 min): ${loadAtStart}. The machine may be shared; wall-clock rates suffer from other load more than the per-CPU-second rates do.`,
    `Parley node runs with every limit and budget at its default (per-IP connection limit, frame rate limit, delivered-bytes budget, frame size, buffered bytes, heartbeat). Per run, each connection publishes ${PUBLISHES_PER_SUBSCRIBER} frames of at most ${largestBytes} B to ${SUBSCRIBERS_PER_TOPIC} subscribers: ${PUBLISHES_PER_SUBSCRIBER} of its ${DEFAULTS.rateLimitBurst}-frame burst and ${(PUBLISHES_PER_SUBSCRIBER * largestBytes * SUBSCRIBERS_PER_TOPIC).toLocaleString('en-US')} B of its ${DEFAULTS.deliveredBytesBurst.toLocaleString('en-US')}-byte delivered-bytes burst, both refilled long before the next run. Frames the node dropped over the whole fan-out, by reason: ${formatRejections(rejections)}.`,
  ];
  const entry = process.env['BENCH_PARLEY_ENTRY'];
  if (entry !== undefined) notes.push(`**Override:** Parley node started from BENCH_PARLEY_ENTRY=${entry}, not signaling/main.ts.`);
  if (parleyNodeArgs().length > 0) notes.push(`**Override:** extra node flags for Parley node in fan-out: ${parleyNodeArgs().join(' ')}.`);
  return { title: 'Signaling node', rows, notes, columns: { ours: SERVER_LABELS.parley, reference: 'Anchor (same run)' } };
}
