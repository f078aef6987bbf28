/**
 * `npm run bench` (add `-- --quick` for fewer repetitions, `-- --only rooms` for one section):
 * runs every benchmark section, prints each as Markdown and rewrites its section of
 * tests/bench/RESULTS.md.
 * To add a benchmark, add an entry to BENCHMARKS returning a Section.
 * Benchmarking a modified copy of our node: BENCH_PARLEY_ENTRY=/path/to/copy/signaling/main.ts
 * Profiling our node during fan-out: BENCH_PARLEY_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' npm run bench -- --quick
 * Profiling the client (100k reload and first join): BENCH_PROFILE_DIR=/tmp/prof npm run bench -- --only rooms
 * Join → first message alone (a minute or two; with BENCH_PROFILE_DIR, a profile of the joiner): npm run bench -- --only join
 * Start-up against the client before issue 15 (new and returning visitor's join, home page JS): npm run bench -- --only startup
 * Files (throughput against a raw data channel, two sources, heap while receiving 1 GiB, text during a transfer): npm run bench -- --only files
 * Search (100k messages in the worker index, queries end to end, against a naive scan): npm run bench -- --only search
 * Scale-out over Redis (2 nodes per CPU-second, cross-node latency, reconnect storm of 5,000): npm run bench -- --only scale-out
 */
import { fileURLToPath } from 'node:url';
import { renderSection, writeSection, type Section } from './report.js';
import { runJoinBench } from './join.js';
import { runRoomsBench } from './rooms.js';
import { runLivelyBench } from './lively.js';
import { runSignalingBench, type BenchOptions } from './signaling.js';
import { runTrustBench } from './trust.js';

const RESULTS = fileURLToPath(new URL('./RESULTS.md', import.meta.url));
/**
 * Each section's hard time bound; the whole run is bounded by the sum for the sections selected.
 * Sections normally take a few minutes at most.
 */
const BENCHMARKS: ReadonlyArray<{ name: string; budgetMs: number; run: (options: BenchOptions) => Promise<Section> }> = [
  { name: 'signaling', budgetMs: 10 * 60_000, run: runSignalingBench },
  { name: 'rooms', budgetMs: 20 * 60_000, run: runRoomsBench },
  { name: 'lively', budgetMs: 10 * 60_000, run: runLivelyBench },
  { name: 'join', budgetMs: 10 * 60_000, run: runJoinBench },
  { name: 'trust', budgetMs: 25 * 60_000, run: runTrustBench },
  { name: 'ice', budgetMs: 5 * 60_000, run: async (options) => (await import('./ice.js')).runIceBench(options) },
  { name: 'nat', budgetMs: 20 * 60_000, run: async (options) => (await import('./nat.js')).runNatBench(options) },
  { name: 'call', budgetMs: 20 * 60_000, run: async (options) => (await import('./call.js')).runCallBench(options) },
  { name: 'files', budgetMs: 25 * 60_000, run: async (options) => (await import('./files.js')).runFilesBench(options) },
  { name: 'search', budgetMs: 5 * 60_000, run: async (options) => (await import('./search.js')).runSearchBench(options) },
  { name: 'startup', budgetMs: 15 * 60_000, run: async (options) => (await import('./startup.js')).runStartupBench(options) },
  { name: 'scale-out', budgetMs: 15 * 60_000, run: async (options) => (await import('./scale-out.js')).runScaleOutBench(options) },
];

function parseArgs(args: readonly string[]): { quick: boolean; only: string[] } {
  const only: string[] = [];
  let quick = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--quick') quick = true;
    else if (arg === '--only' && args[i + 1] !== undefined) only.push(...(args[++i] as string).split(','));
    else if (arg.startsWith('--only=')) only.push(...arg.slice('--only='.length).split(','));
    else throw new Error(`unknown argument: ${arg} (--quick, --only <${BENCHMARKS.map((b) => b.name).join('|')}>[,…])`);
  }
  const unknown = only.filter((name) => !BENCHMARKS.some((benchmark) => benchmark.name === name));
  if (unknown.length > 0) throw new Error(`unknown section(s): ${unknown.join(', ')} (known: ${BENCHMARKS.map((b) => b.name).join(', ')})`);
  return { quick, only };
}

async function main(): Promise<void> {
  const { quick, only } = parseArgs(process.argv.slice(2));
  const selected = BENCHMARKS.filter((benchmark) => only.length === 0 || only.includes(benchmark.name));
  const watchdogMs = selected.reduce((sum, benchmark) => sum + benchmark.budgetMs, 0);
  const watchdog = setTimeout(() => {
    console.error(`bench: still running after ${watchdogMs / 1000} s, giving up`);
    process.exit(1);
  }, watchdogMs);
  watchdog.unref();
  const command = `npm run bench${quick || only.length > 0 ? ' --' : ''}${quick ? ' --quick' : ''}${only.length > 0 ? ` --only ${only.join(',')}` : ''}`;
  const started = Date.now();
  const log = (line: string): void => console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${line}`);

  let failed = false;
  for (const benchmark of selected) {
    log(`== ${benchmark.name}${quick ? ' (quick)' : ''}`);
    const section = await benchmark.run({ quick, log });
    const markdown = renderSection(section, command);
    console.log(`\n${markdown}`);
    writeSection(RESULTS, section.title, markdown);
    if (section.rows.some((row) => row.met === false)) failed = true;
  }
  log(`results written to ${RESULTS}${failed ? ' (some floors not met)' : ''}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error('bench failed:', error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
