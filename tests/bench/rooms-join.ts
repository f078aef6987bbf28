/**
 * Join → first message, in Chromium, against a raw RTCPeerConnection between two contexts of
 * the same browser.
 *  - Anchor: page A creates an RTCPeerConnection and a data channel, offer/answer/candidates
 *    trickle through this process (exposeFunction → page.evaluate, in order), A sends one message
 *    on open; from A's RTCPeerConnection created to B's first data-channel message.
 *  - Parley: A creates a room and sends "before" alone; B (a fresh context: empty storage and
 *    cache) opens the invite link. "Before" reaches B through sync; A sends "after" in-page the
 *    moment B shows in A's People list. From B's page.goto start to each being visible in B's
 *    Messages log (probe: article in the DOM with the composer usable).
 *  - Parley, app already open: the same, but B's tab has had Parley's home page loaded for a second
 *    (SETTLE_MS) and the invite link is opened in it (a hash change, as when a link is clicked or pasted into an open tab);
 *    the clock starts at the hash change. Same pages, no page load: the closer match to the anchor.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { installProbe, navigationTiming, newBenchContext, readProbe, waitForMarks, type ProbeState } from './rooms-probe.js';
import { startPageProfile, type CpuProfile } from './rooms-profile.js';

export interface JoinRun {
  /** B's goto start → "before" visible in B, ms */
  readonly before: number;
  /** B's goto start → "after" visible in B, ms */
  readonly after: number;
  /** B's goto start → B in A's People list, ms */
  readonly seenByA: number;
  /** B's marks relative to goto start, ms (navigation start, page load, app, signaling, WebRTC). */
  readonly phases: Record<string, number>;
  /** Epoch ms of B's clock start (goto or hash change) and of B's document time origin. */
  readonly clockStart: number;
  readonly timeOrigin: number;
}

export interface JoinResult {
  readonly raw: number[];
  /** The same two measures with another build of the client (BENCH_JOIN_BASELINE), interleaved with these runs. */
  readonly baseline?: { readonly parley: JoinRun[]; readonly warm: JoinRun[] };
  /** A new visitor: B's page.goto of the invite link (page load included). */
  readonly parley: JoinRun[];
  /** Parley already open in B's tab (home page loaded), then the invite link opened in it: the clock starts at the hash change. */
  readonly warm: JoinRun[];
}

interface RawWindow {
  __benchRelay(target: 'a' | 'b', message: string): Promise<void>;
  __benchRecv?: (message: string) => void;
  __benchPc?: RTCPeerConnection;
  __benchStart?: number;
  __benchGot?: number | null;
}

const WAIT_MS = 30_000;
/** How long B's tab shows the home page before the invite link is opened in it (app already open). */
export const SETTLE_MS = 1000;

/** Two pages that relay signaling through this process, in order per direction. */
async function rawPages(browser: Browser, url: string): Promise<{ a: Page; b: Page; contexts: BrowserContext[] }> {
  const contexts = [await newBenchContext(browser), await newBenchContext(browser)];
  const [a, b] = await Promise.all(contexts.map((context) => context.newPage())) as [Page, Page];
  const chains = { a: Promise.resolve(), b: Promise.resolve() };
  for (const page of [a, b]) {
    await page.exposeFunction('__benchRelay', (target: 'a' | 'b', message: string) => {
      const to = target === 'a' ? a : b;
      chains[target] = chains[target].then(() => to.evaluate((text) => (window as unknown as RawWindow).__benchRecv?.(text), message)).catch(() => undefined);
    });
    await page.goto(url);
  }
  return { a, b, contexts };
}

/** Installs one side of a raw connection; A also starts it. */
function rawSide(role: 'a' | 'b'): void {
  const w = window as unknown as RawWindow;
  w.__benchPc?.close();
  w.__benchGot = null;
  const other = role === 'a' ? 'b' : 'a';
  let pc: RTCPeerConnection | null = null;
  let queue = Promise.resolve();
  const create = (): RTCPeerConnection => {
    const created = new RTCPeerConnection();
    w.__benchPc = created;
    created.onicecandidate = (event) => {
      if (event.candidate) void w.__benchRelay(other, JSON.stringify({ candidate: event.candidate.toJSON() }));
    };
    created.ondatachannel = (event) => {
      event.channel.onmessage = () => {
        w.__benchGot ??= performance.timeOrigin + performance.now();
      };
    };
    return created;
  };
  w.__benchRecv = (text) => {
    const message = JSON.parse(text) as { sdp?: RTCSessionDescriptionInit; candidate?: RTCIceCandidateInit };
    queue = queue.then(async () => {
      if (message.sdp !== undefined) {
        pc ??= create();
        await pc.setRemoteDescription(message.sdp);
        if (message.sdp.type === 'offer') {
          await pc.setLocalDescription(await pc.createAnswer());
          void w.__benchRelay(other, JSON.stringify({ sdp: pc.localDescription?.toJSON() }));
        }
      } else if (message.candidate !== undefined && pc !== null) {
        await pc.addIceCandidate(message.candidate);
      }
    });
  };
  if (role === 'a') {
    w.__benchStart = performance.timeOrigin + performance.now();
    const started = create();
    pc = started;
    const channel = started.createDataChannel('bench');
    channel.onopen = () => channel.send('hello');
    queue = queue.then(async () => {
      await started.setLocalDescription(await started.createOffer());
      void w.__benchRelay(other, JSON.stringify({ sdp: started.localDescription?.toJSON() }));
    });
  }
}

