/**
 * The 4-person part of the "Calls" bench, one fresh room of four (one Chromium, four contexts):
 *  - CPU of person A's page with the room open, text only (no call), in 10 s windows;
 *  - everyone joins the call with camera and microphone (or only A with a camera: othersCam false);
 *    once the cameras render, ~15 s of
 *    steady state, then 10 s windows in which A's video senders' bytesSent (outbound-rtp, per
 *    connection = per receiver) give the bitrate each receiver gets, beside the sender's configured
 *    maxBitrate (the app's plan, src/core/call-state.ts planVideoSenders), the encoder's
 *    targetBitrate, the resolution and frame rate sent, and why quality is limited, and A's CPU in
 *    the same window.
 */
import type { Browser, Page } from 'playwright-core';
import { joinCall } from '../helpers/call.js';
import { openRoom } from './call-app.js';
import { pageCpu, rendererPids, type CpuWindow } from './call-cpu.js';
import { waitForEvent } from './call-probe.js';

export interface SenderSample {
  /** Index of the connection in the page's list (stable between samples). */
  readonly connection: number;
  /** ms (stats timestamp) */
  readonly timestamp: number;
  readonly bytesSent: number;
  readonly targetBitrate: number | null;
  readonly maxBitrate: number | null;
  readonly scale: number | null;
  readonly frameWidth: number | null;
  readonly frameHeight: number | null;
  readonly framesPerSecond: number | null;
  readonly limitation: string | null;
  readonly encoder: string | null;
  readonly availableOutgoingBitrate: number | null;
  /** Frames per second this page decodes from the same person (inbound-rtp video). */
  readonly receivedFps: number | null;
}

export interface ReceiverWindow {
  /** Bits per second of video payload sent to this receiver over the window. */
  readonly bps: number;
  /** The end sample (what the sender was told and did). */
  readonly end: SenderSample;
}

export interface MeshOptions {
  readonly steadyMs: number;
  readonly windowMs: number;
  /** Measure A's CPU too (text only first, then in the call's windows). */
  readonly cpu: boolean;
  /** Whether B, C and D turn their cameras on too (else they join with the microphone only; A still sends to three). */
  readonly othersCam: boolean;
}

export interface MeshResult {
  /** Empty unless options.cpu. */
  readonly text: CpuWindow[];
  readonly call: CpuWindow[];
  /** Per window, per receiver. */
  readonly windows: ReceiverWindow[][];
  readonly steadyMs: number;
  readonly windowMs: number;
}

/** Reads, in the page, each live connection's video sender: stats and parameters. */
function readSenders(): Promise<SenderSample[]> {
  const state = (window as unknown as { __benchCall?: { connections: RTCPeerConnection[] } }).__benchCall;
  return Promise.all((state?.connections ?? []).map(async (pc, connection) => {
    if (pc.connectionState === 'closed') return null;
    const sender = pc.getSenders().find((candidate) => candidate.track?.kind === 'video');
    if (sender === undefined) return null;
    const stats = [...(await sender.getStats()).values()] as Array<Record<string, unknown>>;
    const outbound = stats.find((stat) => stat['type'] === 'outbound-rtp' && stat['kind'] === 'video');
    if (outbound === undefined) return null;
    const all = [...(await pc.getStats()).values()] as Array<Record<string, unknown>>;
    const selected = all.find((stat) => stat['type'] === 'transport' && typeof stat['selectedCandidatePairId'] === 'string')?.['selectedCandidatePairId'];
    const pair = all.find((stat) => stat['type'] === 'candidate-pair' && (stat['id'] === selected || (selected === undefined && stat['nominated'] === true)));
    const inbound = all.find((stat) => stat['type'] === 'inbound-rtp' && stat['kind'] === 'video' && typeof stat['framesPerSecond'] === 'number');
    const encoding = sender.getParameters().encodings[0];
    const num = (value: unknown): number | null => (typeof value === 'number' ? value : null);
    const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);
    return {
      connection,
      timestamp: num(outbound['timestamp']) ?? performance.timeOrigin + performance.now(),
      bytesSent: num(outbound['bytesSent']) ?? 0,
      targetBitrate: num(outbound['targetBitrate']),
      maxBitrate: encoding?.maxBitrate ?? null,
      scale: encoding?.scaleResolutionDownBy ?? null,
      frameWidth: num(outbound['frameWidth']),
      frameHeight: num(outbound['frameHeight']),
      framesPerSecond: num(outbound['framesPerSecond']),
      limitation: str(outbound['qualityLimitationReason']),
      encoder: str(outbound['encoderImplementation']),
      availableOutgoingBitrate: num(pair?.['availableOutgoingBitrate']),
      receivedFps: num(inbound?.['framesPerSecond']),
    };
  })).then((samples) => samples.filter((sample): sample is SenderSample => sample !== null));
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** What a page shows and negotiated, for a failure message: its tiles, and each media connection's states and transceivers. */
export async function callState(page: Page): Promise<string> {
  const tiles = await page.locator('figure[aria-label]').evaluateAll((figures) => figures.map((figure) => `${figure.getAttribute('aria-label')}:${figure.querySelector('video') === null ? 'avatar' : 'video'}`).join(', '));
  const connections = await page.evaluate(() => ((window as unknown as { __benchCall?: { connections: RTCPeerConnection[] } }).__benchCall?.connections ?? [])
    .filter((pc) => pc.connectionState !== 'closed' && pc.getTransceivers().length > 0)
    .map((pc) => `${pc.connectionState}/${pc.signalingState} ${pc.getTransceivers().map((t) => `${t.mid}:${t.receiver.track.kind}:${t.direction}/${t.currentDirection ?? '-'}${t.sender.track === null ? '' : ':sending'}`).join(' ')}`)
    .join(' || '));
  return `tiles [${tiles}]; connections [${connections}]`;
}

