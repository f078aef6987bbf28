/**
 * Calls in Chromium (fake camera and microphone, CHROMIUM_FLAGS): joining through the preview,
 * and what a person would notice of the others, read from the page (video playing) and from the
 * receivers' getStats (frames decoded, audio level), through a hook installed before the app loads.
 */
import type { Locator, Page } from 'playwright-core';

export const callRegion = (page: Page): Locator => page.getByRole('region', { name: 'Call' });
export const callButton = (page: Page, name: string): Locator => callRegion(page).getByRole('button', { name, exact: true });

/** Keeps every RTCPeerConnection the page makes and counts the offers it sets (renegotiations). */
export async function watchConnections(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const connections: RTCPeerConnection[] = [];
    const state = { connections, offers: 0 };
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
