/**
 * Pieces of the scale-out bench: Parley nodes as child processes (with or without Redis), raw
 * bench clients spread over nodes and loopback source addresses, and CPU accounting of a set of
 * processes from /proc (totals for a run, or sampled every 100 ms for peaks).
 */
import { readFileSync } from 'node:fs';
import type { BenchSocket, FrameCounter } from './raw-ws.js';
import { procCpuSeconds } from './servers.js';
import { openClientsTo } from './signaling.js';
import { startNodeProcess, type NodeProcess } from '../helpers/node-process.js';

export const SIGNAL_PATH = '/signal';

/** Extra node flags for our nodes, e.g. BENCH_PARLEY_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof'. */
export function parleyNodeArgs(): string {
  return process.env['BENCH_PARLEY_NODE_ARGS'] ?? '';
}

/**
 * A node with every limit at its default; with `redisUrl`, resolves once /healthz says Redis is up.
 * The bench's clients spread over loopback addresses, so the per-IP limit needs no raising.
 */
export async function startBenchNode(nodeId: string, redisUrl?: string): Promise<NodeProcess> {
  const env: Record<string, string> = { NODE_ID: nodeId };
  if (redisUrl !== undefined) env['REDIS_URL'] = redisUrl;
  const node = await startNodeProcess(env, { nodeArgs: parleyNodeArgs().split(' ').filter((arg) => arg.length > 0) });
  if (redisUrl === undefined) return node;
  const deadline = Date.now() + 15_000;
  for (;;) {
    const health = (await (await fetch(`${node.url}/healthz`)).json()) as { redis?: string };
    if (health.redis === 'up') return node;
    if (Date.now() > deadline) throw new Error(`node ${nodeId} did not reach Redis: ${JSON.stringify(health)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Opens `count` clients; client i goes to port `portOf(i)` from sourceAddress(i, firstBlock). */
export function openClientsOn(count: number, firstBlock: number, counter: FrameCounter, portOf: (i: number) => number): Promise<BenchSocket[]> {
  return openClientsTo(count, firstBlock, counter, (i) => ({ port: portOf(i), path: SIGNAL_PATH }), 20_000);
}

/** Sum of the CPU seconds used so far by the processes (those that have exited count as 0). */
export function cpuSecondsOf(pids: readonly number[]): number {
  let total = 0;
  for (const pid of pids) {
    try {
      total += procCpuSeconds(pid);
    } catch {
      // Exited (a killed node): its CPU is no longer anyone's.
    }
  }
  return total;
}

export interface CpuPeaks {
  /** Highest share of one core each process used over one sampling interval (1 = a whole core). */
  perProcess: number[];
  /** Highest summed share over one interval. */
  total: number;
  /** CPU seconds all of them used while sampled. */
  seconds: number;
}

/** Samples the processes' CPU every `intervalMs` until stopped; returns the peaks. */
export function sampleCpu(pids: readonly number[], intervalMs = 100): { stop(): CpuPeaks } {
  let last = pids.map((pid) => cpuSecondsOf([pid]));
  let lastAt = performance.now();
  const first = last.reduce((a, b) => a + b, 0);
  const peaks = pids.map(() => 0);
  let totalPeak = 0;
  const sample = (): void => {
    const now = performance.now();
    const current = pids.map((pid) => cpuSecondsOf([pid]));
    const seconds = (now - lastAt) / 1000;
    if (seconds <= 0) return;
    let sum = 0;
    current.forEach((value, i) => {
      const share = (value - (last[i] ?? 0)) / seconds;
      peaks[i] = Math.max(peaks[i] ?? 0, share);
      sum += share;
    });
    totalPeak = Math.max(totalPeak, sum);
    last = current;
    lastAt = now;
  };
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { perProcess: peaks, total: totalPeak, seconds: last.reduce((a, b) => a + b, 0) - first };
    },
  };
}

/** The soft limit on open files of this process (every bench client is one), from /proc. */
export function openFilesLimit(): string {
  const line = readFileSync('/proc/self/limits', 'latin1').split('\n').find((text) => text.startsWith('Max open files'));
  return line?.split(/\s{2,}/)[1] ?? 'unknown';
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * TCP connections the kernel dropped so far because a listen queue was full (TcpExt
 * ListenOverflows in /proc/net/netstat): for the whole network namespace, other programs included.
 */
export function listenOverflows(): number {
  const lines = readFileSync('/proc/net/netstat', 'latin1').split('\n').filter((line) => line.startsWith('TcpExt:'));
  const names = lines[0]?.split(' ') ?? [];
  const values = lines[1]?.split(' ') ?? [];
  const at = names.indexOf('ListenOverflows');
  return at === -1 ? Number.NaN : Number(values[at]);
}
