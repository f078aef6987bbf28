/**
 * `npm run bench -- --only nat`: Parley across real NATs, in the NAT lab (tests/helpers/nat-lab.ts;
 * needs root, ip, nft, conntrack, coturn and Debian's Chromium), each figure beside its raw
 * RTCPeerConnection anchor measured in the same run:
 *  - join → first message through cone NATs (direct) and through symmetric NATs (relayed by coturn),
 *    defined as rooms-join.ts defines it on loopback, against measureRawJoin with the ICE servers the
 *    node hands out, its signals through the same node;
 *  - a conversation across cone NATs when nat-a forgets its mappings (conntrack flush) and when it
 *    moves to a new public address (Wi-Fi → mobile): change → first message written after it visible
 *    at the other person, against the raw pair under the same change.
 * The client is built into a temporary directory first (rooms-bundle.ts, as the join section does).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNatLab, LAB_ADDRESSES, type NatLab, type NatMode } from '../helpers/nat-lab.js';
import { startLabCoturn, type LabCoturn } from '../helpers/nat-lab-coturn.js';
import { startLabNode, type LabNode } from '../helpers/nat-lab-node.js';
import { labChromium, measureRawJoin, type RawJoin } from '../helpers/nat-lab-raw.js';
import { measureAppJoin, measureAppRecovery, type LabBrowsers } from './nat-app.js';
import { measureRawRecovery } from './nat-anchor.js';
import { natSection, type JoinPhase, type NatChange, type RecoveryPhase } from './nat-rows.js';
import { buildClient, measureBundle } from './rooms-bundle.js';
import type { Section } from './report.js';
import type { BenchOptions } from './signaling.js';

/** How long the raw pair is given to deliver after a change (it has no ICE restart; Chromium says 'failed' after ~15 s). */
export const RAW_RECOVERY_WAIT_MS = 20_000;
/** How long Parley is given to deliver after a change. */
export const APP_RECOVERY_WAIT_MS = 30_000;
/** The last public address nat-a may move to: ten per router (tests/helpers/nat-lab.ts), .10–.19. */
const LAST_NAT_A_ADDRESS = 19;

interface LabSetup {
  readonly lab: NatLab;
  readonly node: LabNode;
  readonly coturn: LabCoturn | undefined;
  readonly browsers: LabBrowsers;
}

const load = (): string => loadavg().map((value) => value.toFixed(2)).join(', ');

/** A lab with both routers in `mode`, the node serving `staticDir` (and coturn's relay when asked), one Chromium per LAN. */
async function openLab(staticDir: string, mode: NatMode, relay: boolean): Promise<LabSetup> {
  const lab = createNatLab({ natA: mode, natB: mode });
  try {
    const coturn = relay ? await startLabCoturn(lab) : undefined;
    const node = await startLabNode(lab, {
      STATIC_DIR: staticDir,
      // Every page of a LAN reaches /ice from its router's one address, a few times per run: the
      // default per-address limit (30/min, burst 20) would refuse some during a long bench.
      ICE_REQUESTS_PER_MINUTE: '100000',
      ICE_REQUESTS_BURST: '100000',
      ...(coturn === undefined ? {} : { TURN_URLS: coturn.turnUrl, TURN_SECRET: coturn.secret }),
    });
    const [a, b] = await Promise.all([labChromium(lab, 'lan-a'), labChromium(lab, 'lan-b')]);
    return { lab, node, coturn, browsers: { a, b } };
  } catch (error: unknown) {
    await lab.dispose();
    throw error;
  }
}

/** The node's `/ice` answer as a page in lan-a gets it: the ICE servers Parley's pages use. */
async function nodeIceServers(setup: LabSetup): Promise<RTCIceServer[]> {
  const context = await setup.browsers.a.newContext();
  try {
    const response = await (await context.newPage()).goto(`${setup.node.url}/ice`);
    const body = (await response?.json()) as { iceServers?: RTCIceServer[] } | undefined;
    if (body?.iceServers === undefined || body.iceServers.length === 0) throw new Error(`no ICE servers from ${setup.node.url}/ice`);
    return body.iceServers;
  } finally {
    await context.close();
  }
}

const describeIce = (servers: readonly RTCIceServer[]): string =>
  servers.map((server) => `${[server.urls].flat().join(', ')}${server.username === undefined ? '' : ' (minted credential)'}`).join(' + ');

/** A raw join's steps for the log: "a offer-sent 31 ms, b offer-received 36 ms, …" in time order. */
const rawSteps = (raw: RawJoin): string =>
  Object.entries(raw.phases).sort((x, y) => x[1] - y[1]).map(([name, ms]) => `${name} ${ms.toFixed(0)} ms`).join(', ');

