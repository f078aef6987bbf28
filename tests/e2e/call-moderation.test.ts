import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { nickOf, useRoomHarness } from '../helpers/e2e.js';
import { callButton, callPages, callRegion, joinCall, localTrackStates, received, roomWith, tile, videoPlaying } from '../helpers/call.js';

/** Blocked and banned people are never in your call; a kick ends the kicked person's call. */
describe('calls and moderation in Chromium', () => {
  const harness = useRoomHarness();
  const open = callPages(harness);

  /** The admin (who created the room) and two members, all in a call with cameras on. */
  async function callOfThree(): Promise<{ admin: Page; bob: Page; carol: Page; nicks: Map<Page, string> }> {
    const [admin, bob, carol] = (await roomWith(open, harness.node().url(), 3)) as [Page, Page, Page];
    for (const page of [admin, bob, carol]) await joinCall(page);
    const nicks = new Map<Page, string>();
    for (const page of [admin, bob, carol]) nicks.set(page, await nickOf(page));
    for (const viewer of [admin, bob, carol]) for (const other of [admin, bob, carol]) if (viewer !== other) await expect.poll(() => videoPlaying(viewer, nicks.get(other)!), { timeout: 30_000 }).toBe(true);
    return { admin, bob, carol, nicks };
  }

  it('a blocked person gets no media and sends none; a banned one leaves the call and cannot rejoin it', async () => {
    const { admin, bob, carol, nicks } = await callOfThree();
    const carolNick = nicks.get(carol)!;
    const bobNick = nicks.get(bob)!;
    await bob.getByRole('button', { name: `Block ${carolNick}` }).click();
    // Bob no longer sees Carol in his call, and nothing flows between them either way.
    await expect.poll(() => tile(bob, carolNick).count(), { timeout: 15_000 }).toBe(0);
    await expect.poll(async () => (await received(bob)).filter((r) => r.framesDecoded > 0).length, { timeout: 15_000 }).toBe(1);
    await expect.poll(async () => (await received(carol)).filter((r) => r.framesDecoded > 0).length, { timeout: 15_000 }).toBe(1);
    expect(await videoPlaying(carol, bobNick)).toBe(false);
    // The others carry on.
    expect(await videoPlaying(bob, nicks.get(admin)!)).toBe(true);
    expect(await videoPlaying(carol, nicks.get(admin)!)).toBe(true);

    admin.once('dialog', (dialog) => void dialog.accept('no more calls'));
    await admin.getByRole('button', { name: `Ban ${carolNick}` }).click();
    await expect.poll(() => carol.getByRole('alert').filter({ hasText: 'banned you' }).count(), { timeout: 15_000 }).toBe(1);
    // Her call ended: camera and microphone off, no call area, and no way to start or join one.
    await expect.poll(() => callRegion(carol).count(), { timeout: 10_000 }).toBe(0);
    expect((await localTrackStates(carol)).every((state) => state.endsWith(':ended'))).toBe(true);
    expect(await carol.getByRole('button', { name: /^(Start|Join) call$/ }).count()).toBe(0);
    await expect.poll(() => tile(admin, carolNick).count(), { timeout: 15_000 }).toBe(0);
    // The admin and Bob moved to the new room key and still see each other.
    await expect.poll(() => videoPlaying(admin, bobNick), { timeout: 30_000 }).toBe(true);
    await expect.poll(() => videoPlaying(bob, nicks.get(admin)!), { timeout: 30_000 }).toBe(true);
  }, 240_000);

  it('a kick ends the kicked person\'s call', async () => {
    const { admin, bob, nicks } = await callOfThree();
    const bobNick = nicks.get(bob)!;
    admin.once('dialog', (dialog) => void dialog.accept(''));
    await admin.getByRole('button', { name: `Kick ${bobNick}` }).click();
    await expect.poll(() => bob.getByRole('alert').filter({ hasText: 'removed you' }).count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => callRegion(bob).count(), { timeout: 10_000 }).toBe(0);
    expect((await localTrackStates(bob)).every((state) => state.endsWith(':ended'))).toBe(true);
    await expect.poll(() => tile(admin, bobNick).count(), { timeout: 15_000 }).toBe(0);
    expect(await callButton(admin, 'Leave call').count()).toBe(1);
  }, 240_000);
});
