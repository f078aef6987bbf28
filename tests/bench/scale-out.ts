/**
 * Scale-out over Redis (issue 16): fan-out per CPU-second of two nodes sharing a Redis against one
 * node and against y-webrtc's server, publish → delivery latency across nodes against within one
 * node, and a reconnect storm after a node is killed. The parts live in scale-out-fanout.ts and
 * scale-out-storm.ts; this file runs them and writes the section.
 */
import { loadavg } from 'node:os';
import { formatRate, median, type Row, type Section } from './report.js';
import { DATA_CHARS, DELIVERIES, PER_ADDRESS, PUBLISHES_PER_SUBSCRIBER, SUBSCRIBERS_PER_TOPIC, TOPICS, type BenchOptions } from './signaling.js';
import { FAN_OUT_SETUPS, LATENCY_RATE, SETUP_LABELS, latencyRuns, runFanOut, type FanOutResults, type FanOutSetup, type LatencyRun } from './scale-out-fanout.js';
import { HANDSHAKE_TIMEOUT_MS, MEMBERS_ON_A, stormRun, type StormRun } from './scale-out-storm.js';
import { openFilesLimit, parleyNodeArgs } from './scale-out-cluster.js';
import { startRedis } from '../helpers/redis.js';

const STORM_CLIENTS = 5000;
const ms = (value: number): string => `${value.toFixed(2)} ms`;
const seconds = (value: number): string => `${(value / 1000).toFixed(2)} s`;
const percent = (share: number): string => `${(share * 100).toFixed(0)}%`;
const list = (values: readonly number[], format: (value: number) => string): string => values.map(format).join(', ');

