/**
 * `npm run bench -- --only join`: the join rows of the "Encrypted rooms" section alone (join →
 * first message in Chromium against a raw RTCPeerConnection, rooms-join.ts), without the 100k
 * histories, so the join can be measured on its own in a minute or two. Writes its own section.
 * BENCH_JOIN_BASELINE=<git revision> also builds the client of that revision (git archive into a
 * temporary directory, same node_modules) and measures it the same way, run by run interleaved
 * with the current one: on a shared machine whose load moves by the minute, a before/after
 * comparison is only fair within one run.
 * BENCH_PROFILE_DIR=/some/dir also writes a CPU profile of the joiner's page during one join
 * with the app already open (hash change → "before" visible), summarised through the source maps.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { SignalingServer } from '../../signaling/server.js';
import { launchChromium } from '../helpers/browser.js';
import { startNode } from '../helpers/node.js';
import { ROOT, buildClient, measureBundle } from './rooms-bundle.js';
import { measureJoin, profileWarmJoin } from './rooms-join.js';
import { saveProfile } from './rooms-profile.js';
import { saveTrace } from './join-trace.js';
import { joinSection } from './join-rows.js';
import type { Section } from './report.js';
import type { BenchOptions } from './signaling.js';

export async function runJoinBench(options: BenchOptions): Promise<Section> {
  const { log, quick } = options;
  // Nine runs: a join is a few hundred ms on a shared machine whose load moves by the second.
  const runs = quick ? 2 : 9;
  const profileDir = process.env['BENCH_PROFILE_DIR'] ?? null;
  if (profileDir !== null) mkdirSync(profileDir, { recursive: true });
  const loadAtStart = loadavg().map((load) => load.toFixed(2)).join(', ');
  const buildDir = mkdtempSync(join(tmpdir(), 'parley-bench-client-'));
  let node: SignalingServer | undefined;
  let baselineNode: SignalingServer | undefined;
  let browser: Browser | undefined;
  const baselineRev = process.env['BENCH_JOIN_BASELINE'] ?? null;
  const baselineDir = baselineRev === null ? null : mkdtempSync(join(tmpdir(), 'parley-bench-baseline-'));
  try {
    if (baselineRev !== null && baselineDir !== null) {
      log(`building the client of ${baselineRev} (baseline) into a temporary directory`);
      execFileSync('sh', ['-c', `git archive --format=tar ${JSON.stringify(baselineRev)} | tar -x -C ${JSON.stringify(baselineDir)}`], { cwd: ROOT });
      symlinkSync(join(ROOT, 'node_modules'), join(baselineDir, 'node_modules'));
      const { build } = await import('vite');
      await build({ root: baselineDir, configFile: join(baselineDir, 'vite.config.ts'), logLevel: 'warn', build: { outDir: join(baselineDir, 'client-build'), emptyOutDir: true } });
      baselineNode = await startNode({ staticDir: join(baselineDir, 'client-build') });
    }
    log('building the client (vite build, project config, hidden source maps) into a temporary directory');
    const bundle = measureBundle(buildDir, await buildClient(buildDir));
    const initialJs = `${bundle.files.length} file(s), ${(bundle.bytes / 1000).toFixed(1)} kB, ${(bundle.brotli / 1000).toFixed(1)} kB brotli on the wire`;
    node = await startNode({ staticDir: buildDir });
    browser = await launchChromium();
    const chromium = `Chromium ${browser.version()}`;
    log(`${chromium}: join → first message, ${runs} runs (+1 warm-up)`);
    const result = await measureJoin(browser, node.url(), runs, log, baselineNode?.url());
    if (profileDir !== null) {
      const { profile, trace, hashChange, timeOrigin } = await profileWarmJoin(browser, node.url());
      const summary = saveProfile(profileDir, 'warm-join', profile, buildDir);
      saveTrace(profileDir, 'warm-join', trace, hashChange, timeOrigin);
      cpSync(buildDir, join(profileDir, 'client'), { recursive: true }); // bundle + source maps, to read the profile later
      log(`  profile of the joiner's page during one join with the app open written to ${profileDir}/warm-join.{cpuprofile,txt,trace.json,tasks.txt} (${summary.totalMs.toFixed(0)} ms sampled)`);
    }
    return joinSection({ runs, loadAtStart, chromium, initialJs, join: result, baselineRev });
  } finally {
    await browser?.close().catch(() => undefined);
    await node?.close().catch(() => undefined);
    await baselineNode?.close().catch(() => undefined);
    rmSync(buildDir, { recursive: true, force: true });
    if (baselineDir !== null) rmSync(baselineDir, { recursive: true, force: true });
  }
}
