/** The "Across real NATs" table and notes (`npm run bench -- --only nat`, nat.ts). */
import { SILENT_AFTER_SEND_MS } from '../../src/transport/link-health.js';
import type { RawJoin } from '../helpers/nat-lab-raw.js';
import type { AppJoinRun, AppRecoveryRun } from './nat-app.js';
import type { RawRecoveryRun, RawStateAfter } from './nat-anchor.js';
import { median, type Row, type Section } from './report.js';
import { SETTLE_MS } from './rooms-join.js';

/** `forget`: nat-a's conntrack table flushed. `move`: nat-a moved to its next public address (and flushed). */
export type NatChange = 'forget' | 'move';

export interface JoinPhase {
  readonly raw: RawJoin[];
  /** Ben as a new visitor: clock at his goto of the invite link. */
  readonly fresh: AppJoinRun[];
  /** Ben with Parley's home page open: clock at the hash change. */
  readonly warm: AppJoinRun[];
  /** The node's /ice answer, described (the raw anchor was given the same servers). */
  iceServers: string;
  /** coturn allocations granted during the phase (0 without coturn). */
  allocations: number;
}

export interface RecoveryPhase {
  readonly app: AppRecoveryRun[];
  readonly raw: RawRecoveryRun[];
  /** Labs the phase ran in (a lab gives nat-a ten public addresses). */
  labs: number;
}

export interface NatResults {
  readonly runs: number;
  readonly loadAtStart: string;
  readonly loadAtEnd: string;
  readonly chromium: string;
  readonly initialJs: string;
  readonly cone: JoinPhase;
  readonly symmetric: JoinPhase;
  readonly forget: RecoveryPhase;
  readonly move: RecoveryPhase;
  readonly rawWaitMs: number;
  readonly appWaitMs: number;
}

const JOIN_FLOOR = 3;
const RECOVERY_FLOOR_MS = 5000;