export async function measureMesh(browser: Browser, baseUrl: string, windows: number, log: (line: string) => void, options: MeshOptions): Promise<MeshResult> {
  const { steadyMs, windowMs } = options;
  const existing = rendererPids();
  const room = await openRoom(browser, baseUrl, 4);
  try {
    const pages = room.pages;
    const a = pages[0] as Page;
    const cpu = options.cpu ? await pageCpu(a, new Set([...rendererPids()].filter((pid) => !existing.has(pid)))) : null;
    if (cpu !== null) log(`  4 people in the room; A's renderer is pid ${cpu.pid}`);
    await sleep(5000);
    const text: CpuWindow[] = [];
    for (let i = 0; cpu !== null && i < windows; i++) {
      text.push(await cpu.measure(windowMs));
      log(`  text only, window ${i + 1}: A's renderer ${(100 * (text.at(-1)?.renderer ?? Number.NaN)).toFixed(1)}% of a core`);
    }
    const joined = await a.evaluate(() => performance.timeOrigin + performance.now());
    for (const page of pages) await joinCall(page, { mic: true, cam: page === a || options.othersCam });
    const shown = async (page: Page, nick: string): Promise<void> => {
      if ((await waitForEvent(page, 'frame', nick, joined, 60_000)) !== null) return;
      const states = await Promise.all(pages.map(async (other, i) => `${room.nicks[i]}: ${await callState(other)}`));
      throw new Error(`${room.nicks[pages.indexOf(page)]} shows no frame of ${nick}'s camera within 60 s of joining. ${states.join('. ')}`);
    };
    if (options.othersCam) {
      for (const nick of room.nicks.slice(1)) await shown(a, nick);
    } else {
      for (const page of pages.slice(1)) await shown(page, room.nicks[0] as string);
    }
    log(`  4 in the call, ${options.othersCam ? 'A renders all three cameras' : 'the three others render A\'s camera'}; ${steadyMs / 1000} s of steady state`);
    await sleep(steadyMs);
    const call: CpuWindow[] = [];
    const result: ReceiverWindow[][] = [];
    for (let i = 0; i < windows; i++) {
      const before = await a.evaluate(readSenders);
      if (cpu !== null) call.push(await cpu.measure(windowMs));
      else await sleep(windowMs);
      const after = await a.evaluate(readSenders);
      const receivers: ReceiverWindow[] = [];
      for (const end of after) {
        const start = before.find((sample) => sample.connection === end.connection);
        if (start === undefined || end.timestamp <= start.timestamp) continue;
        receivers.push({ bps: ((end.bytesSent - start.bytesSent) * 8 * 1000) / (end.timestamp - start.timestamp), end });
      }
      result.push(receivers);
      const kbps = (bps: number | null): string => (bps === null ? '?' : (bps / 1000).toFixed(0));
      const share = call.at(-1);
      log(`  call, window ${i + 1}:${share === undefined ? '' : ` A's renderer ${(100 * share.renderer).toFixed(1)}% of a core (${share.threads.slice(0, 6).map(([name, cpu]) => `${name} ${(100 * cpu).toFixed(0)}%`).join(', ')});`} per receiver ${receivers.map((r) => `${kbps(r.bps)} kbit/s (max ${kbps(r.end.maxBitrate)}, target ${kbps(r.end.targetBitrate)}, ${r.end.frameWidth}x${r.end.frameHeight}@${r.end.framesPerSecond}, received ${r.end.receivedFps} fps, ${r.end.limitation})`).join('; ')}`);
    }
    return { text, call, windows: result, steadyMs, windowMs };
  } finally {
    await room.close();
  }
}
