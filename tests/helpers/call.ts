/**
 * Calls in Chromium (fake camera and microphone, CHROMIUM_FLAGS): joining through the preview,
 * and what a person would notice of the others, read from the page (video playing) and from the
 * receivers' getStats (frames decoded, audio level), through a hook installed before the app loads.
 */
import type { Locator, Page } from 'playwright-core';
import type { RoomHarness } from './e2e.js';

export const callRegion = (page: Page): Locator => page.getByRole('region', { name: 'Call' });
export const callButton = (page: Page, name: string): Locator => callRegion(page).getByRole('button', { name, exact: true });

/** Keeps every RTCPeerConnection the page makes and counts the offers it sets (renegotiations). */
export async function watchConnections(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const connections: RTCPeerConnection[] = [];
    // Rollbacks: a local offer dropped for the other side's (the polite side of crossing offers).
    const state = { connections, offers: 0, rollbacks: 0 };
    (window as unknown as { __calls: typeof state }).__calls = state;
    const Original = window.RTCPeerConnection;
    const setLocal = Original.prototype.setLocalDescription;
    Original.prototype.setLocalDescription = function (this: RTCPeerConnection, ...args: unknown[]) {
      const result = (setLocal as (...a: unknown[]) => Promise<void>).apply(this, args);
      void result.then(() => {
        if (this.localDescription?.type === 'offer') state.offers += 1;
      }, () => undefined);
      return result;
    } as typeof setLocal;
    const setRemote = Original.prototype.setRemoteDescription;
    Original.prototype.setRemoteDescription = function (this: RTCPeerConnection, ...args: unknown[]) {
      // An offer taken while our own is out: the implicit rollback of the polite side.
      if ((args[0] as RTCSessionDescriptionInit | undefined)?.type === 'offer' && this.signalingState === 'have-local-offer') state.rollbacks += 1;
      return (setRemote as (...a: unknown[]) => Promise<void>).apply(this, args);
    } as typeof setRemote;
    window.RTCPeerConnection = class extends Original {
      constructor(config?: RTCConfiguration) {
        super(config);
        connections.push(this);

      }
    } as typeof RTCPeerConnection;
  });
}

/** Start call / Join call from the header, turn on what is asked in the preview, and join. */
export async function joinCall(page: Page, options: { mic?: boolean; cam?: boolean } = {}): Promise<void> {
  const header = page.getByRole('banner');
  await header.getByRole('button', { name: /^(Start|Join) call$/ }).click();
  if (options.mic ?? true) await callButton(page, 'Microphone').click();
  if (options.cam ?? true) await callButton(page, 'Camera').click();
  if (options.mic ?? true) await callRegion(page).getByRole('button', { name: 'Microphone', pressed: true }).waitFor();
  if (options.cam ?? true) await callRegion(page).getByRole('button', { name: 'Camera', pressed: true }).waitFor();
  await callRegion(page).getByRole('button', { name: /^(Start|Join) call$/ }).click();
  await callButton(page, 'Leave call').waitFor();
}

/** The tile labelled with `nick` in the call. */
export const tile = (page: Page, nick: string): Locator => callRegion(page).getByRole('figure', { name: nick, exact: true });

/** Whether the video in `nick`'s tile plays: frames with a size, and time moving on. */
export async function videoPlaying(page: Page, nick: string): Promise<boolean> {
  const video = tile(page, nick).locator('video');
  if ((await video.count()) === 0) return false;
  const first = await video.evaluate((element: HTMLVideoElement) => ({ width: element.videoWidth, time: element.currentTime }));
  await page.waitForTimeout(300);
  const second = await video.evaluate((element: HTMLVideoElement) => element.currentTime);
  return first.width > 0 && second > first.time;
}

/** What the page receives over all its connections: video frames decoded and the loudest incoming audio level, per connection. */
export async function received(page: Page): Promise<Array<{ framesDecoded: number; audioLevel: number; videoTracks: number }>> {
  return page.evaluate(async () => {
    const { connections } = (window as unknown as { __calls: { connections: RTCPeerConnection[] } }).__calls;
    const results = [];
    for (const connection of connections) {
      if (connection.connectionState === 'closed') continue;
      let framesDecoded = 0;
      let audioLevel = 0;
      let videoTracks = 0;
      for (const stat of (await connection.getStats()).values()) {
        if (stat.type !== 'inbound-rtp') continue;
        if (stat.kind === 'video') {
          framesDecoded += stat.framesDecoded ?? 0;
          if ((stat.framesDecoded ?? 0) > 0) videoTracks += 1;
        }
        if (stat.kind === 'audio') audioLevel = Math.max(audioLevel, stat.audioLevel ?? 0);
      }
      results.push({ framesDecoded, audioLevel, videoTracks });
    }
    return results;
  });
}