async function rawRun(a: Page, b: Page): Promise<number> {
  await b.evaluate(rawSide, 'b' as const);
  await a.evaluate(rawSide, 'a' as const);
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    // Waited for in the page, as for Parley's marks (rooms-probe.ts waitForMarks): no evaluate per poll.
    const got = await b.evaluate((waitMs) => new Promise<number | null>((resolve) => {
      const until = performance.now() + waitMs;
      const check = (): void => {
        const value = (window as unknown as RawWindow).__benchGot ?? null;
        if (value !== null || performance.now() > until) resolve(value);
        else setTimeout(check, 20);
      };
      check();
    }), Math.max(0, deadline - Date.now()));
    if (got !== null) {
      const start = await a.evaluate(() => (window as unknown as RawWindow).__benchStart ?? Number.NaN);
      for (const page of [a, b]) await page.evaluate(() => (window as unknown as RawWindow).__benchPc?.close());
      return got - start;
    }
    if (Date.now() > deadline) throw new Error('raw RTCPeerConnection: no message within 30 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** In page A: waits for a second person in People, then types and sends `text` (no round trip to this process). */
export function sendWhenJoined(text: string): Promise<{ seen: number; sent: number }> {
  return new Promise((resolve, reject) => {
    const people = (): number => document.querySelectorAll('[aria-label="People"] li').length;
    const observer = new MutationObserver(() => fire());
    const timer = setTimeout(() => {
      observer.disconnect();
      reject(new Error('nobody joined within 60 s'));
    }, 60_000);
    const fire = (): void => {
      if (people() < 2) return;
      observer.disconnect();
      clearTimeout(timer);
      const seen = performance.timeOrigin + performance.now();
      const box = document.querySelector<HTMLTextAreaElement>('textarea[aria-label="Message"]');
      if (box === null) return reject(new Error('no Message textbox'));
      box.value = text;
      box.dispatchEvent(new Event('input', { bubbles: true }));
      box.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));
      resolve({ seen, sent: performance.timeOrigin + performance.now() });
    };
    observer.observe(document.body, { childList: true, subtree: true });
    fire();
  });
}

const PHASES = ['app-rendered', 'ws-created', 'ws-open', 'ws-first-received', 'pc-created', 'remote-description', 'ice-connected', 'pc-connected', 'dc-open', 'dc-first-message'] as const;

/** Hooks around B's join with the app open: started once B's home page is up, stopped when "after" is visible. */
type AroundJoin = (bob: Page) => Promise<() => Promise<void>>;

/**
 * One join. `prepareBob` runs in B's context before B opens the link (startup.ts: a first visit, so
 * that B is a returning visitor with the service worker controlling and its cache warm).
 */