const time = (ms: number): string => (!Number.isFinite(ms) ? '—' : Math.abs(ms) >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const list = (values: readonly number[]): string => values.map((ms) => (Number.isFinite(ms) ? (ms / 1000).toFixed(2) : 'never')).join(', ');
/** Undelivered (NaN) counts as later than any delivery, so a median over runs stays meaningful. */
const orNever = (ms: number): number => (Number.isFinite(ms) ? ms : Number.POSITIVE_INFINITY);
const finiteMedian = (values: readonly (number | undefined)[]): number => median(values.filter((ms): ms is number => ms !== undefined && Number.isFinite(ms)));

/** "direct" when every value is, else "direct ×4, relayed ×1". */
function tally(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  if (counts.size === 1) return values[0] ?? '—';
  return [...counts].map(([value, count]) => `${value} ×${count}`).join(', ');
}
const pathsOf = (runs: readonly AppJoinRun[]): string => tally(runs.flatMap((run) => [run.paths.a ?? 'none shown', run.paths.b ?? 'none shown']));
const rawPairsOf = (runs: readonly RawJoin[]): string => tally(runs.map((run) => `${run.a.local.type}/${run.a.remote.type}`));

/** Median of every mark over the runs, in time order (as join-rows.ts prints it). */
function timeline(runs: readonly AppJoinRun[]): string {
  const names = new Set(runs.flatMap((run) => Object.keys(run.phases)));
  const points: Array<[string, number]> = [...names].map((name) => [name, finiteMedian(runs.map((run) => run.phases[name]))]);
  points.push(["B in A's People", median(runs.map((run) => run.seenByA))], ['"before" visible', median(runs.map((run) => run.before))], ['"after" visible', median(runs.map((run) => run.after))]);
  return points.filter(([, ms]) => Number.isFinite(ms)).sort((a, b) => a[1] - b[1]).map(([name, ms]) => `${name} ${time(ms)}`).join(' → ');
}

/** The anchor's marks (both pages), median over the runs, in time order, from a's RTCPeerConnection created. */
function rawTimeline(runs: readonly RawJoin[]): string {
  const names = new Set(runs.flatMap((run) => Object.keys(run.phases)));
  const points: Array<[string, number]> = [...names].map((name) => [name, finiteMedian(runs.map((run) => run.phases[name]))]);
  points.push(['"hello" received by b', median(runs.map((run) => run.ms))]);
  return points.filter(([name, ms]) => Number.isFinite(ms) && name !== 'a pc-created').sort((a, b) => a[1] - b[1]).map(([name, ms]) => `${name} ${time(ms)}`).join(' → ');
}

/** Medians, over the runs, of the time between consecutive marks (so they need not add up to the median total). */
function split(runs: readonly AppJoinRun[], steps: ReadonlyArray<readonly [label: string, mark: string]>): string {
  const at = (run: AppJoinRun, mark: string): number => (mark === 'clock' ? 0 : mark === 'before' ? run.before : (run.phases[mark] ?? Number.NaN));
  const parts: string[] = [];
  for (let i = 1; i < steps.length; i++) {
    const [label, mark] = steps[i] as readonly [string, string];
    const previous = (steps[i - 1] as readonly [string, string])[1];
    parts.push(`${label} ${time(finiteMedian(runs.map((run) => at(run, mark) - at(run, previous))))}`);
  }
  return parts.join(' + ');
}
const WEBRTC_STEPS = [
  ['its RTCPeerConnection in use (app start, /signal, Ana\'s offer)', 'pc-created'],
  ['→ ICE connected', 'ice-connected'],
  ['→ data channel open (DTLS, SCTP)', 'dc-open'],
  ['→ "before" visible (sealed sync, signature checks, render)', 'before'],
] as const;
const WARM_STEPS = [['hash change', 'clock'], ...WEBRTC_STEPS] as const;
const FRESH_STEPS = [['goto', 'clock'], ['→ DOMContentLoaded (page load)', 'DOMContentLoaded'], ...WEBRTC_STEPS] as const;

function joinRows(name: string, phase: JoinPhase, runs: number): Row[] {
  const raw = median(phase.raw.map((run) => run.ms));
  const warm = median(phase.warm.map((run) => run.before));
  const fresh = median(phase.fresh.map((run) => run.before));
  return [
    {
      measure: `${name}: join with Parley already open in the tab (invite link opened in it) → message sent before the join visible at the joiner (median of ${runs})`,
      ours: `${time(warm)} (People: ${pathsOf(phase.warm)})`, reference: `${time(raw)} (raw RTCPeerConnection, pair ${rawPairsOf(phase.raw)})`,
      ratio: warm / raw, floor: `≤ ${JOIN_FLOOR}× anchor`, met: warm <= JOIN_FLOOR * raw,
    },
    {
      measure: `${name}: join as a new visitor (page load included) → message sent before the join visible at the joiner (median of ${runs})`,
      ours: `${time(fresh)} (People: ${pathsOf(phase.fresh)})`, reference: time(raw),
      ratio: fresh / raw, floor: `≤ ${JOIN_FLOOR}× anchor`, met: fresh <= JOIN_FLOOR * raw,
    },
  ];
}

/** For a join row whose floor is not met: where its time goes against the anchor, measured. */
function joinFloorNote(row: number, phase: JoinPhase, fresh: boolean): string | null {
  const raw = median(phase.raw.map((run) => run.ms));
  const runs = fresh ? phase.fresh : phase.warm;
  const total = median(runs.map((run) => run.before));
  if (total <= JOIN_FLOOR * raw) return null;
  const afterPc = finiteMedian(runs.map((run) => run.before - (run.phases['pc-created'] ?? Number.NaN)));
  const parts = [`Row ${row} not met: ${JOIN_FLOOR}× the anchor is ${time(JOIN_FLOOR * raw)}, Parley took ${time(total)}.`];
  if (fresh) {
    const load = finiteMedian(runs.map((run) => run.phases['DOMContentLoaded']));
    const rest = finiteMedian(runs.map((run) => run.before - (run.phases['DOMContentLoaded'] ?? Number.NaN)));
    parts.push(`The page load alone (goto → DOMContentLoaded: HTML, initial JS, parse and run) is ${time(load)} = ${(load / raw).toFixed(2)}× the anchor; DOMContentLoaded → "before" visible is ${time(rest)} = ${(rest / raw).toFixed(2)}× the anchor.`);
  }
  parts.push(`The joiner's own RTCPeerConnection in use → "before" visible (the span the anchor measures, plus the sealed sync and the render) is ${time(afterPc)} = ${(afterPc / raw).toFixed(2)}× the anchor (split in the note above).`);
  return parts.join(' ');
}

/** Median, over the runs that have one, of side a's first state after the change that is `state`. */
function stateAfter(runs: readonly RawRecoveryRun[], state: string): { ms: number; of: number } {
  const times = runs.map((run) => run.states.find((s) => s.side === 'a' && (s.connection === state || s.ice === state))?.ms).filter((ms): ms is number => ms !== undefined);
  return { ms: median(times), of: times.length };
}

function rawRecoveryText(phase: RecoveryPhase, waitMs: number): { text: string; ms: number } {
  const slowest = median(phase.raw.map((run) => Math.max(orNever(run.aToB), orNever(run.bToA))));
  const delivered = phase.raw.filter((run) => Number.isFinite(run.aToB) && Number.isFinite(run.bToA)).length;
  const failed = stateAfter(phase.raw, 'failed');
  const disconnected = stateAfter(phase.raw, 'disconnected');
  const states = [
    disconnected.of > 0 ? `'disconnected' after ${time(disconnected.ms)}` : '',
    failed.of > 0 ? `'failed' after ${time(failed.ms)}${failed.of < phase.raw.length ? ` (${failed.of} of ${phase.raw.length} runs)` : ''}` : '',
  ].filter((part) => part !== '').join(', ');
  if (Number.isFinite(slowest)) return { text: `${time(slowest)} (raw pair, no ICE restart; both ways in ${delivered} of ${phase.raw.length} runs${states === '' ? ', no state change' : `; ${states}`})`, ms: slowest };
  return { text: `never within ${waitMs / 1000} s (raw pair, no ICE restart; delivered both ways in ${delivered} of ${phase.raw.length} runs${states === '' ? '' : `; ${states}`})`, ms: slowest };
}

function recoveryRow(what: string, phase: RecoveryPhase, r: NatResults): Row {
  const slowest = median(phase.app.map((run) => Math.max(orNever(run.aToB), orNever(run.bToA))));
  const aToB = median(phase.app.map((run) => orNever(run.aToB)));
  const bToA = median(phase.app.map((run) => orNever(run.bToA)));
  const raw = rawRecoveryText(phase, r.rawWaitMs);
  const shown = (ms: number): string => (Number.isFinite(ms) ? time(ms) : `not within ${r.appWaitMs / 1000} s`);
  return {
    measure: `Cone NATs, direct path, nat-a ${what} mid-conversation → message written right after it visible at the other person, slower of the two directions per run (median of ${r.runs})`,
    ours: `${shown(slowest)} (A→B ${shown(aToB)}, B→A ${shown(bToA)})`, reference: raw.text,
    ratio: Number.isFinite(raw.ms) ? slowest / raw.ms : Number.NaN, floor: `≤ ${RECOVERY_FLOOR_MS / 1000} s`, met: slowest <= RECOVERY_FLOOR_MS,
  };
}

/** One raw run's states after the change, per side, as transitions: "a disconnected +5.8 s, failed +15.8 s". */
function transitions(run: RawRecoveryRun): string {
  const label = (s: RawStateAfter): string => (s.connection === 'failed' || s.ice === 'failed' ? 'failed' : s.connection === 'disconnected' || s.ice === 'disconnected' ? 'disconnected' : s.ice);
  return (['a', 'b'] as const).map((side) => {
    const steps: string[] = [];
    let previous = '';
    for (const state of run.states.filter((s) => s.side === side)) {
      if (label(state) === previous) continue;
      previous = label(state);
      steps.push(`${previous} +${(state.ms / 1000).toFixed(1)} s`);
    }
    return steps.length === 0 ? '' : `${side} ${steps.join(', ')}`;
  }).filter((text) => text !== '').join(' / ');
}

function recoveryNote(label: string, phase: RecoveryPhase): string {
  const paths = (pick: (run: AppRecoveryRun) => readonly [string | null, string | null]): string => tally(phase.app.flatMap((run) => pick(run).map((path) => path ?? 'none shown')));
  const rawStates = phase.raw.map((run) => (run.states.length === 0 ? 'none' : transitions(run))).join('; ');
  return `${label}: Parley runs (s) A→B ${list(phase.app.map((run) => run.aToB))}; B→A ${list(phase.app.map((run) => run.bToA))}; both sent a median ${time(median(phase.app.map((run) => Math.max(run.writtenA, run.writtenB))))} after the change (the later of the two). People before → after: ${paths((run) => [run.pathsBefore.a, run.pathsBefore.b])} → ${paths((run) => [run.pathsAfter.a, run.pathsAfter.b])}. Raw runs (s) a→b ${list(phase.raw.map((run) => run.aToB))}; b→a ${list(phase.raw.map((run) => run.bToA))}; raw states after the change (connection/ICE): ${rawStates}.${phase.labs > 1 ? ` Ran in ${phase.labs} labs (nat-a has ten public addresses per lab; each run moves it twice, Parley's then the raw pair's).` : ''}`;
}

export function natSection(r: NatResults): Section {
  const rows: Row[] = [
    ...joinRows("Cone NATs, direct (node's STUN)", r.cone, r.runs),
    ...joinRows("Symmetric NATs, relayed (node's STUN + coturn)", r.symmetric, r.runs),
    recoveryRow('forgets its mappings (conntrack flush)', r.forget, r),
    recoveryRow('moves to a new public address and forgets its mappings (Wi-Fi → mobile)', r.move, r),
  ];
  const joinNote = (label: string, phase: JoinPhase): string =>
    `${label}: ICE servers (the node's /ice answer, fetched from lan-a each run, given to both): ${phase.iceServers}${phase.allocations > 0 ? `; coturn granted ${phase.allocations} allocations during the phase` : ''}. Raw runs (s): ${list(phase.raw.map((run) => run.ms))}; anchor timeline (medians, from a's RTCPeerConnection created; b's marks on b's clock, same machine): ${rawTimeline(phase.raw)}. App open, runs (s): ${list(phase.warm.map((run) => run.before))}; median split: ${split(phase.warm, WARM_STEPS)}; timeline: ${timeline(phase.warm)}. New visitor, runs (s): ${list(phase.fresh.map((run) => run.before))}; median split: ${split(phase.fresh, FRESH_STEPS)}; timeline: ${timeline(phase.fresh)}.`;
  const notes = [
    'The NAT lab (tests/helpers/nat-lab.ts): Linux network namespaces, an "internet" (inet, 203.0.113.0/24) and two LANs each behind its own NAT router (nftables masquerade: port-preserving with unsolicited inbound dropped = cone; fully-random = symmetric). The signaling node (signaling/main.ts under tsx) runs in inet on http://203.0.113.1:8787 with its own STUN responder on 203.0.113.1:3478 and serves the client built for this run (vite build, project config, into a temporary directory; initial JS ' + r.initialJs + '); for rows 3–4 coturn runs on 203.0.113.2:3478 and the node has TURN_URLS and TURN_SECRET. One Chromium per LAN (lab.launchChromium: mDNS host candidates kept, no fake-media flags), fresh contexts per person per run. The per-address `/ice` limit is raised through the environment (every page of a LAN comes from its router\'s one address, several times a minute here).',
    `Join (rows 1–4), defined as rooms-join.ts defines its loopback join (section "Encrypted rooms: join"), with Ana in lan-a and Ben in lan-b: Ana creates a room and sends "before" alone; Ben, a fresh context, either opens the invite link as a new visitor (clock at his \`page.goto\`, page load included) or has Parley's home page open for ${SETTLE_MS / 1000} s first and gets the invite link as a hash change (clock at the hash change). Stop: "before" visible in Ben's Messages log (its <article> in the DOM with the composer usable; rooms-probe.ts). "After" is sent by Ana in-page the moment Ben shows in her People list (timeline only). People's \`.path\` text is read in both pages after each join.`,
    'Join anchor (rows 1–4): measureRawJoin (tests/helpers/nat-lab-raw.ts): tests/bench/nat-raw-page.html (served from inet, http://203.0.113.1:8000), one RTCPeerConnection and one data channel, no app code, opened fresh in each LAN\'s Chromium per run (the same two browsers as Parley\'s pages), with the ICE servers Parley\'s pages get. Its signals go through the same node as Parley\'s, as an app\'s would: each page has a WebSocket to ws://203.0.113.1:8787/signal subscribed to a random topic per run (y-webrtc protocol, the node\'s default limits) and publishes its description and trickled candidates as { from, signal }, ignoring its own echoes. Before the clock both sockets are open and subscribed (each page\'s ping answered after its subscribe) and each page has made and closed one RTCPeerConnection (no offer, no candidates), as Parley\'s open pages have (src/transport/webrtc-warmup.ts; a fresh renderer\'s first construction costs up to hundreds of ms under load). Clock start: a creates its RTCPeerConnection, then its data channel and offer, publishes the offer and trickles its candidates; b creates its RTCPeerConnection when the offer arrives, answers and trickles. Stop: the first data-channel message (a sends it when the channel opens) received in b. So the anchor includes offer and answer creation, candidate gathering, every signal\'s trip page → node → page, the connectivity checks, DTLS and SCTP; it leaves out opening a socket, subscribing and announcing, and WebRTC\'s first set-up in the renderer. Parley\'s app-open join (rows 1 and 3) also starts with the joiner\'s socket open and /ice fetched (ws-open and /ice fetched before 0 in its timeline), but includes after the hash change what a raw pair does not do: the app start, subscribing to the room\'s topic and the announce to Ana (one node trip before she offers), sealed signals, and the sync and render after the data channel opens. In rows 1–2 Ana\'s offer is one made ahead of time (src/transport/ready-offer.ts: its RTCPeerConnection made and candidates gathered before the clock, "A pc-created" before 0), in rows 3–4 not (no ready offer when the node hands out TURN). The pair is the one lan-a selected (local/remote candidate types). One unmeasured warm-up run first; runs interleave raw, new visitor, app open. This process only starts the two pages and reads their marks afterwards: nothing it does is on the anchor\'s measured path (an earlier anchor had this process relay the signals through Playwright, page.evaluate into the other Chromium, which cost far more than the node and moved with the load).',
    'Symmetric NATs: ICE settles on one relay, not two: the raw pair\'s candidate types read relay on one side and prflx (peer-reflexive) on the other — one peer reaches the other\'s TURN relay straight from its NAT, which TURN permissions (per address) let in. Parley\'s People reads `relayed` on both pages.',
    joinNote('Cone NATs (rows 1–2)', r.cone),
    joinNote('Symmetric NATs (rows 3–4)', r.symmetric),
    ...[joinFloorNote(1, r.cone, false), joinFloorNote(2, r.cone, true), joinFloorNote(3, r.symmetric, false), joinFloorNote(4, r.symmetric, true)].filter((note): note is string => note !== null),
    `Recovery (rows 5–6): Ana and Ben chat across cone NATs (one message each way, both pages showing the path), 1 s later nat-a changes: row 5 \`lab.forgetMappings('nat-a')\` (conntrack -F), row 6 \`lab.changePublicAddress('nat-a')\` (the next public address, then the flush). The clock starts when the change has returned; both then write a message at once (in each page, the composer filled and Enter dispatched in one evaluate, the two pages in parallel); stop: each message visible in the other's Messages log (the probe's epoch marks against this process's clock, one machine). Not delivered within ${r.appWaitMs / 1000} s counts as never. Anchor: the lab's raw pair (same page, same ICE servers) chatting the same way, then the same change, then one message each way; the raw page has no ICE restart; given ${r.rawWaitMs / 1000} s. One warm-up run first; Parley's run and the raw pair's alternate.`,
    recoveryNote('Forgets its mappings (row 5)', r.forget),
    'Row 5, why B→A is sometimes ~0.4–0.6 s in both columns: after the flush nat-a drops inbound packets of flows it no longer knows (the cone router drops unsolicited inbound); a packet from Ben that reaches it before Ana\'s first packet out has re-created the mapping (same public port) is lost, and SCTP sends it again after its retransmission timeout. Parley\'s A→B (tens of ms above the raw pair\'s) is the sealed message, its sync and the render at Ben.',
    recoveryNote('New public address (row 6)', r.move),
    `Row 6, how Parley gets through (src/transport/link-health.ts): a send that brings nothing back within ${SILENT_AFTER_SEND_MS / 1000} s marks the path dead, the side restarts ICE over the sealed signaling (and sent again once a signaling WebSocket that died with the old address has reconnected), and the messages waiting in the kept data channel go out on the new path; People reads \`direct\` again. The split of these seconds between noticing, reconnecting and ICE was not measured here. The raw pair has no restart: Chromium says 'disconnected' after ~5–6 s and 'failed' after ~15–16 s, and nothing is delivered.`,
    'Not re-measured here: `/ice` throughput (what each page load above asks of the node) is the section "ICE endpoint" (ice.ts).',
    `${r.chromium}, headless, one per LAN. Load average (1, 5, 15 min) at the start: ${r.loadAtStart}; at the end: ${r.loadAtEnd}. The machine has 2 cores and is shared: absolute times move with other load; ratios against anchors measured in the same run less so.`,
  ];
  return { title: 'Across real NATs', rows, notes, columns: { ours: 'Parley', reference: 'Anchor (same run)' } };
}
