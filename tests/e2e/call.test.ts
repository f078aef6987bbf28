import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { nickOf, useRoomHarness } from '../helpers/e2e.js';
import { callButton, callPages, callRegion, flowDuring, joinCall, localTrackStates, offersSent, received, roomWith, tile, videoPlaying } from '../helpers/call.js';

describe('calls in Chromium (fake camera and microphone)', () => {
  const harness = useRoomHarness();
  const open = callPages(harness);
  const room = (people: number): Promise<Page[]> => roomWith(open, harness.node().url(), people);

  it('three people see and hear each other, and Leave call stops every track', async () => {
    const pages = await room(3);
    const nicks = await Promise.all(pages.map(nickOf));
    // Nothing is asked of the camera or microphone before a click, and the preview asks only for what is clicked.
    expect(await callRegion(pages[0]!).count()).toBe(0);
    await pages[0]!.getByRole('banner').getByRole('button', { name: 'Start call' }).click();
    await callRegion(pages[0]!).waitFor();
    expect(await localTrackStates(pages[0]!)).toEqual([]);
    await callRegion(pages[0]!).getByRole('button', { name: 'Cancel' }).click();
    for (const page of pages) await joinCall(page);
    await expect.poll(() => pages[0]!.getByRole('banner').getByText('3 in call').count(), { timeout: 10_000 }).toBe(1);
    for (const [i, page] of pages.entries()) {
      await expect.poll(() => callRegion(page).getByRole('figure').count(), { timeout: 20_000 }).toBe(3);
      // Own tile says so in its name, so it is never confused with someone of the same nickname.
      expect(await tile(page, `${nicks[i]} (you)`).count()).toBe(1);
      for (const [j, nick] of nicks.entries()) if (i !== j) await expect.poll(() => videoPlaying(page, nick), { timeout: 20_000 }).toBe(true);
      await expect.poll(async () => (await received(page)).filter((r) => r.framesDecoded > 0 && r.audioLevel > 0).length, { timeout: 20_000 }).toBe(2);
    }
    const [alice, bob, carol] = pages as [Page, Page, Page];
    // Someone not in the call sees how many are and can join.
    await callButton(carol, 'Leave call').click();
    await expect.poll(() => carol.getByRole('banner').getByText('2 in call').count(), { timeout: 15_000 }).toBe(1);
    await carol.getByRole('banner').getByRole('button', { name: 'Join call' }).waitFor();

    expect(await localTrackStates(alice)).toEqual(['audio:live', 'video:live']);
    await callButton(alice, 'Leave call').click();
    expect(await localTrackStates(alice)).toEqual(['audio:ended', 'video:ended']);
    await expect.poll(() => callRegion(bob).getByRole('figure').count(), { timeout: 15_000 }).toBe(1);
    // Nothing arrives from the people who left.
    await expect.poll(async () => (await flowDuring(bob, 1500)).framesDecoded, { timeout: 15_000 }).toBe(0);
    expect(await offersSent(alice)).toBeGreaterThan(0);
  }, 120_000);
});
