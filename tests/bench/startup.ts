/**
 * `npm run bench -- --only startup`: start-up against its anchor, "the client before this work"
 * (ANCHOR, built from git in the same run, cached under the temp directory), both served by our
 * node, runs interleaved (a shared machine's load moves by the minute):
 *  - a new visitor's join, page load included: B's page.goto of the invite link in a fresh context
 *    → the message sent before B came visible at B (rooms-join.ts);
 *  - a returning visitor: the same, in a context that visited the home page before, with the
 *    service worker controlling it and its cache warm (the anchor has no worker);
 *  - the home page's initial JS and the room's first load, gzip (startup-bundle.ts).
 */
import { existsSync, mkdtempSync, rmSync, symlinkSync, mkdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import type { SignalingServer } from '../../signaling/server.js';
import { launchChromium } from '../helpers/browser.js';
import { startNode } from '../helpers/node.js';
import { ROOT, buildClient } from './rooms-bundle.js';
import { parleyRun, type JoinRun } from './rooms-join.js';
import { homeFirstLoad, roomFirstLoad } from './startup-bundle.js';
import { median, type Row, type Section } from './report.js';
import type { BenchOptions } from './signaling.js';

/** The last commit before issue 15's start-up and offline work. */
export const ANCHOR = 'a554dd8';

async function anchorBuild(log: (line: string) => void): Promise<string> {
  const dir = join(tmpdir(), `parley-bench-anchor-${ANCHOR}`);
  const out = join(dir, 'client-build');
  if (existsSync(join(out, 'index.html'))) return out;
  log(`building the anchor client (${ANCHOR}) into ${dir} (kept for the next run)`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execFileSync('sh', ['-c', `git archive --format=tar ${ANCHOR} | tar -x -C ${JSON.stringify(dir)}`], { cwd: ROOT });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  const { build } = await import('vite');
  await build({ root: dir, configFile: join(dir, 'vite.config.ts'), logLevel: 'warn', build: { outDir: out, emptyOutDir: true } });
  return out;
}

/** A first visit in `context`: the home page, until the service worker controls it; then the tab is closed. */
const firstVisit = (url: string) => async (context: BrowserContext): Promise<void> => {
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 });
  await page.close();
};

