import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { requireClientBuild } from '../helpers/browser.js';
import { callButton, callRegion, joinCall, received, tile, videoPlaying, watchConnections } from '../helpers/call.js';
import { nickOf, peopleItems } from '../helpers/e2e.js';
import { startLabCoturn, type LabCoturn } from '../helpers/nat-lab-coturn.js';
import { useNatLab } from '../helpers/nat-lab-hooks.js';
import { startLabNode, type LabNode } from '../helpers/nat-lab-node.js';
import type { NatMode } from '../helpers/nat-lab.js';

/** The flags tests/helpers/nat-lab.ts leaves out of the lab's Chromiums: a fake camera and microphone, granted without a prompt. */
const MEDIA_FLAGS = ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'];

/** One live connection that receives video, as its own getStats() sees it. */
interface MediaPath {
  /** Which of the page's RTCPeerConnections (in the order they were made): the same index is the same connection. */
  index: number;
  framesDecoded: number;
  local: { type: string; address: string } | null;
  remote: { type: string; address: string } | null;
}

/** Every live connection of the page that has decoded video: frames so far and its selected candidate pair. */
async function mediaPaths(page: Page): Promise<MediaPath[]> {
  return page.evaluate(async () => {
    const { connections } = (window as unknown as { __calls: { connections: RTCPeerConnection[] } }).__calls;
    const paths = [];
    for (const [index, connection] of connections.entries()) {
      if (connection.connectionState === 'closed') continue;
      const report = await connection.getStats();
      let framesDecoded = 0;
      let pairId: string | undefined;
      report.forEach((stat: Record<string, unknown>) => {
        if (stat['type'] === 'inbound-rtp' && stat['kind'] === 'video') framesDecoded += Number(stat['framesDecoded'] ?? 0);
        if (stat['type'] === 'transport' && typeof stat['selectedCandidatePairId'] === 'string') pairId = stat['selectedCandidatePairId'];
      });
      if (framesDecoded === 0) continue;
      const pair = pairId === undefined ? undefined : report.get(pairId);
      const candidate = (id: unknown): { type: string; address: string } | null => {
        const stat = typeof id === 'string' ? report.get(id) : undefined;
        return stat === undefined ? null : { type: String(stat.candidateType), address: String(stat.address ?? stat.ip) };
      };
      paths.push({ index, framesDecoded, local: candidate(pair?.localCandidateId), remote: candidate(pair?.remoteCandidateId) });
    }
    return paths;
  });
}

/** The frames decoded so far on the page's connection number `index` (0 if it is gone or receives no video). */
const framesOn = async (page: Page, index: number): Promise<number> => (await mediaPaths(page)).find((path) => path.index === index)?.framesDecoded ?? 0;

/** Whether video frames keep coming on that connection: its decoded count goes up over `ms`. */
async function framesRising(page: Page, index: number, ms = 1500): Promise<boolean> {
  const before = await framesOn(page, index);
  await page.waitForTimeout(ms);
  return before > 0 && (await framesOn(page, index)) > before;
}

/** The one connection of the page that receives video (fails the test if there are several or none). */
async function mediaPath(page: Page): Promise<MediaPath> {
  const paths = await mediaPaths(page);
  expect(paths).toHaveLength(1);
  return paths[0]!;
}

/**
 * Calls across real NATs (tests/helpers/nat-lab.ts): the node in the lab's "internet", Ana's
 * Chromium in LAN A and Ben's in LAN B, each behind its own router, with a fake camera and
 * microphone; the call runs over the room's own connection between the two.
 */
