/**
 * `npm run bench -- --only join`: the join rows of the "Encrypted rooms" section alone (join →
 * first message in Chromium against a raw RTCPeerConnection, rooms-join.ts), without the 100k
 * histories, so the join can be measured on its own in a minute or two. Writes its own section.
 * BENCH_PROFILE_DIR=/some/dir also writes a CPU profile of the joiner's page during one join
 * with the app already open (hash change → "before" visible), summarised through the source maps.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { SignalingServer } from '../../signaling/server.js';
import { launchChromium } from '../helpers/browser.js';
import { startNode } from '../helpers/node.js';
import { buildClient, measureBundle } from './rooms-bundle.js';
import { measureJoin, profileWarmJoin } from './rooms-join.js';
import { saveProfile } from './rooms-profile.js';
import { saveTrace } from './join-trace.js';
import { joinSection } from './join-rows.js';
import type { Section } from './report.js';
import type { BenchOptions } from './signaling.js';

export async function runJoinBench(options: BenchOptions): Promise<Section> {
  const { log, quick } = options;
  const runs = quick ? 2 : 5;
  const profileDir = process.env['BENCH_PROFILE_DIR'] ?? null;
  if (profileDir !== null) mkdirSync(profileDir, { recursive: true });
  const loadAtStart = loadavg().map((load) => load.toFixed(2)).join(', ');
  const buildDir = mkdtempSync(join(tmpdir(), 'parley-bench-client-'));
  let node: SignalingServer | undefined;
  let browser: Browser | undefined;
  try {
    log('building the client (vite build, project config, hidden source maps) into a temporary directory');
    const bundle = measureBundle(buildDir, await buildClient(buildDir));
    const initialJs = `${bundle.files.length} file(s), ${(bundle.bytes / 1000).toFixed(1)} kB, ${(bundle.brotli / 1000).toFixed(1)} kB brotli on the wire`;
    node = await startNode({ staticDir: buildDir });
    browser = await launchChromium();
    const chromium = `Chromium ${browser.version()}`;
    log(`${chromium}: join → first message, ${runs} runs (+1 warm-up)`);
    const result = await measureJoin(browser, node.url(), runs, log);
    if (profileDir !== null) {
      const { profile, trace, hashChange, timeOrigin } = await profileWarmJoin(browser, node.url());
      const summary = saveProfile(profileDir, 'warm-join', profile, buildDir);
      saveTrace(profileDir, 'warm-join', trace, hashChange, timeOrigin);
      log(`  profile of the joiner's page during one join with the app open written to ${profileDir}/warm-join.{cpuprofile,txt,trace.json,tasks.txt} (${summary.totalMs.toFixed(0)} ms sampled)`);
    }
    return joinSection({ runs, loadAtStart, chromium, initialJs, join: result });
  } finally {
    await browser?.close().catch(() => undefined);
    await node?.close().catch(() => undefined);
    rmSync(buildDir, { recursive: true, force: true });
  }
}