export async function runScaleOutBench(options: BenchOptions): Promise<Section> {
  const { log, quick } = options;
  const fanOutRuns = quick ? 2 : 5;
  const latencyReps = quick ? 1 : 5;
  const latencySeconds = quick ? 2 : 6;
  const stormReps = quick ? 1 : 3;
  const loadAtStart = loadavg().map((load) => load.toFixed(2)).join(', ');

  log(`fan-out: ${TOPICS} topics × ${SUBSCRIBERS_PER_TOPIC} subscribers, ${DELIVERIES} deliveries per run, ${fanOutRuns} runs per set-up (+1 warm-up)`);
  const redis = await startRedis();
  let latency: LatencyRun[] = [];
  let fanOut: FanOutResults;
  try {
    fanOut = await runFanOut(options, redis, fanOutRuns, async (nodes) => {
      log(`latency: ${LATENCY_RATE} publishes/s for ${latencySeconds} s, ${latencyReps} runs (+1 warm-up)`);
      latency = await latencyRuns(nodes, latencyReps, latencySeconds, log);
    });
  } finally {
    await redis.stop();
  }

  log(`storm: ${STORM_CLIENTS} clients, ${stormReps} runs`);
  const storms: StormRun[] = [];
  for (let rep = 0; rep < stormReps; rep++) storms.push(await stormRun(STORM_CLIENTS, true, log));

  const cpuRate = (setup: FanOutSetup): number => median((fanOut.runs.get(setup) ?? []).map((run) => run.perServerCpuSecond));
  const wallRate = (setup: FanOutSetup): number => median((fanOut.runs.get(setup) ?? []).map((run) => run.perSecond));
  const perCpu = (setup: FanOutSetup): string => `${Math.round(cpuRate(setup)).toLocaleString('en-US')}`;
  const sameP99 = median(latency.map((run) => run.sameP99));
  const crossP99 = median(latency.map((run) => run.crossP99));
  const sameP50 = median(latency.map((run) => run.sameP50));
  const crossP50 = median(latency.map((run) => run.crossP50));
  const stormMedian = (f: (run: StormRun) => number): number => median(storms.map(f));
  const refusedTotal = storms.reduce((sum, run) => sum + Object.values(run.refused).reduce((a, b) => a + b, 0), 0);
  const timeouts = storms.reduce((sum, run) => sum + run.timeouts, 0);
  const errors = storms.reduce((sum, run) => sum + run.errors, 0);
  const countsExact = storms.map((run) => run.countsExactMs).filter((value): value is number => value !== undefined);

  const rows: Row[] = [
    {
      measure: `Fan-out deliveries per CPU-second of all server processes, 2 nodes + Redis (each topic's members split over both) against 1 node without Redis (median of ${fanOutRuns})`,
      ours: perCpu('cluster'), reference: `${perCpu('single')} (${SETUP_LABELS.single})`,
      ratio: cpuRate('cluster') / cpuRate('single'), floor: '≥ 0.5×', met: cpuRate('cluster') >= 0.5 * cpuRate('single'),
    },
    {
      measure: `… 2 nodes + Redis against y-webrtc's server on one node (median of ${fanOutRuns})`,
      ours: perCpu('cluster'), reference: `${perCpu('reference')} (${SETUP_LABELS.reference})`,
      ratio: cpuRate('cluster') / cpuRate('reference'), floor: '≥ 3×', met: cpuRate('cluster') >= 3 * cpuRate('reference'),
    },
    {
      measure: `Fan-out deliveries/s, wall clock, 2 nodes + Redis against 1 node (median of ${fanOutRuns}; informational: 2 cores shared by both nodes, Redis and the clients)`,
      ours: formatRate(wallRate('cluster')), reference: `${formatRate(wallRate('single'))} (${SETUP_LABELS.single})`,
      ratio: wallRate('cluster') / wallRate('single'), floor: '—', met: undefined,
    },
    {
      measure: `Publish → delivery latency p99, cross-node (publisher on A, receiver on B) against same node (both on A), same publishes (median of ${latencyReps} runs)`,
      ours: ms(crossP99), reference: `${ms(sameP99)} (same node)`,
      ratio: crossP99 / sameP99, floor: '≤ 2× + 2 ms', met: crossP99 <= 2 * sameP99 + 2,
    },
    {
      measure: `… p50 (median of ${latencyReps}; informational)`,
      ours: ms(crossP50), reference: `${ms(sameP50)} (same node)`,
      ratio: crossP50 / sameP50, floor: '—', met: undefined,
    },
    {
      measure: `Reconnect storm: ${STORM_CLIENTS.toLocaleString('en-US')} clients of a SIGKILLed node resubscribed on the 2 others (median of ${storms.length})`,
      ours: seconds(stormMedian((run) => run.resubscribedMs)), reference: '—', ratio: Number.NaN, floor: 'report', met: undefined,
    },
    {
      measure: `… every room delivering again to all its members (median of ${storms.length})`,
      ours: seconds(stormMedian((run) => run.deliveringMs)), reference: '—', ratio: Number.NaN, floor: 'report', met: undefined,
    },
    {
      measure: `… peak CPU of the surviving nodes + Redis over 100 ms (share of one core, summed; median of ${storms.length})`,
      ours: percent(stormMedian((run) => run.peakCpu.total)), reference: '—', ratio: Number.NaN, floor: 'report', met: undefined,
    },
    {
      measure: `… honest clients refused (all ${storms.length} runs)`,
      ours: `${refusedTotal}`, reference: '—', ratio: Number.NaN, floor: '0', met: refusedTotal === 0,
    },
  ];

  const fanOutRunsText = FAN_OUT_SETUPS.map((setup) => `${SETUP_LABELS[setup]} ${(fanOut.runs.get(setup) ?? []).map((run) => Math.round(run.perServerCpuSecond / 1000)).join(', ')}`).join('; ');
  const serverCpu = FAN_OUT_SETUPS.map((setup) => `${SETUP_LABELS[setup]} ${percent(median((fanOut.runs.get(setup) ?? []).map((run) => run.serverCpu)))}`).join('; ');
  const notes = [
    `Fan-out, method: the signaling section's workload and raw clients (tests/bench/signaling.ts, raw-ws.ts): ${TOPICS} topics × ${SUBSCRIBERS_PER_TOPIC} subscribers, ${PUBLISHES_PER_SUBSCRIBER} publishes per subscriber of a ${DATA_CHARS}-char \`data\` string, all written at once, ${DELIVERIES.toLocaleString('en-US')} deliveries per run, each counted and the first of every client checked (topic, payload, \`clients\` ${SUBSCRIBERS_PER_TOPIC}, which on two nodes is the cross-node count). Three set-ups run side by side and take turns in a rotating order after one warm-up each: two nodes with REDIS_URL (each topic's subscribers alternate between them, so every publish is delivered on both, through one SPUBLISH), one node without Redis, and y-webrtc's bin/server.js. The figure is deliveries divided by the CPU-seconds (utime + stime from /proc/<pid>/stat, before and after the run) of every server process of the set-up: both nodes and redis-server for the pair, the one process otherwise. The clients run in the bench process and are not counted. Our nodes run with every limit at its default (clients spread over loopback source addresses, ${PER_ADDRESS} per address).`,
    `Fan-out runs (k deliveries per CPU-second): ${fanOutRunsText}. Median server CPU during a run (share of one core): ${serverCpu}. CPU-seconds per run of node A / node B / redis-server: ${fanOut.clusterSplit.map((split) => split.map((value) => value.toFixed(2)).join(' / ')).join('; ')}.`,
    `Latency, method: on the same two nodes (the other set-ups stopped), ${20} rooms each with a publisher and a receiver on node A and a receiver on node B; ${LATENCY_RATE} publishes/s in all (25/s per publisher, half the per-connection frame rate limit) of ${DATA_CHARS} chars, for ${latencySeconds} s per run (${(LATENCY_RATE * latencySeconds).toLocaleString('en-US')} samples per receiver side), after a warm-up run. Each publish carries a sequence number; both receivers' arrival times (performance.now() in the bench process, one clock for writer and readers) minus its write time. The p99 of each side per run, then the median over runs. Runs (p99 same / cross, ms): ${latency.map((run) => `${run.sameP99.toFixed(2)} / ${run.crossP99.toFixed(2)}`).join('; ')}; lost deliveries: ${latency.map((run) => run.lost).join(', ')}.`,
    `Reconnect storm, method: a fresh redis-server and three nodes per run; ${STORM_CLIENTS.toLocaleString('en-US')} clients on node A in ${STORM_CLIENTS / MEMBERS_ON_A} rooms of ${MEMBERS_ON_A}, each room with 2 more members on node B. Node A gets SIGKILL; each of its clients reconnects as src/transport/signaling-client.ts does, after min(30 s, 500 ms·2^attempt)·(0.5 + random/2) with attempt 0 on the first try and one more per failed try (the bench client gives up a handshake after ${HANDSHAKE_TIMEOUT_MS / 1000} s, where a browser would wait for the kernel's SYN retries), to nodes B and C alternately (a round-robin load balancer), from the same loopback source address as before, then subscribes and pings. "Resubscribed": the last client's pong. "Delivering": a room whose ${MEMBERS_ON_A} members are back gets a publish from a member on B every ${250} ms until all ${MEMBERS_ON_A} have one (those on C through Redis); the time of the last room. CPU of B, C and redis-server sampled from /proc every 100 ms from the kill to the last room; the peak is the highest sum over one interval (per process peaks below). Refused: upgrade answered 429 or 503.`,
    `Storm runs: half of the clients resubscribed after ${list(storms.map((run) => run.resubscribedP50Ms), seconds)}, 90% after ${list(storms.map((run) => run.resubscribedP90Ms), seconds)}, all after ${list(storms.map((run) => run.resubscribedMs), seconds)}; delivering ${list(storms.map((run) => run.deliveringMs), seconds)}; peak CPU B / C / redis / sum (and the bench process with the clients, not counted) ${storms.map((run) => `${percent(run.peakCpu.b)} / ${percent(run.peakCpu.c)} / ${percent(run.peakCpu.redis)} / ${percent(run.peakCpu.total)} (${percent(run.peakCpu.clients)})`).join('; ')}; CPU-seconds of B + C + redis during the storm ${list(storms.map((run) => run.cpuSeconds), (value) => value.toFixed(2))}; connection attempts ${storms.map((run) => run.attempts).join(', ')}; connections the kernel dropped because a listen queue was full (TcpExt ListenOverflows, whole machine, during the storm) ${storms.map((run) => run.listenOverflows).join(', ')}, each retried by the client's kernel after 1, 3, 7, 15 s (SYN retransmits); handshake timeouts ${timeouts}, other connection errors ${errors}. Open-files limit of the bench process: ${openFilesLimit()}.`,
    `After the storm, node B keeps counting the killed node's members in \`clients\` until A's liveness key (TTL 15 s, checked every 5 s) expires; a publish per room per second shows when every member reads the true count of ${MEMBERS_ON_A + 2} again: ${countsExact.length === 0 ? 'not reached within 40 s' : list(countsExact, seconds)} after the kill (informational).`,
    `Load average when the bench started (1, 5, 15 min): ${loadAtStart}; at the end: ${loadavg().map((load) => load.toFixed(2)).join(', ')}. The machine may be shared; CPU-second figures suffer less from other load than wall-clock times.`,
  ];
  if (process.env['BENCH_PARLEY_ENTRY'] !== undefined) notes.push('**Note:** BENCH_PARLEY_ENTRY is not used by this section (nodes run signaling/main.ts).');
  if (parleyNodeArgs() !== '') notes.push(`**Override:** extra node flags for our nodes: ${parleyNodeArgs()}.`);
  return { title: 'Scale-out over Redis', rows, notes, columns: { ours: 'Parley, 2 nodes + Redis / cross-node', reference: 'Anchor (same run)' } };
}