export async function parleyRun(browser: Browser, url: string, run: number, warm: boolean, around?: AroundJoin, prepareBob?: (context: BrowserContext) => Promise<void>): Promise<JoinRun> {
  const contexts: BrowserContext[] = [];
  try {
    const aliceContext = (contexts[0] = await newBenchContext(browser));
    // A's marks (WebSocket, RTCPeerConnection) too: A has no peer connection before B comes.
    await installProbe(aliceContext, { texts: {} });
    const alice = await aliceContext.newPage();
    await alice.goto(url);
    await alice.getByRole('button', { name: 'Create room' }).click();
    await alice.waitForURL(/#k=/, { timeout: WAIT_MS });
    await alice.getByRole('status', { name: 'Connection' }).getByText('waiting for others').waitFor({ timeout: WAIT_MS });
    const before = `Before you came, run ${run}: the agenda is in the shared folder`;
    const after = `After you came, run ${run}: welcome, glad you could make it`;
    const box = alice.getByRole('textbox', { name: 'Message' });
    await box.fill(before);
    await box.press('Enter');
    await alice.getByRole('log', { name: 'Messages' }).getByText(before).waitFor({ timeout: WAIT_MS });
    const sender = alice.evaluate(sendWhenJoined, after);
    sender.catch(() => undefined);

    const bobContext = (contexts[1] = await newBenchContext(browser));
    await installProbe(bobContext, { texts: { before, after } });
    await prepareBob?.(bobContext);
    const bob = await bobContext.newPage();
    let gotoStart = Date.now();
    let stop: (() => Promise<void>) | undefined;
    if (warm) {
      await bob.goto(url);
      await bob.getByRole('button', { name: 'Create room' }).waitFor({ timeout: WAIT_MS });
      // "Already open": the tab has shown the home page for a moment (as when a person then pastes
      // or clicks a link), so the work a fresh page does when idle (warm-ups) is behind it.
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      stop = await around?.(bob);
      const fragment = new URL(alice.url()).hash;
      gotoStart = await bob.evaluate((hash) => {
        const start = performance.timeOrigin + performance.now();
        location.hash = hash;
        return start;
      }, fragment);
    } else {
      await bob.goto(alice.url());
    }
    const state: ProbeState = await waitForMarks(bob, ['before', 'after', 'dc-open'], WAIT_MS);
    await stop?.();
    const { seen } = await sender;
    const aliceMarks = (await readProbe(alice)).marks;
    const timing = await navigationTiming(bob);
    const fromGoto = (name: string): number => (state.marks[name]?.epoch ?? Number.NaN) - gotoStart;
    const navStart = state.timeOrigin - gotoStart;
    const phases: Record<string, number> = { 'navigation start': navStart, 'response end': navStart + timing.responseEnd, 'DOMContentLoaded': navStart + timing.domContentLoaded };
    for (const name of PHASES) phases[name] = fromGoto(name);
    for (const name of ['pc-created', 'remote-description', 'pc-connected', 'dc-open'] as const) {
      const mark = aliceMarks[name];
      if (mark !== undefined) phases[`A ${name}`] = mark.epoch - gotoStart;
    }
    return { before: fromGoto('before'), after: fromGoto('after'), seenByA: seen - gotoStart, phases, clockStart: gotoStart, timeOrigin: state.timeOrigin };
  } finally {
    for (const context of contexts) await context.close().catch(() => undefined);
  }
}

export async function measureJoin(browser: Browser, url: string, runs: number, log: (line: string) => void, baselineUrl?: string): Promise<JoinResult> {
  const baseline = baselineUrl === undefined ? undefined : { parley: [] as JoinRun[], warm: [] as JoinRun[] };
  const result: JoinResult = { raw: [], parley: [], warm: [], ...(baseline === undefined ? {} : { baseline }) };
  const raw = await rawPages(browser, url);
  try {
    for (let run = 0; run <= runs; run++) {
      const label = run === 0 ? 'warm-up' : `run ${run}`;
      const anchor = await rawRun(raw.a, raw.b);
      const parley = await parleyRun(browser, url, run, false);
      const warm = await parleyRun(browser, url, run, true);
      const base = baselineUrl === undefined ? undefined : { parley: await parleyRun(browser, baselineUrl, run, false), warm: await parleyRun(browser, baselineUrl, run, true) };
      log(`  join ${label}: raw ${anchor.toFixed(0)} ms; Parley new visitor: before ${parley.before.toFixed(0)} ms, after ${parley.after.toFixed(0)} ms (B in A's People at ${parley.seenByA.toFixed(0)} ms); app already open: before ${warm.before.toFixed(0)} ms, after ${warm.after.toFixed(0)} ms${base === undefined ? '' : `; baseline build: new visitor ${base.parley.before.toFixed(0)} ms, app open ${base.warm.before.toFixed(0)} ms`}`);
      if (run === 0) continue;
      result.raw.push(anchor);
      result.parley.push(parley);
      result.warm.push(warm);
      if (base !== undefined && baseline !== undefined) {
        baseline.parley.push(base.parley);
        baseline.warm.push(base.warm);
      }
    }
  } finally {
    for (const context of raw.contexts) await context.close().catch(() => undefined);
  }
  return result;
}

/**
 * A CPU profile and a Chromium trace (devtools timeline categories: tasks, layout, paint, JS) of
 * B's page during one join with the app already open (hash change → "after" visible).
 */
export async function profileWarmJoin(browser: Browser, url: string): Promise<{ profile: CpuProfile; trace: Buffer; hashChange: number; timeOrigin: number }> {
  let profile: CpuProfile | undefined;
  let trace: Buffer | undefined;
  const run = await parleyRun(browser, url, 99, true, async (bob) => {
    await browser.startTracing(bob, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'blink.user_timing', 'loading', 'toplevel'] });
    const stop = await startPageProfile(bob, 200);
    return async () => {
      profile = await stop();
      trace = await browser.stopTracing();
    };
  });
  if (profile === undefined || trace === undefined) throw new Error('no profile of the join');
  return { profile, trace, hashChange: run.clockStart, timeOrigin: run.timeOrigin };
}
