/**
 * `npm run bench -- --only call`: calls (voice and video over the room's own connections) in
 * Chromium with a fake camera and microphone, each figure beside its anchor from the same run:
 *  - join call → first remote frame rendered, 2 people, against a raw getUserMedia +
 *    RTCPeerConnection pair with the same tracks (call-anchor.ts; call-app.ts for Parley);
 *  - the video bitrate each receiver gets from one person in a 4-person call, against the app's
 *    2 Mbit/s uplink budget split three ways, with Chromium's fake camera and with a busy one
 *    (call-camera.ts), and that page's CPU against the same page text only (call-mesh.ts, call-cpu.ts);
 *  - a camera toggle: click → the other person renders the first frame (call-app.ts).
 * The client is built into a temporary directory first (rooms-bundle.ts, as the join section
 * does), so a concurrent rebuild of dist/client cannot change it mid-run.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import type { SignalingServer } from '../../signaling/server.js';
import { launchChromium } from '../helpers/browser.js';
import { startNode } from '../helpers/node.js';
import { measureAnchorJoin, type AnchorRun } from './call-anchor.js';
import { measureAppJoin, measureToggles, type AppRun } from './call-app.js';
import { launchWithCameraFile, writeBusyCamera } from './call-camera.js';
import { measureMesh, type MeshResult } from './call-mesh.js';
import { callSection } from './call-rows.js';
import { buildClient, ROOT } from './rooms-bundle.js';
import type { Section } from './report.js';
import type { BenchOptions } from './signaling.js';

const RAW_PAGE = fileURLToPath(new URL('./call-raw-page.html', import.meta.url));
/** Steady state before the bitrate windows, and each window. */
const STEADY_MS = 15_000;
const WINDOW_MS = 10_000;
const load = (): string => loadavg().map((value) => value.toFixed(2)).join(', ');

/** The commit measured, and whether src/ differed from it (another engineer may be editing). */
function revision(): string {
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
  try {
    const changed = git('status', '--porcelain', '--', 'src', 'index.html', 'public', 'vite.config.ts').split('\n').filter((line) => line !== '').length;
    return `${git('rev-parse', '--short', 'HEAD')}${changed > 0 ? ` with ${changed} uncommitted change(s) under src/ etc.` : ''}`;
  } catch {
    return 'an unknown revision';
  }
}

/**
 * A 4-person phase, tried again once in a fresh room if it fails (on a shared, loaded machine a
 * camera can stay dark for a minute); each failure is kept for the notes, with what the pages showed.
 */
async function attempts(measure: () => Promise<MeshResult>, failures: string[], log: (line: string) => void): Promise<MeshResult | null> {
  for (let attempt = 1; attempt <= 2; attempt++) {
    try {
      return await measure();
    } catch (error: unknown) {
      const message = error instanceof Error ? error.message : String(error);
      failures.push(message);
      log(`  attempt ${attempt} failed: ${message}`);
    }
  }
  return null;
}

export async function runCallBench(options: BenchOptions): Promise<Section> {
  const { log, quick } = options;
  const joinRuns = quick ? 2 : 7;
  const toggles = quick ? 3 : 9;
  const windows = quick ? 1 : 2;
  /** The 1, 5 and 15 min load average as each part starts (the machine is shared). */
  const loads: Array<[string, string]> = [['start', load()]];
  const failures: string[] = [];
  const measured = revision();
  const buildDir = mkdtempSync(join(tmpdir(), 'parley-bench-call-client-'));
  let node: SignalingServer | undefined;
  let browser: Browser | undefined;
  try {
    log(`building the client (${measured}) into a temporary directory`);
    await buildClient(buildDir);
    copyFileSync(RAW_PAGE, join(buildDir, 'call-raw-page.html'));
    node = await startNode({ staticDir: buildDir });
    browser = await launchChromium();
    const rawUrl = `${node.url()}/call-raw-page.html`;
    const chromium = `Chromium ${browser.version()}`;

    log(`${chromium}: join call → first remote frame, ${joinRuns} runs (+1 warm-up) of Parley, the raw new connection and the raw connected pair`);
    const anchorConnect: AnchorRun[] = [];
    const anchorRenegotiate: AnchorRun[] = [];
    const joins: AppRun[] = [];
    const rejoins: AppRun[] = [];
    for (let run = 0; run <= joinRuns; run++) {
      let connect: AnchorRun | undefined;
      let renegotiate: AnchorRun | undefined;
      let app: { join: AppRun; rejoin: AppRun } | undefined;
      const steps = [
        async (): Promise<void> => void (connect = await measureAnchorJoin(browser as Browser, rawUrl, 'connect')),
        async (): Promise<void> => void (app = await measureAppJoin(browser as Browser, (node as SignalingServer).url())),
        async (): Promise<void> => void (renegotiate = await measureAnchorJoin(browser as Browser, rawUrl, 'renegotiate')),
      ];
      for (let i = 0; i < steps.length; i++) await (steps[(run + i) % steps.length] as () => Promise<void>)();
      if (connect === undefined || renegotiate === undefined || app === undefined) throw new Error('a join run did not complete');
      log(`  join ${run === 0 ? 'warm-up' : `run ${run}`}: Parley ${app.join.ms.toFixed(0)} ms (rejoin ${app.rejoin.ms.toFixed(0)} ms); raw new connection ${connect.ms.toFixed(0)} ms; raw connected pair ${renegotiate.ms.toFixed(0)} ms`);
      if (run === 0) continue;
      anchorConnect.push(connect);
      anchorRenegotiate.push(renegotiate);
      joins.push(app.join);
      rejoins.push(app.rejoin);
    }

    loads.push(['camera toggle', load()]);
    log(`camera toggle → first frame at the other person, ${toggles} toggles (+1 warm-up)`);
    const toggleRuns = await measureToggles(browser, node.url(), toggles, log);

    loads.push(['4 people, fake camera', load()]);
    log(`4 people: A's CPU text only, then in the call with cameras on, and A's video bitrate per receiver (${windows} window(s) of 10 s each)`);
    const mesh = await attempts(() => measureMesh(browser as Browser, (node as SignalingServer).url(), windows, log, { steadyMs: STEADY_MS, windowMs: WINDOW_MS, cpu: true, othersCam: true }), failures, log);
    await browser.close();

    log('4 people again, a busy camera (a looping file with moving noise, call-camera.ts), only A\'s camera on: A\'s video bitrate per receiver');
    loads.push(['4 people, busy camera', load()]);
    const cameraFile = join(buildDir, 'busy-camera.y4m');
    writeBusyCamera(cameraFile);
    browser = await launchWithCameraFile(cameraFile);
    const busy = await attempts(() => measureMesh(browser as Browser, (node as SignalingServer).url(), windows, log, { steadyMs: STEADY_MS, windowMs: WINDOW_MS, cpu: false, othersCam: false }), failures, log);

    loads.push(['end', load()]);
    return callSection({ quick, loads, failures, chromium, revision: measured, anchorConnect, anchorRenegotiate, join: joins, rejoin: rejoins, toggles: toggleRuns, mesh, busy });
  } finally {
    await browser?.close().catch(() => undefined);
    await node?.close().catch(() => undefined);
    rmSync(buildDir, { recursive: true, force: true });
  }
}