/** Offers this page has set since it loaded (each renegotiation is one). */
export const offersSent = (page: Page): Promise<number> => page.evaluate(() => (window as unknown as { __calls: { offers: number } }).__calls.offers);

/**
 * Audio energy (getStats totalAudioEnergy) below which what arrived over 1.5 s is silence: a muted
 * track sends silent frames that still add ~1e-9; the fake microphone's beeps add ~1e-3 and more.
 */
export const SILENCE = 1e-6;

/** Per connection: audio energy and video frames received so far (rising while media flows). */
export async function flow(page: Page): Promise<Array<{ audioEnergy: number; framesDecoded: number }>> {
  return page.evaluate(async () => {
    const { connections } = (window as unknown as { __calls: { connections: RTCPeerConnection[] } }).__calls;
    const results = [];
    for (const connection of connections) {
      if (connection.connectionState !== 'connected') continue;
      let audioEnergy = 0;
      let framesDecoded = 0;
      for (const stat of (await connection.getStats()).values()) {
        if (stat.type !== 'inbound-rtp') continue;
        if (stat.kind === 'audio') audioEnergy += stat.totalAudioEnergy ?? 0;
        if (stat.kind === 'video') framesDecoded += stat.framesDecoded ?? 0;
      }
      results.push({ audioEnergy, framesDecoded });
    }
    return results;
  });
}

/** How much audio energy and how many frames arrived over all connections during `ms`. */
export async function flowDuring(page: Page, ms: number): Promise<{ audioEnergy: number; framesDecoded: number }> {
  const sum = (rows: Array<{ audioEnergy: number; framesDecoded: number }>) => rows.reduce((total, row) => ({ audioEnergy: total.audioEnergy + row.audioEnergy, framesDecoded: total.framesDecoded + row.framesDecoded }), { audioEnergy: 0, framesDecoded: 0 });
  const before = sum(await flow(page));
  await page.waitForTimeout(ms);
  const after = sum(await flow(page));
  return { audioEnergy: after.audioEnergy - before.audioEnergy, framesDecoded: after.framesDecoded - before.framesDecoded };
}

/** Local tracks the page opened (getUserMedia / getDisplayMedia) and their state now. */
export function watchLocalTracks(page: Page): Promise<void> {
  return page.addInitScript(() => {
    const opened: MediaStreamTrack[] = [];
    (window as unknown as { __localTracks: MediaStreamTrack[] }).__localTracks = opened;
    for (const name of ['getUserMedia', 'getDisplayMedia'] as const) {
      const original = navigator.mediaDevices[name].bind(navigator.mediaDevices) as (constraints?: MediaStreamConstraints) => Promise<MediaStream>;
      navigator.mediaDevices[name] = (async (constraints?: MediaStreamConstraints) => {
        const stream = await original(constraints);
        opened.push(...stream.getTracks());
        return stream;
      }) as never;
    }
  }).then(() => undefined);
}

export const localTrackStates = (page: Page): Promise<string[]> => page.evaluate(() => (window as unknown as { __localTracks: MediaStreamTrack[] }).__localTracks.map((track) => `${track.kind}:${track.readyState}`));

/** Local offers this page rolled back because the other side's crossed them (perfect negotiation's polite side). */
export const rollbacks = (page: Page): Promise<number> => page.evaluate(() => (window as unknown as { __calls: { rollbacks: number } }).__calls.rollbacks);

/** Opens pages that record their connections and local tracks from their first script on. */
export function callPages(harness: RoomHarness): (url: string) => Promise<Page> {
  return (url) =>
    harness.openPage(url, {
      beforeGoto: async (page) => {
        await watchConnections(page);
        await watchLocalTracks(page);
      },
    });
}

/** A new room with `people` pages in it (the first created it, and is its admin), each listing them all. */
export async function roomWith(open: (url: string) => Promise<Page>, nodeUrl: string, people: number): Promise<Page[]> {
  const first = await open(nodeUrl);
  await first.getByRole('button', { name: 'Create room' }).click();
  await first.waitForURL(/#k=/);
  const pages = [first];
  for (let i = 1; i < people; i++) pages.push(await open(first.url()));
  for (const page of pages) await page.getByRole('list', { name: 'People' }).getByRole('listitem').nth(people - 1).waitFor({ timeout: 20_000 });
  return pages;
}