const time = (ms: number): string => (Math.abs(ms) >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const kb = (bytes: number): string => `${(bytes / 1000).toFixed(1)} kB`;

/** Median of each mark over the runs, in time order (where the time goes). */
function timeline(runs: readonly JoinRun[]): string {
  const names = new Set(runs.flatMap((run) => Object.keys(run.phases)).filter((name) => !name.startsWith('A ')));
  const points: Array<[string, number]> = [...names].map((name) => [name, median(runs.map((run) => run.phases[name]).filter((ms): ms is number => ms !== undefined && Number.isFinite(ms)))]);
  points.push(['"before" visible', median(runs.map((run) => run.before))]);
  return points.filter(([, ms]) => Number.isFinite(ms)).sort((a, b) => a[1] - b[1]).map(([name, ms]) => `${name} ${time(ms)}`).join(' → ');
}

export async function runStartupBench(options: BenchOptions): Promise<Section> {
  const { log, quick } = options;
  // Five: each run is three joins with page loads, on a machine shared with other work.
  const runs = quick ? 2 : 5;
  const loadAtStart = loadavg().map((load) => load.toFixed(2)).join(', ');
  const nowDir = mkdtempSync(join(tmpdir(), 'parley-bench-startup-'));
  let browser: Browser | undefined;
  const nodes: SignalingServer[] = [];
  try {
    const anchorDir = await anchorBuild(log);
    log('building the current client (vite build, project config) into a temporary directory');
    await buildClient(nowDir);
    const bundles = { anchorHome: homeFirstLoad(anchorDir), anchorRoom: roomFirstLoad(anchorDir), nowHome: homeFirstLoad(nowDir), nowRoom: roomFirstLoad(nowDir) };
    const anchorNode = await startNode({ staticDir: anchorDir });
    nodes.push(anchorNode);
    const nowNode = await startNode({ staticDir: nowDir });
    nodes.push(nowNode);
    browser = await launchChromium();
    log(`Chromium ${browser.version()}: ${runs} runs (+1 warm-up) of anchor new visitor, new visitor, returning visitor`);
    const result = { anchor: [] as JoinRun[], fresh: [] as JoinRun[], returning: [] as JoinRun[] };
    for (let run = 0; run <= runs; run++) {
      const anchor = await parleyRun(browser, anchorNode.url(), run, false);
      const fresh = await parleyRun(browser, nowNode.url(), run, false);
      const returning = await parleyRun(browser, nowNode.url(), run, false, undefined, firstVisit(nowNode.url()));
      log(`  ${run === 0 ? 'warm-up' : `run ${run}`}: anchor ${time(anchor.before)}, new visitor ${time(fresh.before)}, returning visitor ${time(returning.before)}`);
      if (run === 0) continue;
      result.anchor.push(anchor);
      result.fresh.push(fresh);
      result.returning.push(returning);
    }
    const anchorJoin = median(result.anchor.map((run) => run.before));
    const freshJoin = median(result.fresh.map((run) => run.before));
    const returningJoin = median(result.returning.map((run) => run.before));
    const rows: Row[] = [
      { measure: `New visitor's join, page load included (invite link opened in a fresh browser → message sent before the join visible), Chromium, median of ${runs}`, ours: time(freshJoin), reference: `${time(anchorJoin)} (client before this work, ${ANCHOR})`, ratio: freshJoin / anchorJoin, floor: '≤ 1.0 s', met: freshJoin <= 1000 },
      { measure: `Returning visitor's join (second visit: service worker controlling, cache warm), median of ${runs}`, ours: time(returningJoin), reference: `${time(anchorJoin)} (anchor, new visitor; the anchor has no worker)`, ratio: returningJoin / anchorJoin, floor: '≤ 0.6 s', met: returningJoin <= 600 },
      { measure: 'Home page initial JS (index.html scripts + modulepreloads and their static imports), gzip', ours: kb(bundles.nowHome.gzip), reference: `${kb(bundles.anchorHome.gzip)} (anchor: the room's code included)`, ratio: bundles.nowHome.gzip / bundles.anchorHome.gzip, floor: '≤ 40 kB', met: bundles.nowHome.gzip <= 40_000 },
      { measure: "Room's first load (home's initial JS + the Room chunk and its static imports), gzip", ours: `${(bundles.nowRoom.gzip / 1024).toFixed(1)} KiB`, reference: `${(bundles.anchorRoom.gzip / 1024).toFixed(1)} KiB (anchor)`, ratio: bundles.nowRoom.gzip / bundles.anchorRoom.gzip, floor: '≤ 150 KiB', met: bundles.nowRoom.gzip <= 150 * 1024 },
    ];
    return {
      title: 'Start-up (home page split, service worker)',
      columns: { ours: 'Parley now', reference: 'Anchor' },
      rows,
      notes: [
        `Load average at start: ${loadAtStart}. Both clients served by this tree's node on 127.0.0.1, in one Chromium; anchor, new and returning visitor runs interleaved. A fresh context is a new visitor (empty cache and storage).`,
        `Where the time goes, new visitor (medians from B's goto): ${timeline(result.fresh)}.`,
        `Returning visitor: ${timeline(result.returning)}.`,
        `Anchor: ${timeline(result.anchor)}.`,
        `Files: home ${bundles.nowHome.files.join(', ')}; room adds ${bundles.nowRoom.files.filter((file) => !bundles.nowHome.files.includes(file)).join(', ')}.`,
      ],
    };
  } finally {
    await browser?.close().catch(() => undefined);
    for (const node of nodes) await node.close().catch(() => undefined);
    rmSync(nowDir, { recursive: true, force: true });
  }
}