/** Per run: the raw anchor, a new visitor's join, a join with the app open (interleaved, as rooms-join.ts does); one warm-up run first. */
async function joinPhase(setup: LabSetup, runs: number, label: string, log: (line: string) => void): Promise<JoinPhase> {
  const phase: JoinPhase = { raw: [], fresh: [], warm: [], iceServers: '', allocations: 0 };
  const allocationsBefore = setup.coturn?.allocations() ?? 0;
  for (let run = 0; run <= runs; run++) {
    const iceServers = await nodeIceServers(setup);
    phase.iceServers = describeIce(iceServers);
    const raw = await measureRawJoin(setup.lab, setup.node, iceServers);
    const fresh = await measureAppJoin(setup.browsers, setup.node.url, run, false);
    const warm = await measureAppJoin(setup.browsers, setup.node.url, run, true);
    log(`  ${label} join ${run === 0 ? 'warm-up' : `run ${run}`}: raw ${raw.ms.toFixed(0)} ms (${raw.a.local.type}/${raw.a.remote.type}; ${rawSteps(raw)}); new visitor: before ${fresh.before.toFixed(0)} ms (${fresh.paths.a ?? '?'}/${fresh.paths.b ?? '?'}); app open: before ${warm.before.toFixed(0)} ms, after ${warm.after.toFixed(0)} ms (${warm.paths.a ?? '?'}/${warm.paths.b ?? '?'})`);
    if (run === 0) continue;
    phase.raw.push(raw);
    phase.fresh.push(fresh);
    phase.warm.push(warm);
  }
  phase.allocations = (setup.coturn?.allocations() ?? 0) - allocationsBefore;
  return phase;
}

/**
 * Per run: Parley, then the raw pair, under the same change of nat-a; one warm-up run first. A lab
 * whose nat-a has no two addresses left is replaced by a fresh one (the returned setup).
 */
async function recoveryPhase(current: LabSetup, staticDir: string, runs: number, change: NatChange, log: (line: string) => void): Promise<{ phase: RecoveryPhase; setup: LabSetup }> {
  let setup = current;
  const phase: RecoveryPhase = { app: [], raw: [], labs: 1 };
  const apply = (): void => {
    if (change === 'forget') setup.lab.forgetMappings('nat-a');
    else setup.lab.changePublicAddress('nat-a');
  };
  for (let run = 0; run <= runs; run++) {
    const addressesLeft = LAST_NAT_A_ADDRESS - Number(setup.lab.publicAddress('nat-a').split('.').at(-1));
    if (change === 'move' && addressesLeft < 2) {
      log(`  nat-a has used its ten public addresses: a fresh lab`);
      await setup.lab.dispose();
      setup = await openLab(staticDir, 'cone', false);
      phase.labs++;
    }
    const iceServers = await nodeIceServers(setup);
    const app = await measureAppRecovery(setup.browsers, setup.node.url, run, apply, APP_RECOVERY_WAIT_MS);
    const raw = await measureRawRecovery(setup.lab, setup.node, iceServers, apply, RAW_RECOVERY_WAIT_MS);
    const ms = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(0)} ms` : 'not delivered');
    const rawStates = raw.states.map((state) => `${state.side} ${state.connection}/${state.ice} +${(state.ms / 1000).toFixed(1)} s`).join(', ');
    log(`  ${change} ${run === 0 ? 'warm-up' : `run ${run}`}: Parley A→B ${ms(app.aToB)}, B→A ${ms(app.bToA)} (paths ${app.pathsBefore.a ?? '?'} → ${app.pathsAfter.a ?? '?'}); raw A→B ${ms(raw.aToB)}, B→A ${ms(raw.bToA)}${rawStates === '' ? '' : ` (${rawStates})`}${change === 'move' ? `; nat-a now ${setup.lab.publicAddress('nat-a')}` : ''}`);
    if (run === 0) continue;
    phase.app.push(app);
    phase.raw.push(raw);
  }
  return { phase, setup };
}

export async function runNatBench(options: BenchOptions): Promise<Section> {
  const { log, quick } = options;
  const runs = quick ? 2 : 5;
  const loadAtStart = load();
  const buildDir = mkdtempSync(join(tmpdir(), 'parley-bench-nat-client-'));
  let setup: LabSetup | undefined;
  try {
    log('building the client (vite build, project config) into a temporary directory');
    const bundle = measureBundle(buildDir, await buildClient(buildDir));
    const initialJs = `${bundle.files.length} file(s), ${(bundle.bytes / 1000).toFixed(1)} kB, ${(bundle.brotli / 1000).toFixed(1)} kB brotli`;

    log(`cone NATs, the node's own STUN (${LAB_ADDRESSES.node}:3478): join → first message, ${runs} runs (+1 warm-up)`);
    setup = await openLab(buildDir, 'cone', false);
    const chromium = `Chromium ${setup.browsers.a.version()}`;
    const cone = await joinPhase(setup, runs, 'cone', log);

    log(`cone NATs: nat-a forgets its mappings mid-conversation, ${runs} runs (+1 warm-up)`);
    const forget = await recoveryPhase(setup, buildDir, runs, 'forget', log);
    setup = forget.setup;
    log(`cone NATs: nat-a moves to a new public address mid-conversation, ${runs} runs (+1 warm-up)`);
    const move = await recoveryPhase(setup, buildDir, runs, 'move', log);
    setup = move.setup;
    await setup.lab.dispose();
    setup = undefined;

    log(`symmetric NATs, the node's STUN and coturn (${LAB_ADDRESSES.turn}:3478): join → first message, ${runs} runs (+1 warm-up)`);
    setup = await openLab(buildDir, 'symmetric', true);
    const symmetric = await joinPhase(setup, runs, 'symmetric', log);

    return natSection({ runs, loadAtStart, loadAtEnd: load(), chromium, initialJs, cone, symmetric, forget: forget.phase, move: move.phase, rawWaitMs: RAW_RECOVERY_WAIT_MS, appWaitMs: APP_RECOVERY_WAIT_MS });
  } finally {
    await setup?.lab.dispose();
    rmSync(buildDir, { recursive: true, force: true });
  }
}
