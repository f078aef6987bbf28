/**
 * `npm run bench` (add `-- --quick` for fewer repetitions): runs every benchmark section,
 * prints each as Markdown and rewrites its section of tests/bench/RESULTS.md.
 * To add a benchmark, add an entry to BENCHMARKS returning a Section.
 * Benchmarking a modified copy of our node: BENCH_PARLEY_ENTRY=/path/to/copy/signaling/main.ts
 * Profiling our node during fan-out: BENCH_PARLEY_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' npm run bench -- --quick
 */
import { fileURLToPath } from 'node:url';
import { renderSection, writeSection, type Section } from './report.js';
import { runSignalingBench, type BenchOptions } from './signaling.js';

const RESULTS = fileURLToPath(new URL('./RESULTS.md', import.meta.url));
/** Hard bound on the whole run; the bench normally takes a few minutes at most. */
const WATCHDOG_MS = 10 * 60_000;

const BENCHMARKS: ReadonlyArray<{ name: string; run: (options: BenchOptions) => Promise<Section> }> = [
  { name: 'signaling', run: runSignalingBench },
];

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const unknown = args.filter((arg) => arg !== '--quick');
  if (unknown.length > 0) throw new Error(`unknown argument(s): ${unknown.join(' ')} (only --quick)`);
  const quick = args.includes('--quick');
  const command = quick ? 'npm run bench -- --quick' : 'npm run bench';
  const started = Date.now();
  const log = (line: string): void => console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${line}`);

  let failed = false;
  for (const benchmark of BENCHMARKS) {
    log(`== ${benchmark.name}${quick ? ' (quick)' : ''}`);
    const section = await benchmark.run({ quick, log });
    const markdown = renderSection(section, command);
    console.log(`\n${markdown}`);
    writeSection(RESULTS, section.title, markdown);
    if (section.rows.some((row) => row.met === false)) failed = true;
  }
  log(`results written to ${RESULTS}${failed ? ' (some floors not met)' : ''}`);
}

const watchdog = setTimeout(() => {
  console.error(`bench: still running after ${WATCHDOG_MS / 1000} s, giving up`);
  process.exit(1);
}, WATCHDOG_MS);
watchdog.unref();

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error('bench failed:', error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
