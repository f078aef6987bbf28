/**
 * Parley's side of the "Calls" bench, driven through the UI as people use it (tests/helpers/call.ts),
 * timed by the in-page probe (call-probe.ts):
 *  - join: A and B in a fresh room (connected), B in the call with camera and microphone on; A opens
 *    the preview and turns both on there (device start-up is outside the clock, as a permission prompt
 *    would be); clock from A's click on the preview's "Join call" to the first frame of B's camera
 *    rendered in B's tile on A's page. A then leaves and joins again the same way (the rejoin: the
 *    connection already has its transceivers).
 *  - toggle: A (camera and microphone) and B (microphone only) in a call; clock from B's click on
 *    "Camera" to the first frame of B's camera rendered on A's page; the camera is turned off again
 *    and its tile back to the avatar on A's page before the next toggle.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { callButton, callRegion, joinCall, tile } from '../helpers/call.js';
import { nickOf, peopleItems } from '../helpers/e2e.js';
import { until } from '../helpers/node.js';
import { newBenchContext } from './rooms-probe.js';
import { clickAt, events, firstAfter, installCallProbe, waitForEvent, type CallEvent } from './call-probe.js';

export interface Room {
  readonly pages: Page[];
  readonly nicks: string[];
  close(): Promise<void>;
}

export interface AppRun {
  /** Click → first remote frame rendered, ms. */
  readonly ms: number;
  /** Steps after the click, ms (NaN: not seen). */
  readonly marks: Readonly<Record<string, number>>;
}