describe('calls across real NATs', () => {
  const lab = useNatLab();
  let browserA: Browser;
  let browserB: Browser;
  let node: LabNode | undefined;
  let coturn: LabCoturn | undefined;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    [browserA, browserB] = await Promise.all([lab().launchChromium('lan-a', MEDIA_FLAGS), lab().launchChromium('lan-b', MEDIA_FLAGS)]);
  });
  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
  });

  /** Both routers in `mode`; a node handing out its own STUN, and coturn's relay when asked. */
  async function network(mode: NatMode, relay: boolean): Promise<string> {
    lab().setNatMode('nat-a', mode);
    lab().setNatMode('nat-b', mode);
    await node?.stop();
    if (relay && coturn === undefined) coturn = await startLabCoturn(lab());
    node = await startLabNode(lab(), { STATIC_DIR: requireClientBuild(), ...(relay && coturn !== undefined ? { TURN_URLS: coturn.turnUrl, TURN_SECRET: coturn.secret } : {}) });
    return node.url;
  }

  async function person(browser: Browser, url: string): Promise<Page> {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    await watchConnections(page);
    await page.goto(url);
    return page;
  }

  /** Ana (LAN A) creates a room, Ben (LAN B) opens her invite; both join a call with microphone and camera. */
  async function call(url: string): Promise<{ ana: Page; ben: Page; anaNick: string; benNick: string }> {
    const ana = await person(browserA, url);
    await ana.getByRole('button', { name: 'Create room' }).click();
    await expect.poll(() => ana.url()).toMatch(/#k=/);
    const ben = await person(browserB, ana.url());
    for (const page of [ana, ben]) await expect.poll(() => peopleItems(page).count(), { timeout: 45_000 }).toBe(2);
    const [anaNick, benNick] = await Promise.all([nickOf(ana), nickOf(ben)]);
    await joinCall(ana, { mic: true, cam: true });
    await joinCall(ben, { mic: true, cam: true });
    return { ana, ben, anaNick, benNick };
  }

  /** Each sees the other's video play, and each receives video frames and sound over one connection. */
  async function seeAndHear(ana: Page, ben: Page, anaNick: string, benNick: string): Promise<void> {
    await expect.poll(() => videoPlaying(ana, benNick), { timeout: 30_000 }).toBe(true);
    await expect.poll(() => videoPlaying(ben, anaNick), { timeout: 30_000 }).toBe(true);
    for (const page of [ana, ben]) {
      await expect.poll(async () => (await received(page)).filter((r) => r.framesDecoded > 0 && r.audioLevel > 0).length, { timeout: 30_000 }).toBe(1);
    }
  }

  const pathShown = async (page: Page): Promise<string | null> => (await peopleItems(page).locator('.path').allTextContents())[0] ?? null;

  it('a call between browsers behind symmetric NATs goes over TURN', async () => {
    const url = await network('symmetric', true);
    const before = coturn?.allocations() ?? 0;
    const { ana, ben, anaNick, benNick } = await call(url);
    await seeAndHear(ana, ben, anaNick, benNick);
    // The media's own connection runs through coturn: its selected pair has a relay candidate.
    for (const page of [ana, ben]) {
      const path = await mediaPath(page);
      expect([path.local?.type, path.remote?.type]).toContain('relay');
      await expect.poll(() => pathShown(page), { timeout: 15_000 }).toBe('relayed');
      expect(await framesRising(page, path.index)).toBe(true);
    }
    expect(coturn?.allocations() ?? 0).toBeGreaterThan(before);
  }, 180_000);

  it('an ICE restart keeps the call: video flows on over the new path after a NAT changes its public address', async () => {
    const { ana, ben, anaNick, benNick } = await call(await network('cone', false));
    await seeAndHear(ana, ben, anaNick, benNick);
    // Each receives the other's media on one connection; Ben from Ana's router's public address (a
    // direct pair: srflx or prflx).
    const [anaPath, benPath] = [await mediaPath(ana), await mediaPath(ben)];
    expect(benPath.remote?.address).toBe(lab().publicAddress('nat-a'));
    expect(benPath.remote?.type).not.toBe('relay');

    // Wi-Fi → mobile: LAN A's router moves to a new public address and forgets every mapping. The old
    // path is gone; an ICE restart (new candidates, gathered from the new address) finds another.
    const newAddress = lab().changePublicAddress('nat-a');
    const framesAtChange = await framesOn(ben, benPath.index);

    // The same connection on each side now carries Ana's media from her new address: the call
    // moved, it was not set up again on a new connection.
    const moved = async (): Promise<Array<{ index: number; from: string | undefined }>> => (await mediaPaths(ben)).map((path) => ({ index: path.index, from: path.remote?.address }));
    await expect.poll(moved, { timeout: 60_000 }).toEqual([{ index: benPath.index, from: newAddress }]);
    expect((await mediaPaths(ana)).map((path) => path.index)).toEqual([anaPath.index]);
    // Video keeps coming both ways after the change, and plays; sound too.
    await expect.poll(() => framesRising(ben, benPath.index), { timeout: 30_000 }).toBe(true);
    await expect.poll(() => framesRising(ana, anaPath.index), { timeout: 30_000 }).toBe(true);
    expect(await framesOn(ben, benPath.index)).toBeGreaterThan(framesAtChange);
    await expect.poll(() => videoPlaying(ben, anaNick), { timeout: 30_000 }).toBe(true);
    await expect.poll(() => videoPlaying(ana, benNick), { timeout: 30_000 }).toBe(true);
    for (const page of [ana, ben]) {
      await expect.poll(async () => (await received(page)).filter((r) => r.framesDecoded > 0 && r.audioLevel > 0).length, { timeout: 30_000 }).toBe(1);
    }

    // Nobody left or rejoined: both still in the call, each with the other's tile.
    for (const page of [ana, ben]) {
      expect(await callRegion(page).getByRole('figure').count()).toBe(2);
      expect(await callButton(page, 'Leave call').isVisible()).toBe(true);
    }
    expect(await tile(ana, benNick).count()).toBe(1);
    expect(await tile(ben, anaNick).count()).toBe(1);
  }, 240_000);
});
