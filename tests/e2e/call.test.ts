import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { nickOf, peopleItems, useRoomHarness } from '../helpers/e2e.js';
import { callButton, callRegion, joinCall, offersSent, received, tile, videoPlaying, watchConnections } from '../helpers/call.js';

describe('calls in Chromium (fake camera and microphone)', () => {
  const harness = useRoomHarness();
  const open = async (url: string): Promise<Page> => harness.openPage(url, { beforeGoto: (page) => void watchConnections(page) });

  async function room(people: number): Promise<Page[]> {
    const first = await open(harness.node().url());
    await first.getByRole('button', { name: 'Create room' }).click();
    await expect.poll(() => first.url()).toMatch(/#k=/);
    const pages = [first];
    for (let i = 1; i < people; i++) pages.push(await open(first.url()));
    for (const page of pages) await expect.poll(() => peopleItems(page).count(), { timeout: 20_000 }).toBe(people);
    return pages;
  }

  it('three people see and hear each other, and Leave call stops every track', async () => {
    const pages = await room(3);
    const nicks = await Promise.all(pages.map(nickOf));
    // Nothing is asked of the camera or microphone before a click.
    expect(await callRegion(pages[0]!).count()).toBe(0);
    for (const page of pages) await joinCall(page);
    for (const page of pages) await expect.poll(() => page.getByRole('banner').getByText('3 in call').count().then(() => callRegion(page).getByRole('figure').count()), { timeout: 20_000 }).toBe(3);
    for (const [i, page] of pages.entries()) {
      for (const [j, nick] of nicks.entries()) {
        if (i === j) continue;
        await expect.poll(() => videoPlaying(page, nick), { timeout: 20_000 }).toBe(true);
      }
      await expect.poll(async () => (await received(page)).filter((r) => r.framesDecoded > 0 && r.audioLevel > 0).length, { timeout: 20_000 }).toBe(2);
    }
    const [alice] = pages as [Page, Page, Page];
    await callButton(alice, 'Leave call').click();
    const states = await alice.evaluate(() => (window as unknown as { __calls: { connections: RTCPeerConnection[] } }).__calls.connections.flatMap((c) => c.getSenders().map((s) => s.track?.readyState ?? 'none')));
    expect(states.every((state) => state !== 'live')).toBe(true);
    for (const page of pages.slice(1)) await expect.poll(() => callRegion(page).getByRole('figure').count(), { timeout: 15_000 }).toBe(2);
    expect(await offersSent(alice)).toBeGreaterThan(0);
  });
});
