/** The "Calls" table and notes (`npm run bench -- --only call`, call.ts). */
import { DEFAULT_CALL_LIMITS } from '../../src/core/call-state.js';
import type { AnchorRun } from './call-anchor.js';
import type { AppRun, ToggleRun } from './call-app.js';
import type { MeshResult } from './call-mesh.js';
import { median, type Row, type Section } from './report.js';

export interface CallResults {
  readonly quick: boolean;
  /** Load average (1, 5, 15 min) as each part started, and at the end. */
  readonly loads: ReadonlyArray<readonly [string, string]>;
  readonly chromium: string;
  readonly revision: string;
  readonly anchorConnect: AnchorRun[];
  readonly anchorRenegotiate: AnchorRun[];
  readonly join: AppRun[];
  readonly rejoin: AppRun[];
  readonly toggles: ToggleRun[];
  /** null: the phase failed twice (failures). */
  readonly mesh: MeshResult | null;
  /** The same room of four with the busy camera, only A's camera on. */
  readonly busy: MeshResult | null;
  /** Why a 4-person phase was tried again or given up, with what the pages showed. */
  readonly failures: readonly string[];
}

const ms = (value: number): string => (Number.isFinite(value) ? (Math.abs(value) >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(0)} ms`) : '—');
const list = (values: readonly number[]): string => values.map((value) => value.toFixed(0)).join(', ');
const kbps = (bps: number): string => (Number.isFinite(bps) ? `${(bps / 1000).toFixed(0)} kbit/s` : '—');
const pct = (share: number): string => (Number.isFinite(share) ? `${(100 * share).toFixed(1)}% of a core` : '—');
const finite = (values: ReadonlyArray<number | null | undefined>): number[] => values.filter((value): value is number => typeof value === 'number' && Number.isFinite(value));

/** Median of each mark over the runs, in time order: "name 123 ms → …". */
function timeline(runs: ReadonlyArray<{ readonly marks: Readonly<Record<string, number>> }>, prefix = ''): string {
  const names = new Set(runs.flatMap((run) => Object.keys(run.marks)));
  return [...names]
    .map((name) => [name, median(finite(runs.map((run) => run.marks[name])))] as const)
    .filter(([, value]) => Number.isFinite(value))
    .sort((x, y) => x[1] - y[1])
    .map(([name, value]) => `${prefix}${name} ${ms(value)}`)
    .join(' → ');
}

export function callSection(results: CallResults): Section {
  const other = results.mesh ?? results.busy;
  const notMeasured: MeshResult = { text: [], call: [], windows: [], steadyMs: other?.steadyMs ?? Number.NaN, windowMs: other?.windowMs ?? Number.NaN };
  const r = { ...results, mesh: results.mesh ?? notMeasured, busy: results.busy ?? notMeasured };
  const budget = DEFAULT_CALL_LIMITS.videoUplinkBps;
  const perReceiver = budget / 3;
  const join = median(r.join.map((run) => run.ms));
  const rejoin = median(r.rejoin.map((run) => run.ms));
  const connect = median(r.anchorConnect.map((run) => run.ms));
  const renegotiate = median(r.anchorRenegotiate.map((run) => run.ms));
  const toggle = median(r.toggles.map((run) => run.ms));
  const receivers = r.mesh.windows.flat();
  const sent = median(receivers.map((receiver) => receiver.bps));
  const busyReceivers = r.busy.windows.flat();
  const busySent = median(busyReceivers.map((receiver) => receiver.bps));
  const target = median(finite(receivers.map((receiver) => receiver.end.targetBitrate)));
  const configured = median(finite(receivers.map((receiver) => receiver.end.maxBitrate)));
  const cpuCall = median(r.mesh.call.map((window) => window.renderer));
  const cpuText = median(r.mesh.text.map((window) => window.renderer));
  const browserCall = median(r.mesh.call.map((window) => window.browser));
  const browserText = median(r.mesh.text.map((window) => window.browser));
  const within = (value: number): boolean => Math.abs(value / perReceiver - 1) <= 0.15;
  const joins = r.join.length;
  const rows: Row[] = [
    {
      measure: `Join call → first remote frame rendered, 2 people, loopback (median of ${joins}; devices already on in the preview)`,
      ours: ms(join), reference: `${ms(connect)} (raw getUserMedia + new RTCPeerConnection, same tracks)`,
      ratio: join / connect, floor: '≤ 2× anchor', met: join <= 2 * connect,
    },
    {
      measure: 'The same join against a raw pair already connected (tracks added to it, one renegotiation: what Parley does on the room\'s connection; informational)',
      ours: ms(join), reference: ms(renegotiate), ratio: join / renegotiate, floor: '—', met: undefined,
    },
    {
      measure: 'Rejoin in the same room (leave, then join again: the connection keeps its transceivers; informational)',
      ours: ms(rejoin), reference: ms(renegotiate), ratio: rejoin / renegotiate, floor: '—', met: undefined,
    },
    {
      measure: `Outbound video bitrate per receiver, 4 people with cameras on, ${budget / 1e6} Mbit/s uplink budget, Chromium's fake camera (bytesSent over ${r.mesh.windowMs / 1000} s, median of ${receivers.length} receiver-windows)`,
      ours: kbps(sent), reference: `${kbps(perReceiver)} (budget ÷ 3 receivers)`,
      ratio: sent / perReceiver, floor: 'within ±15%', met: within(sent),
    },
    {
      measure: `The same with a busy camera (moving noise, tests/bench/call-camera.ts), A's camera on and the three others voice only: A still sends to 3 (median of ${busyReceivers.length})`,
      ours: kbps(busySent), reference: kbps(perReceiver),
      ratio: busySent / perReceiver, floor: 'within ±15%', met: within(busySent),
    },
    {
      measure: 'Fake camera: what the senders were told (RTCRtpSender maxBitrate, the app\'s split) and what the encoder aimed at (outbound-rtp targetBitrate) per receiver (informational)',
      ours: `max ${kbps(configured)}, target ${kbps(target)}`, reference: kbps(perReceiver),
      ratio: target / perReceiver, floor: '—', met: undefined,
    },
    {
      measure: `CPU of one page (its renderer process, all threads) in a 4-person 360p call (median of ${r.mesh.call.length} × ${r.mesh.windowMs / 1000} s)`,
      ours: pct(cpuCall), reference: `${pct(cpuText)} (same page, same room, text only)`,
      ratio: cpuCall / cpuText, floor: 'report it', met: undefined,
    },
    {
      measure: 'The whole browser in the same windows: 4 pages, browser, GPU/compositor and audio processes (informational)',
      ours: pct(browserCall), reference: pct(browserText), ratio: browserCall / browserText, floor: '—', met: undefined,
    },
    {
      measure: `Renegotiation for a camera toggle: click → remote track live, first frame rendered at the other person (median of ${r.toggles.length})`,
      ours: ms(toggle), reference: '—', ratio: Number.NaN, floor: '≤ 500 ms', met: toggle <= 500,
    },
  ];

  const summary = (values: ReadonlyArray<string | number | null>): string => [...new Set(values.map((value) => String(value)))].join(', ');
  const rate = (bps: number | null): string => (bps === null ? '?' : (bps / 1000).toFixed(0));
  /** What one sender did, window by window, and why it sent less than its cap where the figures say so. */
  const senders = (what: string, mesh: MeshResult): string => {
    const readings = mesh.windows.flat();
    const ends = readings.map((receiver) => receiver.end);
    const capped = (end: (typeof ends)[number]): boolean => end.targetBitrate !== null && end.maxBitrate !== null && end.targetBitrate < 0.95 * end.maxBitrate;
    const low = ends.filter(capped);
    const lowEstimate = low.filter((end) => end.availableOutgoingBitrate !== null && end.maxBitrate !== null && end.availableOutgoingBitrate < end.maxBitrate);
    const under = readings.filter((receiver) => receiver.bps < 0.85 * perReceiver);
    const underAtTarget = under.filter((receiver) => !capped(receiver.end));
    return [
      `${what}: per receiver-window, sent / encoder target / Chromium's bandwidth estimate for the connection (availableOutgoingBitrate), kbit/s: ${mesh.windows.map((window) => window.map((receiver) => `${rate(receiver.bps)} / ${rate(receiver.end.targetBitrate)} / ${rate(receiver.end.availableOutgoingBitrate)}`).join('; ')).join(' | ')}.`,
      `maxBitrate ${summary(ends.map((end) => end.maxBitrate))} bit/s (${DEFAULT_CALL_LIMITS.videoUplinkBps} ÷ 3), scaleResolutionDownBy ${summary(ends.map((end) => end.scale))}; sent ${summary(ends.map((end) => `${end.frameWidth}×${end.frameHeight}`))} at ${summary(ends.map((end) => end.framesPerSecond))} fps (24 asked)${ends.some((end) => end.receivedFps !== null) ? `, A decoding ${summary(ends.map((end) => end.receivedFps))} fps from each` : ''}; qualityLimitationReason ${summary(ends.map((end) => end.limitation))}; encoder ${summary(ends.map((end) => end.encoder))}.`,
      low.length === 0
        ? 'The encoder\'s target was at the cap in every reading.'
        : `In ${low.length} of ${ends.length} readings the encoder's target sat below the cap${lowEstimate.length > 0 ? `; in ${lowEstimate.length} of those Chromium's bandwidth estimate was below the cap too (congestion control, which on this loaded loopback reads CPU-induced queueing delay as congestion)` : ''}${lowEstimate.length < low.length ? `; in ${low.length - lowEstimate.length} the estimate was above the cap and the target lower all the same (Chromium's own allocation; the sender's maxBitrate was the planned share)` : ''}.`,
      underAtTarget.length === 0 ? '' : `In ${underAtTarget.length} reading(s) the target was at the cap and the encoder still sent under 85% of it: it had less to say than its share (Chromium's fake camera is a plain background, a moving sweep and a counter, which compresses to little at 640×360) or too little CPU for the frame rate asked.`,
    ].filter((part) => part !== '').join(' ');
  };
  const mainCall = median(r.mesh.call.map((window) => window.mainThread));
  const mainText = median(r.mesh.text.map((window) => window.mainThread));
  const notes = [
    `Join (rows 1–3): for each run a fresh room of two (two new contexts of one headless Chromium, the client built from ${r.revision} into a temporary directory and served by our node on 127.0.0.1); B starts the call with camera and microphone; A sees "Join call", opens the preview and turns microphone and camera on there, waits for its own preview's first frame and 1 s more, then clicks the preview's "Join call". The clock runs from that click (the click event's timeStamp in A's page) to the first frame of B's camera rendered in B's tile on A's page (requestVideoFrameCallback on the <video>, registered when its srcObject is set; an init script, tests/bench/call-probe.ts). Device start-up and permission are outside the clock (with --use-fake-ui-for-media-stream there is no prompt; a real person's prompt would come before the click too). Parley's join works on the room's existing, connected RTCPeerConnection: A's presence (signed) says it is in the call, both sides add their transceivers and renegotiate over the sealed data channel (src/transport/media-negotiator.ts). Median timeline from the click (A's page): ${timeline(r.join)}. Runs (ms): ${list(r.join.map((run) => run.ms))}. Rejoin (row 3): A leaves, waits until B shows one tile, and joins again through the preview the same way; runs (ms): ${list(r.rejoin.map((run) => run.ms))}; timeline ${timeline(r.rejoin)}.`,
    `Anchors (rows 1–3), each run in two fresh contexts on an empty page of the same origin (tests/bench/call-raw-page.html, served from the build directory), microphone and camera taken with Parley's constraints (640×360 ideal, 24 fps, echo cancellation…; src/state/call-media.ts) and one throwaway RTCPeerConnection constructed, all before the clock. Row 1's anchor: A creates an RTCPeerConnection with its two tracks and offers, B answers with its two, offer/answer/candidates relayed through this process (exposeFunction → page.evaluate); clock from A's RTCPeerConnection created to the first frame of B's camera rendered in A's page, same probe. It includes ICE, DTLS and SRTP set-up, which Parley's join does not (its room is already connected), so row 1 compares Parley with a raw call started from nothing, as the issue defines the anchor; row 2's anchor is the like-for-like raw case: the pair first connects with a data channel only (before the clock), then A adds its tracks and offers, B adds its own and answers. Runs (ms), new connection: ${list(r.anchorConnect.map((run) => run.ms))}, timeline ${timeline(r.anchorConnect)}; already connected: ${list(r.anchorRenegotiate.map((run) => run.ms))}, timeline ${timeline(r.anchorRenegotiate)}. One unmeasured warm-up run of each first; each run measures the three in a rotating order.`,
    `Bitrate (rows 4–6): a fresh room of four, everyone joins with camera and microphone; once A renders all three cameras, ${r.mesh.steadyMs / 1000} s of steady state, then ${r.mesh.windows.length} window(s) of ${r.mesh.windowMs / 1000} s in which each of A's three connections' video sender is read (RTCRtpSender.getStats outbound-rtp bytesSent, payload only, over the stats timestamps; getParameters). ${senders('Fake camera', r.mesh)} Row 5 repeats the measure with a camera that has more to say than its share (a 640×360, 24 fps Y4M file, a still textured background and a moving patch of fresh noise, looped by Chromium: --use-file-for-fake-video-capture) and only A\'s camera on, so that the machine runs 3 encoders instead of 12; the split is the same (A sends to the three others). ${senders('Busy camera', r.busy)}`,
    `CPU (rows 7–8): in the same room of four, before anyone joins (text only: the room open and idle, presence and connections alive) and then in the call's bitrate windows, A's renderer process is read from /proc/<pid>/stat (utime + stime, every thread of the process: main thread, WebRTC threads, software VP8 encoders and decoders, audio); the pid is found by a busy loop in A's page (tests/bench/call-cpu.ts). 360p: each camera is 640×360 (the app's constraints), each page encodes it once per receiver (3 encoders) and decodes the 3 others. Windows: text only ${r.mesh.text.map((window) => pct(window.renderer)).join(', ')}; call ${r.mesh.call.map((window) => pct(window.renderer)).join(', ')}. A's renderer by thread in the call (first window; names as the kernel keeps them, cut to 15 characters, digits dropped, threads of one name summed): ${(r.mesh.call[0]?.threads ?? []).slice(0, 8).map(([name, share]) => `${name} ${(100 * share).toFixed(1)}%`).join(', ')}. CDP's Performance.getMetrics TaskDuration for A's page reads ${pct(mainText)} text only and ${pct(mainCall)} in the call; it is wall time inside tasks, so time waiting for a core counts, and where it reads far above the main thread's CPU time above, the page's tasks were waiting for a core: the /proc figures are the CPU used. Row 8 sums every process of our Chromium (all four pages, browser, GPU/compositor, audio service). On 2 cores the four pages of a 4-person call compete for the same CPU, so a real person's page (whose peers run elsewhere) may get more than here.`,
    `Camera toggle (row 9): a fresh room of two, A in the call with camera and microphone, B with microphone only; B clicks "Camera" (the clock starts at the click event in B's page), the app opens the camera (getUserMedia), turns its transceiver to sendonly and renegotiates over the data channel; stop at the first frame of B's camera rendered on A's page (epoch clocks of two pages of one machine). Then B turns the camera off, A's tile goes back to the avatar, 1 s of rest, next toggle; one unmeasured warm-up toggle first. Runs (ms): ${list(r.toggles.map((run) => run.ms))}. Median timeline from the click: ${timeline(r.toggles.map((run) => ({ marks: run.sender })), 'B ')}; at A: ${timeline(r.toggles)}.`,
    ...(r.failures.length === 0 ? [] : [`4-person phases that failed and were tried again in a fresh room (or, where rows read —, given up): ${r.failures.join(' / ')}`]),
    `${r.chromium}, headless, one browser for all pages, fake camera and microphone (--use-fake-device-for-media-stream). Load average (1, 5, 15 min) as each part started: ${r.loads.map(([part, load]) => `${part} ${load}`).join('; ')}. The machine has 2 cores and is shared (other test runs may use Chromium at the same time, and a 4-person call of our own keeps both cores busy): absolute times move with that load, ratios against anchors measured in the same run less so.${r.quick ? ' Quick run (--quick): fewer runs and windows.' : ''}`,
  ];
  return { title: 'Calls', rows, notes, columns: { ours: 'Parley', reference: 'Anchor (same run)' } };
}
