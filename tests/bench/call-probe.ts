/**
 * In-page timing for the "Calls" bench, the same init script in Parley's pages and in the raw
 * anchor's (call-anchor.ts), so both are timed alike. It logs, as epoch ms
 * (performance.timeOrigin + now, comparable between the pages of one machine):
 *  - `click`: every click, at the input event's timeStamp, with the button's text;
 *  - `gum`: getUserMedia resolved (kinds got);
 *  - `local-offer`, `local-answer`, `remote-offer`, `remote-answer`: descriptions applied;
 *  - `track`, `unmute`, `mute`: remote tracks arriving and their receivers' RTP starting/stopping;
 *  - `frame`: the first video frame rendered (requestVideoFrameCallback) by each <video> after a
 *    srcObject is set on it, with the label of its tile (`figure[aria-label]`) or `data-label`.
 * RTCPeerConnections are kept in `__benchCall.connections` (getStats, senders' parameters).
 */
import type { BrowserContext, Page } from 'playwright-core';

export interface CallEvent {
  readonly name: string;
  readonly detail: string;
  /** epoch ms */
  readonly at: number;
}

interface ProbeState {
  readonly events: CallEvent[];
  readonly connections: RTCPeerConnection[];
}

interface ProbeWindow {
  __benchCall?: ProbeState;
}

/** The init script; self-contained, serialized by Playwright. */
function callProbe(): void {
  const state: ProbeState = { events: [], connections: [] };
  (window as unknown as ProbeWindow).__benchCall = state;
  const epoch = (t: number): number => performance.timeOrigin + t;
  const log = (name: string, detail: string, at = epoch(performance.now())): void => void state.events.push({ name, detail, at });

  document.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target.closest('button') : null;
    log('click', (target?.textContent ?? '').trim(), epoch(event.timeStamp));
  }, true);

  const media = navigator.mediaDevices;
  if (media !== undefined) {
    const getUserMedia = media.getUserMedia.bind(media);
    media.getUserMedia = async (constraints?: MediaStreamConstraints) => {
      const stream = await getUserMedia(constraints);
      log('gum', stream.getTracks().map((track) => track.kind).join('+'));
      return stream;
    };
  }

  const Native = window.RTCPeerConnection;
  const setLocal = Native.prototype.setLocalDescription;
  const setRemote = Native.prototype.setRemoteDescription;
  Native.prototype.setLocalDescription = function (this: RTCPeerConnection, ...args: unknown[]) {
    const result = (setLocal as (...a: unknown[]) => Promise<void>).apply(this, args);
    void result.then(() => log(`local-${this.localDescription?.type ?? '?'}`, ''), () => undefined);
    return result;
  } as typeof setLocal;
  Native.prototype.setRemoteDescription = function (this: RTCPeerConnection, ...args: unknown[]) {
    const result = (setRemote as (...a: unknown[]) => Promise<void>).apply(this, args);
    void result.then(() => log(`remote-${this.remoteDescription?.type ?? '?'}`, ''), () => undefined);
    return result;
  } as typeof setRemote;
  window.RTCPeerConnection = class extends Native {
    constructor(config?: RTCConfiguration) {
      super(config);
      state.connections.push(this);
      this.addEventListener('track', (event) => {
        const { track } = event;
        log('track', track.kind);
        track.addEventListener('unmute', () => log('unmute', track.kind));
        track.addEventListener('mute', () => log('mute', track.kind));
      });
    }
  } as typeof RTCPeerConnection;

  const source = Object.getOwnPropertyDescriptor(HTMLMediaElement.prototype, 'srcObject');
  if (source?.set !== undefined && source.get !== undefined) {
    const { get, set } = source;
    Object.defineProperty(HTMLMediaElement.prototype, 'srcObject', {
      configurable: true,
      enumerable: source.enumerable ?? true,
      get(this: HTMLMediaElement) {
        return get.call(this);
      },
      set(this: HTMLMediaElement, value: MediaProvider | null) {
        set.call(this, value);
        if (!(this instanceof HTMLVideoElement) || value === null) return;
        const video = this;
        video.requestVideoFrameCallback((now, metadata) => {
          // Only the first frame after this srcObject: a later assignment registers its own.
          if (get.call(video) !== value) return;
          const label = video.closest('figure')?.getAttribute('aria-label') ?? video.dataset['label'] ?? '';
          log('frame', label, epoch(now));
          log('frame-size', `${label} ${metadata.width}x${metadata.height}`, epoch(now));
        });
      },
    });
  }
}

/** Installs the probe in every page the context opens from now on. */
export async function installCallProbe(context: BrowserContext): Promise<void> {
  await context.addInitScript(callProbe);
}

export async function events(page: Page): Promise<CallEvent[]> {
  return page.evaluate(() => (window as unknown as ProbeWindow).__benchCall?.events ?? []);
}

/**
 * Waits in the page (no evaluate per poll) for the first event `name` (with `detail`, if given) at or
 * after `after` (epoch ms); null if none within `timeoutMs`.
 */
export async function waitForEvent(page: Page, name: string, detail: string | null, after: number, timeoutMs: number): Promise<CallEvent | null> {
  return page.evaluate(({ name, detail, after, timeoutMs }) => new Promise<CallEvent | null>((resolve) => {
    const until = performance.now() + timeoutMs;
    const check = (): void => {
      const found = ((window as unknown as ProbeWindow).__benchCall?.events ?? []).find((event) => event.name === name && (detail === null || event.detail === detail) && event.at >= after);
      if (found !== undefined || performance.now() > until) resolve(found ?? null);
      else setTimeout(check, 10);
    };
    check();
  }), { name, detail, after, timeoutMs });
}

/** The first event `name` (with `detail`, if given) at or after `after` in `list`, as ms after `after`; NaN if none. */
export function firstAfter(list: readonly CallEvent[], name: string, detail: string | null, after: number): number {
  const found = list.find((event) => event.name === name && (detail === null || event.detail === detail) && event.at >= after);
  return found === undefined ? Number.NaN : found.at - after;
}

/** The last click whose button text is `text`, epoch ms; NaN if none. */
export function clickAt(list: readonly CallEvent[], text: string): number {
  return list.filter((event) => event.name === 'click' && event.detail === text).at(-1)?.at ?? Number.NaN;
}
