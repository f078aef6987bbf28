/**
 * "Encrypted rooms" benchmark: the client as people use it, each measure beside an anchor
 * measured in the same run (see rooms-rows.ts for the table and what each row means).
 *  (join → first message in Chromium vs a raw RTCPeerConnection is its own section: join.ts)
 *  1. late-joiner sync of 10k / 100k messages between Node peers (rooms-sync.ts) vs Yjs
 *     encode + apply in-process;
 *  2. reload of a 100k-message room to interactive (rooms-reload.ts) vs a 10-message room;
 *  3. Messages-log DOM nodes in that room;
 *  4. initial JS gzipped, by package (rooms-bundle.ts).
 * The client is built here (Vite JS API, project config, temporary outDir) and served by our
 * signaling node in this process. BENCH_PROFILE_DIR=/some/dir also writes CPU profiles (a 100k
 * late join between Node peers; a 100k reload and a 100k first join in Chromium), summarised
 * through the build's source maps, and a copy of that build.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { SignalingServer } from '../../signaling/server.js';
import { launchChromium } from '../helpers/browser.js';
import { startNode } from '../helpers/node.js';
import { buildClient, measureBundle } from './rooms-bundle.js';
import { checkSignatures, generateHistory, historyUpdate, type History } from './rooms-history.js';
import { profileNode, saveProfile, startPageProfile, type CpuProfile } from './rooms-profile.js';
import { countDom, prepareBigRoom, reloadRun, type BigRoom, type ReloadTiming } from './rooms-reload.js';
import { roomsSection, type RoomsResults } from './rooms-rows.js';
import { measureLateJoin } from './rooms-sync.js';
import type { Section } from './report.js';
import type { BenchOptions } from './signaling.js';

const BIG = 100_000;
const SMALL = 10_000;
const ANCHOR_ROOM = 10;
const NEWEST = 'Newest message of the room';

interface Histories {
  readonly big: History;
  readonly bigUpdate: Uint8Array;
  readonly smallUpdate: Uint8Array;
  readonly tiny: History;
  readonly tinyUpdate: Uint8Array;
}

async function makeHistories(log: (line: string) => void): Promise<Histories> {
  const start = performance.now();
  const big = generateHistory(BIG, 20261124, 8, NEWEST);
  const tiny = generateHistory(ANCHOR_ROOM, 7, 3, NEWEST);
  await checkSignatures(big);
  await checkSignatures(tiny);
  const bigUpdate = historyUpdate(big);
  const smallUpdate = historyUpdate({ entries: big.entries.slice(0, SMALL), authors: big.authors });
  log(`histories: ${BIG} signed messages (${(bigUpdate.length / 2 ** 20).toFixed(1)} MiB as one Yjs update) in ${((performance.now() - start) / 1000).toFixed(1)} s`);
  return { big, bigUpdate, smallUpdate, tiny, tinyUpdate: historyUpdate(tiny) };
}

async function measureReloads(browser: Browser, node: SignalingServer, h: Histories, runs: number, log: (line: string) => void, results: Partial<RoomsResults>, profileDir: string | null, buildDir: string): Promise<void> {
  const rooms: BigRoom[] = [];
  try {
    const anchor = await prepareBigRoom(browser, node, h.tiny, h.tinyUpdate, log);
    rooms.push(anchor);
    const big = await prepareBigRoom(browser, node, h.big, h.bigUpdate, log);
    rooms.push(big);
    results.initialSync = big.initialSyncMs;
    results.storedBytes = big.storedBytes;
    const timings = { anchor: [] as ReloadTiming[], big: [] as ReloadTiming[] };
    for (let run = 0; run <= runs; run++) {
      const order = run % 2 === 0 ? (['anchor', 'big'] as const) : (['big', 'anchor'] as const);
      for (const which of order) {
        const timing = await reloadRun(which === 'big' ? big : anchor);
        log(`  reload ${which === 'big' ? `${BIG} msgs` : `${ANCHOR_ROOM} msgs`} ${run === 0 ? 'warm-up' : `run ${run}`}: newest visible ${timing.visible.toFixed(0)} ms, painted ${timing.painted.toFixed(0)} ms (${timing.longTasks} long tasks, ${timing.longTaskMs.toFixed(0)} ms)`);
        if (run > 0) timings[which].push(timing);
      }
    }
    results.reloadBig = timings.big;
    results.reloadAnchor = timings.anchor;
    results.domAnchor = (await countDom(anchor, h.tiny)).atLoad;
    results.dom = await countDom(big, h.big);
    log(`  DOM: ${results.dom.atLoad.logNodes} nodes in the log after load, ${results.dom.middle.logNodes} mid-history (${ANCHOR_ROOM}-message room: ${results.domAnchor.logNodes})`);
    if (profileDir !== null) {
      const stop = await startPageProfile(big.page);
      await reloadRun(big);
      const summary = saveProfile(profileDir, 'reload-100k', await stop(), buildDir);
      log(`  profile of one ${BIG} reload written to ${profileDir}/reload-100k.{cpuprofile,txt} (${summary.totalMs.toFixed(0)} ms sampled)`);
    }
  } finally {
    for (const room of rooms) await room.context.close().catch(() => undefined);
  }
}

export async function runRoomsBench(options: BenchOptions): Promise<Section> {
  const { log, quick } = options;
  const runs = { sync10k: quick ? 2 : 5, sync100k: quick ? 2 : 5, reload: quick ? 2 : 5 };
  const profileDir = process.env['BENCH_PROFILE_DIR'] ?? null;
  if (profileDir !== null) mkdirSync(profileDir, { recursive: true });
  const loadAtStart = loadavg().map((load) => load.toFixed(2)).join(', ');
  const buildDir = mkdtempSync(join(tmpdir(), 'parley-bench-client-'));
  const results: Partial<RoomsResults> = { runs, loadAtStart };
  let node: SignalingServer | undefined;
  let browser: Browser | undefined;
  try {
    log('building the client (vite build, project config, hidden source maps) into a temporary directory');
    results.bundle = measureBundle(buildDir, await buildClient(buildDir));
    log(`  initial JS: ${results.bundle.files.length} file(s), ${results.bundle.gzip} B gzipped`);

    const histories = await makeHistories(log);
    log(`late-joiner sync between Node peers: ${SMALL} and ${BIG} messages`);
    results.sync10k = await measureLateJoin(histories.smallUpdate, SMALL, runs.sync10k, log);
    results.sync100k = await measureLateJoin(histories.bigUpdate, BIG, runs.sync100k, log);
    if (profileDir !== null) {
      const profile = await profileNode(() => measureLateJoin(histories.bigUpdate, BIG, 1, log));
      const summary = saveProfile(profileDir, 'node-late-join-100k', profile, null);
      log(`  profile of a warm-up + one ${BIG} late join (host and joiner) written to ${profileDir}/node-late-join-100k.{cpuprofile,txt} (${summary.totalMs.toFixed(0)} ms sampled)`);
    }

    node = await startNode({ staticDir: buildDir });
    browser = await launchChromium();
    results.chromium = `Chromium ${browser.version()}`;
    log(`Chromium: reload of a ${BIG}-message room and of a ${ANCHOR_ROOM}-message room, ${runs.reload} runs each (+1 warm-up)`);
    await measureReloads(browser, node, histories, runs.reload, log, results, profileDir, buildDir);
    if (profileDir !== null) {
      await profileFirstJoin(browser, node, histories, profileDir, buildDir, log);
      cpSync(buildDir, join(profileDir, 'client'), { recursive: true }); // bundle + source maps, to read the .cpuprofile files later
    }
  } finally {
    await browser?.close().catch(() => undefined);
    await node?.close().catch(() => undefined);
    rmSync(buildDir, { recursive: true, force: true });
  }
  return roomsSection(results as RoomsResults, profileDir);
}

/** Only with BENCH_PROFILE_DIR: a CPU profile of a first join to the 100k room, goto → newest visible. */
async function profileFirstJoin(browser: Browser, node: SignalingServer, h: Histories, profileDir: string, buildDir: string, log: (line: string) => void): Promise<void> {
  const box: { stop?: () => Promise<CpuProfile>; profile?: CpuProfile | undefined } = {};
  const room = await prepareBigRoom(browser, node, h.big, h.bigUpdate, log, {
    beforeGoto: async (page) => {
      // Same origin first, so the profiled renderer is the one that loads the room.
      await page.goto(`${node.url()}/favicon.svg`);
      box.stop = await startPageProfile(page, 500);
    },
    afterSync: async () => {
      box.profile = await box.stop?.();
    },
  });
  await room.context.close().catch(() => undefined);
  if (box.profile === undefined) throw new Error('no profile of the first join');
  const summary = saveProfile(profileDir, 'first-join-100k', box.profile, buildDir);
  log(`  profile of a first join to the ${BIG}-message room written to ${profileDir}/first-join-100k.{cpuprofile,txt} (${summary.totalMs.toFixed(0)} ms sampled)`);
}
