import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { nickOf, useRoomHarness } from '../helpers/e2e.js';
import { SILENCE, callButton, callPages, callRegion, flowDuring, joinCall, localTrackStates, offersSent, roomWith, tile, videoPlaying } from '../helpers/call.js';


describe('call controls in Chromium', () => {
  const harness = useRoomHarness();
  const open = callPages(harness);

  async function pair(): Promise<[Page, Page, string, string]> {
    const [alice, bob] = (await roomWith(open, harness.node().url(), 2)) as [Page, Page];
    await joinCall(alice);
    await joinCall(bob);
    const [aliceNick, bobNick] = [await nickOf(alice), await nickOf(bob)];
    await expect.poll(() => videoPlaying(bob, aliceNick), { timeout: 20_000 }).toBe(true);
    await expect.poll(() => videoPlaying(alice, bobNick), { timeout: 20_000 }).toBe(true);
    return [alice, bob, aliceNick, bobNick];
  }

  it('Microphone mutes and unmutes what the others hear, without renegotiating', async () => {
    const [alice, bob, aliceNick] = await pair();
    await expect.poll(async () => (await flowDuring(bob, 1500)).audioEnergy, { timeout: 15_000 }).toBeGreaterThan(SILENCE * 1000);
    const offers = await offersSent(alice);
    await callButton(alice, 'Microphone').click();
    await callRegion(alice).getByRole('button', { name: 'Microphone', pressed: false }).waitFor();
    await expect.poll(async () => (await flowDuring(bob, 1500)).audioEnergy, { timeout: 15_000 }).toBeLessThan(SILENCE);
    await expect.poll(() => tile(bob, aliceNick).getByText('(microphone off)').count(), { timeout: 10_000 }).toBe(1);
    await callButton(alice, 'Microphone').click();
    await expect.poll(async () => (await flowDuring(bob, 1500)).audioEnergy, { timeout: 15_000 }).toBeGreaterThan(SILENCE * 1000);
    // Push to talk: silence until Space is held (outside any control), sound while it is.
    await callButton(alice, 'Devices').click();
    await callRegion(alice).getByRole('checkbox', { name: 'Push to talk (hold Space)' }).check();
    await expect.poll(async () => (await flowDuring(bob, 1500)).audioEnergy, { timeout: 15_000 }).toBeLessThan(SILENCE);
    await alice.locator('body').focus();
    await alice.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await alice.keyboard.down('Space');
    await callRegion(alice).getByText('Talking…').waitFor();
    await expect.poll(async () => (await flowDuring(bob, 1500)).audioEnergy, { timeout: 15_000 }).toBeGreaterThan(SILENCE * 1000);
    await alice.keyboard.up('Space');
    await expect.poll(async () => (await flowDuring(bob, 1500)).audioEnergy, { timeout: 15_000 }).toBeLessThan(SILENCE);
    expect(await offersSent(alice)).toBe(offers);
  }, 120_000);

  it('Camera off shows the tile without video and turns the camera light off; on again brings the video back', async () => {
    const [alice, bob, aliceNick] = await pair();
    await callButton(alice, 'Camera').click();
    await callRegion(alice).getByRole('button', { name: 'Camera', pressed: false }).waitFor();
    expect(await localTrackStates(alice)).toContain('video:ended');
    await expect.poll(() => tile(bob, aliceNick).locator('video').count(), { timeout: 10_000 }).toBe(0);
    expect(await tile(bob, aliceNick).count()).toBe(1);
    await callButton(alice, 'Camera').click();
    await expect.poll(() => videoPlaying(bob, aliceNick), { timeout: 15_000 }).toBe(true);
  }, 120_000);

  it('a screen share arrives as a track of its own, beside the camera', async () => {
    const [alice, bob, aliceNick] = await pair();
    await callButton(alice, 'Share screen').click();
    await callRegion(alice).getByRole('button', { name: 'Share screen', pressed: true }).waitFor();
    await expect.poll(() => videoPlaying(bob, `${aliceNick} (screen)`), { timeout: 15_000 }).toBe(true);
    expect(await videoPlaying(bob, aliceNick)).toBe(true);
    const screen = await tile(bob, `${aliceNick} (screen)`).locator('video').evaluate((element: HTMLVideoElement) => (element.srcObject as MediaStream).getVideoTracks()[0]?.id);
    const camera = await tile(bob, aliceNick).locator('video').evaluate((element: HTMLVideoElement) => (element.srcObject as MediaStream).getVideoTracks()[0]?.id);
    expect(screen).not.toBe(camera);
    await callButton(alice, 'Share screen').click();
    await expect.poll(() => tile(bob, `${aliceNick} (screen)`).count(), { timeout: 15_000 }).toBe(0);
  }, 120_000);

  it('switching the microphone and camera replaces the tracks without a renegotiation', async () => {
    const [alice, bob, aliceNick] = await pair();
    await callButton(alice, 'Devices').click();
    const micSelect = callRegion(alice).getByRole('combobox', { name: 'Microphone device' });
    const options = await micSelect.locator('option:not([disabled])').evaluateAll((elements) => elements.map((element) => (element as HTMLOptionElement).value));
    expect(options.length).toBeGreaterThan(1);
    const offers = await offersSent(alice);
    const before = await localTrackStates(alice);
    await micSelect.selectOption(options[1]!);
    await expect.poll(async () => (await localTrackStates(alice)).length, { timeout: 10_000 }).toBe(before.length + 1);
    const cameraSelect = callRegion(alice).getByRole('combobox', { name: 'Camera device' });
    const cameras = await cameraSelect.locator('option:not([disabled])').evaluateAll((elements) => elements.map((element) => (element as HTMLOptionElement).value));
    await cameraSelect.selectOption(cameras[cameras.length - 1]!);
    await expect.poll(async () => (await localTrackStates(alice)).length, { timeout: 10_000 }).toBe(before.length + 2);
    // The old tracks are stopped, the new ones carry on to Bob, and no offer was made.
    expect((await localTrackStates(alice)).filter((state) => state.endsWith(':live'))).toEqual(['audio:live', 'video:live']);
    await expect.poll(async () => (await flowDuring(bob, 1500)).audioEnergy, { timeout: 15_000 }).toBeGreaterThan(SILENCE * 1000);
    expect(await videoPlaying(bob, aliceNick)).toBe(true);
    expect(await offersSent(alice)).toBe(offers);
  }, 120_000);
});
