/**
 * The raw anchor of the "Calls" bench's join row: two fresh contexts load an empty page of the
 * node's origin (call-raw-page.html), each takes a microphone and a camera with Parley's own
 * constraints (src/state/call-media.ts) and constructs one throwaway RTCPeerConnection, all before
 * the clock, as Parley's pages have their devices open and WebRTC warm before the click. Then A
 * creates an RTCPeerConnection with its two tracks and offers (or, 'renegotiate', adds them to a
 * connection made before the clock); B answers with its own two tracks; offer, answer and trickled
 * candidates pass through this process (exposeFunction → page.evaluate, in order). Clock: A starts
 * → the first frame of B's camera rendered in A's page (requestVideoFrameCallback, the same probe
 * as Parley's pages: call-probe.ts).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { until } from '../helpers/node.js';
import { newBenchContext } from './rooms-probe.js';
import { events, firstAfter, installCallProbe, waitForEvent, type CallEvent } from './call-probe.js';

export interface AnchorRun {
  /** A's RTCPeerConnection created → first remote frame rendered in A's page, ms. */
  readonly ms: number;
  /** A's events after the start, ms: local-offer, remote-answer, track, unmute, frame. */
  readonly marks: Readonly<Record<string, number>>;
}

interface RawWindow {
  __benchRelay(target: 'a' | 'b', message: string): Promise<void>;
  __rawRecv?: (message: string) => void;
  __rawTracks?: MediaStreamTrack[];
  __rawStart?: number;
  __rawStartCall?: (withTracks: boolean) => void;
  __rawPc?: RTCPeerConnection;
  __rawOpen?: boolean;
}

const WAIT_MS = 30_000;
/** After the data channel opened, before the clock (renegotiate): the pages at rest, as Parley's before its click. */
const SETTLE_MS = 1000;

/** Before the clock: the devices with Parley's constraints, and WebRTC set up in the renderer. */
async function rawPrepare(): Promise<void> {
  const w = window as unknown as RawWindow;
  const mic = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true } });
  const cam = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 24, max: 30 } } });
  const video = cam.getVideoTracks()[0];
  if (video !== undefined) video.contentHint = 'motion';
  w.__rawTracks = [...mic.getAudioTracks(), ...cam.getVideoTracks()];
  new RTCPeerConnection().close();
}

/**
 * One side of the raw call. `__rawStart(withTracks)` (A) offers: the camera and microphone, or only
 * a data channel (to connect before the clock); the side that gets an offer with media adds its own
 * two tracks before answering, so one offer/answer starts media both ways.
 */
function rawCallSide(role: 'a' | 'b'): void {
  const w = window as unknown as RawWindow;
  const other = role === 'a' ? 'b' : 'a';
  let pc: RTCPeerConnection | null = null;
  let queue = Promise.resolve();
  let sending = false;
  const addTracks = (connection: RTCPeerConnection): void => {
    if (sending) return;
    sending = true;
    for (const track of w.__rawTracks ?? []) connection.addTrack(track);
  };
  const create = (): RTCPeerConnection => {
    const created = new RTCPeerConnection();
    w.__rawPc = created;
    created.onicecandidate = (event) => {
      if (event.candidate) void w.__benchRelay(other, JSON.stringify({ candidate: event.candidate.toJSON() }));
    };
    created.ondatachannel = (event) => {
      event.channel.onopen = () => void (w.__rawOpen = true);
    };
    created.ontrack = (event) => {
      // Shown as Parley's tile shows a track (src/ui/call/media-track.ts): its own MediaStream, played.
      const element = document.createElement(event.track.kind === 'video' ? 'video' : 'audio');
      element.autoplay = true;
      if (element instanceof HTMLVideoElement) {
        element.playsInline = true;
        element.muted = true;
        element.dataset['label'] = 'remote';
      }
      document.body.append(element);
      element.srcObject = new MediaStream([event.track]);
      void element.play().catch(() => undefined);
    };
    return created;
  };
  w.__rawRecv = (text) => {
    const message = JSON.parse(text) as { sdp?: RTCSessionDescriptionInit; candidate?: RTCIceCandidateInit };
    queue = queue.then(async () => {
      if (message.sdp !== undefined) {
        pc ??= create();
        await pc.setRemoteDescription(message.sdp);
        if (message.sdp.type === 'offer') {
          if (message.sdp.sdp?.includes('m=video') === true) addTracks(pc);
          await pc.setLocalDescription(await pc.createAnswer());
          void w.__benchRelay(other, JSON.stringify({ sdp: pc.localDescription?.toJSON() }));
        }
      } else if (message.candidate !== undefined && pc !== null) {
        await pc.addIceCandidate(message.candidate);
      }
    });
  };
  w.__rawStartCall = (withTracks) => {
    w.__rawStart = performance.timeOrigin + performance.now();
    const started = pc ?? create();
    pc = started;
    if (withTracks) addTracks(started);
    else started.createDataChannel('bench');
    queue = queue.then(async () => {
      await started.setLocalDescription(await started.createOffer());
      void w.__benchRelay(other, JSON.stringify({ sdp: started.localDescription?.toJSON() }));
    });
  };
}

/**
 * One anchor run in two fresh contexts of `browser`, on `pageUrl` (the raw page on the node's
 * origin). 'connect': the clock starts at A's RTCPeerConnection, created with the tracks (ICE and
 * DTLS inside the clock). 'renegotiate': A and B first connect with a data channel only (before the
 * clock, as Parley's room is connected), then the clock starts as A adds its tracks to that
 * connection and offers again.
 */
export async function measureAnchorJoin(browser: Browser, pageUrl: string, mode: 'connect' | 'renegotiate'): Promise<AnchorRun> {
  const contexts: BrowserContext[] = [];
  try {
    for (let i = 0; i < 2; i++) {
      const context = await newBenchContext(browser);
      await installCallProbe(context);
      contexts.push(context);
    }
    const [a, b] = (await Promise.all(contexts.map((context) => context.newPage()))) as [Page, Page];
    const chains = { a: Promise.resolve(), b: Promise.resolve() };
    for (const page of [a, b]) {
      await page.exposeFunction('__benchRelay', (target: 'a' | 'b', message: string) => {
        const to = target === 'a' ? a : b;
        chains[target] = chains[target].then(() => to.evaluate((text) => (window as unknown as RawWindow).__rawRecv?.(text), message)).catch(() => undefined);
      });
      await page.goto(pageUrl);
      await page.evaluate(rawPrepare);
      await page.evaluate(rawCallSide, (page === a ? 'a' : 'b') as 'a' | 'b');
    }
    if (mode === 'renegotiate') {
      await a.evaluate(() => (window as unknown as RawWindow).__rawStartCall?.(false));
      await until(() => b.evaluate(() => (window as unknown as RawWindow).__rawOpen === true), WAIT_MS, 'raw data channel open');
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    }
    await a.evaluate(() => (window as unknown as RawWindow).__rawStartCall?.(true));
    const start = await a.evaluate(() => (window as unknown as RawWindow).__rawStart ?? Number.NaN);
    const frame = await waitForEvent(a, 'frame', 'remote', start, WAIT_MS);
    if (frame === null) throw new Error('raw call: no remote frame within 30 s');
    const list: CallEvent[] = await events(a);
    const marks: Record<string, number> = {};
    for (const [name, detail] of [['local-offer', null], ['remote-answer', null], ['track', 'video'], ['unmute', 'video'], ['frame', 'remote']] as const) marks[name] = firstAfter(list, name, detail, start);
    return { ms: frame.at - start, marks };
  } finally {
    for (const context of contexts) await context.close().catch(() => undefined);
  }
}
