/**
 * In-page timing for the Chromium parts of the "Encrypted rooms" bench. An init script (runs in
 * every document of a context before the page's own scripts) records, in ms since navigation
 * start (performance.now()) and as epoch ms (performance.timeOrigin + now, comparable across
 * pages and with Node's Date.now()):
 *  - app rendered (#app has content), WebSocket created/open/first message received, first
 *    RTCPeerConnection used (marked at its creation), its first remote description, ICE connected, connected, first
 *    data channel open and first message on it (by wrapping the constructors; behaviour unchanged);
 *  - for each watched text: the first moment a Messages-log <article> whose text starts with it
 *    is in the DOM while the Message textbox is present and enabled (checked on every DOM
 *    mutation), and `<name>:painted`, a timer after the next animation frame (≈ next paint);
 *  - `history-loaded`: the Messages log no longer aria-busy (the whole stored history is in);
 *  - long tasks (PerformanceObserver 'longtask').
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';

export interface Mark {
  /** ms since navigation start */
  readonly t: number;
  /** epoch ms */
  readonly epoch: number;
}

export interface ProbeState {
  readonly marks: Record<string, Mark>;
  /** Every change of the Messages log's aria-busy: [epoch ms, busy]. */
  readonly busy: ReadonlyArray<readonly [number, boolean]>;
  readonly longTasks: ReadonlyArray<readonly [number, number]>;
  readonly timeOrigin: number;
}

export interface ProbeOptions {
  /** Mark name → text prefix to wait for in the Messages log. */
  readonly texts: Readonly<Record<string, string>>;
}

interface ProbeWindow {
  __benchProbe?: ProbeState;
}

/** The init script; self-contained, serialized by Playwright. */
function probe(options: ProbeOptions): void {
  const marks: Record<string, Mark> = {};
  const longTasks: Array<readonly [number, number]> = [];
  const busy: Array<readonly [number, boolean]> = [];
  const state: ProbeState = { marks, longTasks, busy, timeOrigin: performance.timeOrigin };
  (window as unknown as ProbeWindow).__benchProbe = state;
  const mark = (name: string, t = performance.now()): void => {
    if (marks[name] !== undefined) return;
    marks[name] = { t, epoch: performance.timeOrigin + t };
  };

  const NativeSocket = window.WebSocket;
  window.WebSocket = class extends NativeSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      mark('ws-created');
      this.addEventListener('open', () => mark('ws-open'));
      this.addEventListener('message', () => mark('ws-first-received'));
    }
  };
  const watchChannel = (channel: RTCDataChannel): RTCDataChannel => {
    channel.addEventListener('open', () => mark('dc-open'));
    channel.addEventListener('message', () => mark('dc-first-message'));
    return channel;
  };
  const NativePeer = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends NativePeer {
    constructor(config?: RTCConfiguration) {
      super(config);
      // Marked once the connection is used (a description or a channel), so a connection created
      // and closed only to warm WebRTC up (src/transport/webrtc-warmup.ts) does not count.
      this.#created = performance.now();
      this.addEventListener('connectionstatechange', () => {
        if (this.connectionState === 'connected') mark('pc-connected');
      });
      this.addEventListener('iceconnectionstatechange', () => {
        if (this.iceConnectionState === 'connected') mark('ice-connected');
      });
      this.addEventListener('datachannel', (event) => watchChannel(event.channel));
    }

    readonly #created: number;

    override setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void> {
      mark('pc-created', this.#created);
      mark('remote-description');
      return super.setRemoteDescription(description);
    }

    override createDataChannel(label: string, init?: RTCDataChannelInit): RTCDataChannel {
      mark('pc-created', this.#created);
      return watchChannel(super.createDataChannel(label, init));
    }
  };

  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) longTasks.push([entry.startTime, entry.duration]);
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    // no long-task timing in this browser
  }

  const pending = new Map(Object.entries(options.texts));
  const check = (): void => {
    if (marks['app-rendered'] === undefined && document.getElementById('app')?.firstElementChild) mark('app-rendered');
    const busyNow = document.querySelector('[role="log"]')?.getAttribute('aria-busy');
    if (busyNow !== undefined && busyNow !== null && busy.at(-1)?.[1] !== (busyNow === 'true')) busy.push([performance.timeOrigin + performance.now(), busyNow === 'true']);
    if (marks['history-loaded'] === undefined && busyNow === 'false') mark('history-loaded');
    if (pending.size === 0) return;
    const composer = document.querySelector<HTMLTextAreaElement>('textarea[aria-label="Message"]');
    if (composer === null || composer.disabled) return;
    const texts: string[] = [];
    for (const node of document.querySelectorAll('[role="log"] article .text')) texts.push(node.textContent ?? '');
    for (const [name, prefix] of pending) {
      if (!texts.some((text) => text.startsWith(prefix))) continue;
      pending.delete(name);
      mark(name);
      requestAnimationFrame(() => setTimeout(() => mark(`${name}:painted`), 0));
    }
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ['aria-busy'] });
}

/**
 * A fresh context (own storage, like another person's browser) where functions serialized from
 * this process work: tsx compiles with esbuild's keepNames, which wraps named functions in
 * `__name(...)` calls, so every page gets an identity `__name` first.
 */
export async function newBenchContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext();
  await context.addInitScript({ content: 'globalThis.__name = globalThis.__name || ((target) => target);' });
  return context;
}

/** Installs the probe in every page the context opens from now on. */
export async function installProbe(context: BrowserContext, options: ProbeOptions): Promise<void> {
  await context.addInitScript(probe, options);
}

export async function readProbe(page: Page): Promise<ProbeState> {
  const state = await page.evaluate(() => (window as unknown as ProbeWindow).__benchProbe ?? null);
  if (state === null) throw new Error('bench probe missing from the page');
  return state;
}

/**
 * Waits until every named mark exists; throws after `timeoutMs` with the marks seen so far. The
 * wait runs inside the page (a cheap check every 20 ms) rather than as a page.evaluate from here
 * every 25 ms: each evaluate is a task on the page's main thread, the thread being measured.
 */
export async function waitForMarks(page: Page, names: readonly string[], timeoutMs: number): Promise<ProbeState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await page
      .evaluate(
        ({ wanted, waitMs }) =>
          new Promise<ProbeState | null>((resolve) => {
            const until = performance.now() + waitMs;
            const check = (): void => {
              const probe = (window as unknown as ProbeWindow).__benchProbe ?? null;
              if (probe !== null && wanted.every((name) => probe.marks[name] !== undefined)) resolve(probe);
              else if (performance.now() > until) resolve(probe);
              else setTimeout(check, 20);
            };
            check();
          }),
        { wanted: [...names], waitMs: Math.max(0, deadline - Date.now()) },
      )
      .catch(() => null); // the document changed under the wait (a navigation): wait again in the new one
    if (state !== null && names.every((name) => state.marks[name] !== undefined)) return state;
    if (Date.now() > deadline) throw new Error(`marks ${names.join(', ')} not all seen within ${timeoutMs} ms; seen: ${JSON.stringify(state?.marks ?? {})}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Navigation timing of the current document, ms since navigation start. */
export async function navigationTiming(page: Page): Promise<{ responseEnd: number; domContentLoaded: number; load: number }> {
  return page.evaluate(() => {
    const [entry] = performance.getEntriesByType('navigation') as PerformanceNavigationTiming[];
    return { responseEnd: entry?.responseEnd ?? Number.NaN, domContentLoaded: entry?.domContentLoadedEventEnd ?? Number.NaN, load: entry?.loadEventEnd ?? Number.NaN };
  });
}