const FRAME_WAIT_MS = 30_000;
/** Between turning the devices on in the preview and the click, and between toggles: the page at rest. */
const SETTLE_MS = 1000;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A fresh room of `people`, each in a fresh context (another person's browser) with the probe; everyone sees everyone. */
export async function openRoom(browser: Browser, baseUrl: string, people: number): Promise<Room> {
  const contexts: BrowserContext[] = [];
  const close = async (): Promise<void> => {
    for (const context of contexts) await context.close().catch(() => undefined);
  };
  try {
    const open = async (url: string): Promise<Page> => {
      const context = await newBenchContext(browser);
      await installCallProbe(context);
      contexts.push(context);
      const page = await context.newPage();
      await page.goto(url);
      return page;
    };
    const first = await open(baseUrl);
    await first.getByRole('button', { name: 'Create room' }).click();
    await first.waitForURL(/#k=/);
    const pages = [first];
    for (let i = 1; i < people; i++) pages.push(await open(first.url()));
    for (const page of pages) await until(async () => (await peopleItems(page).count()) === people, 30_000, `${people} people in the room`);
    const nicks = await Promise.all(pages.map(nickOf));
    if (new Set(nicks).size !== people || nicks.includes('')) throw new Error(`nicknames not distinct: ${nicks.join(', ')}`);
    return { pages, nicks, close };
  } catch (error: unknown) {
    await close();
    throw error;
  }
}

/** Opens the preview from the header, turns on the microphone and camera, and waits for the own preview's first frame. */
async function previewWithDevices(page: Page, nick: string): Promise<void> {
  const opened = await page.evaluate(() => performance.timeOrigin + performance.now());
  await page.getByRole('banner').getByRole('button', { name: /^(Start|Join) call$/ }).click();
  await callButton(page, 'Microphone').click();
  await callButton(page, 'Camera').click();
  await callRegion(page).getByRole('button', { name: 'Microphone', pressed: true }).waitFor();
  await callRegion(page).getByRole('button', { name: 'Camera', pressed: true }).waitFor();
  if ((await waitForEvent(page, 'frame', nick, opened, FRAME_WAIT_MS)) === null) throw new Error('own preview shows no frame');
  await sleep(SETTLE_MS);
}

/** A's steps after `start` (its events), as ms. */
function steps(list: readonly CallEvent[], start: number, remoteNick: string): Record<string, number> {
  return {
    'local-offer': firstAfter(list, 'local-offer', null, start),
    'remote-offer': firstAfter(list, 'remote-offer', null, start),
    'local-answer': firstAfter(list, 'local-answer', null, start),
    'remote-answer': firstAfter(list, 'remote-answer', null, start),
    'track video': firstAfter(list, 'track', 'video', start),
    'unmute video': firstAfter(list, 'unmute', 'video', start),
    frame: firstAfter(list, 'frame', remoteNick, start),
  };
}

/** Clicks the preview's "Join call" on `a` and times it to the first frame of `nickB`'s camera on `a`. */
async function timedJoin(a: Page, nickB: string): Promise<AppRun> {
  await callRegion(a).getByRole('button', { name: 'Join call', exact: true }).click();
  const click = clickAt(await events(a), 'Join call');
  const frame = await waitForEvent(a, 'frame', nickB, click, FRAME_WAIT_MS);
  if (frame === null) throw new Error(`no frame of ${nickB}'s camera within ${FRAME_WAIT_MS / 1000} s of joining`);
  return { ms: frame.at - click, marks: steps(await events(a), click, nickB) };
}

/** One join run (a fresh room) and the rejoin in it. */
export async function measureAppJoin(browser: Browser, baseUrl: string): Promise<{ join: AppRun; rejoin: AppRun }> {
  const room = await openRoom(browser, baseUrl, 2);
  try {
    const [a, b] = room.pages as [Page, Page];
    const [nickA, nickB] = room.nicks as [string, string];
    await joinCall(b, { mic: true, cam: true });
    await a.getByRole('banner').getByRole('button', { name: 'Join call' }).waitFor({ timeout: 20_000 });
    await previewWithDevices(a, nickA);
    const join = await timedJoin(a, nickB);
    await callButton(a, 'Leave call').click();
    await until(async () => (await callRegion(b).getByRole('figure').count()) === 1, 20_000, 'B to see A leave');
    await a.getByRole('banner').getByRole('button', { name: 'Join call' }).waitFor({ timeout: 20_000 });
    await sleep(SETTLE_MS);
    await previewWithDevices(a, nickA);
    const rejoin = await timedJoin(a, nickB);
    return { join, rejoin };
  } finally {
    await room.close();
  }
}

export interface ToggleRun extends AppRun {
  /** B's steps after its click, ms: camera started (getUserMedia), offer set. */
  readonly sender: Readonly<Record<string, number>>;
}

/** `toggles` camera toggles of B seen by A (plus one unmeasured warm-up), in one fresh room. */
export async function measureToggles(browser: Browser, baseUrl: string, toggles: number, log: (line: string) => void): Promise<ToggleRun[]> {
  const room = await openRoom(browser, baseUrl, 2);
  try {
    const [a, b] = room.pages as [Page, Page];
    const nickB = room.nicks[1] as string;
    await joinCall(a, { mic: true, cam: true });
    await joinCall(b, { mic: true, cam: false });
    for (const page of [a, b]) await until(async () => (await callRegion(page).getByRole('figure').count()) === 2, 20_000, 'both tiles');
    await sleep(2 * SETTLE_MS);
    const runs: ToggleRun[] = [];
    for (let i = 0; i <= toggles; i++) {
      await callButton(b, 'Camera').click();
      const bEvents = await events(b);
      const click = clickAt(bEvents, 'Camera');
      const frame = await waitForEvent(a, 'frame', nickB, click, FRAME_WAIT_MS);
      if (frame === null) throw new Error(`toggle ${i}: no frame of ${nickB}'s camera within ${FRAME_WAIT_MS / 1000} s`);
      const run: ToggleRun = {
        ms: frame.at - click,
        marks: steps(await events(a), click, nickB),
        sender: { camera: firstAfter(await events(b), 'gum', 'video', click), 'local-offer': firstAfter(await events(b), 'local-offer', null, click) },
      };
      log(`  camera toggle ${i === 0 ? 'warm-up' : i}: ${run.ms.toFixed(0)} ms (B camera ${run.sender['camera']?.toFixed(0)} ms, B offer ${run.sender['local-offer']?.toFixed(0)} ms, A unmute ${run.marks['unmute video']?.toFixed(0)} ms)`);
      if (i > 0) runs.push(run);
      await callButton(b, 'Camera').click();
      await until(async () => (await tile(a, nickB).locator('video').count()) === 0, 20_000, "B's tile back to the avatar on A's page");
      await sleep(SETTLE_MS);
    }
    return runs;
  } finally {
    await room.close();
  }
}
