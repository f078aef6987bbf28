/**
 * Parley driven through its UI in the NAT lab, for the "Across real NATs" bench (nat.ts): Ana in a
 * Chromium in lan-a creates a room, Ben in a Chromium in lan-b opens her invite; the node serves
 * the client from inet. The join is timed as rooms-join.ts times it on loopback (same probe,
 * rooms-probe.ts, same clock starts); the recovery from the moment a NAT changes under a
 * conversation to the first message written after it being visible at the other person.
 */
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { SETTLE_MS, sendWhenJoined } from './rooms-join.js';
import { installProbe, navigationTiming, newBenchContext, readProbe, waitForMarks, type ProbeState } from './rooms-probe.js';

export interface LabBrowsers {
  /** Chromium in lan-a (Ana, the room's creator). */
  readonly a: Browser;
  /** Chromium in lan-b (Ben, who joins). */
  readonly b: Browser;
}

/** What each page's People list says of the other person's path (`direct`, `relayed`; null: nothing shown). */
export interface PathsShown {
  readonly a: string | null;
  readonly b: string | null;
}

export interface AppJoinRun {
  /** Ben's clock start (goto, or hash change with the app open) → "before" visible in Ben's Messages log, ms. */
  readonly before: number;
  /** … → "after" (sent by Ana the moment Ben shows in her People list) visible in Ben's log, ms. */
  readonly after: number;
  /** … → Ben in Ana's People list, ms. */
  readonly seenByA: number;
  /** Ben's marks (and Ana's, prefixed "A ") relative to the clock start, ms. */
  readonly phases: Record<string, number>;
  readonly paths: PathsShown;
}

export interface AppRecoveryRun {
  /** Change done → Ana's message (written right after it) visible in Ben's log, ms; NaN: not within the wait. */
  readonly aToB: number;
  /** Change done → Ben's message visible in Ana's log, ms; NaN: not within the wait. */
  readonly bToA: number;
  /** Change done → each message sent from its writer's page, ms. */
  readonly writtenA: number;
  readonly writtenB: number;
  readonly pathsBefore: PathsShown;
  readonly pathsAfter: PathsShown;
}

const WAIT_MS = 30_000;
const PHASES = ['app-rendered', 'ws-created', 'ws-open', 'ws-first-received', 'pc-created', 'remote-description', 'ice-connected', 'pc-connected', 'dc-open', 'dc-first-message'] as const;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// The locators of tests/helpers/e2e.ts, which imports vitest and so cannot load outside a test run.
const messagesLog = (page: Page): Locator => page.getByRole('log', { name: 'Messages' });
const peopleItems = (page: Page): Locator => page.getByRole('list', { name: 'People' }).getByRole('listitem');

async function say(page: Page, text: string): Promise<void> {
  const composer = page.getByRole('textbox', { name: 'Message', exact: true });
  await composer.fill(text);
  await composer.press('Enter');
}

const pathShown = async (page: Page): Promise<string | null> => (await peopleItems(page).locator('.path').allTextContents())[0] ?? null;

/** Both pages' People paths, once both show one (or after timeoutMs, with what they show then). */
async function pathsShown(ana: Page, ben: Page, timeoutMs = 15_000): Promise<PathsShown> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [a, b] = await Promise.all([pathShown(ana), pathShown(ben)]);
    if ((a !== null && b !== null) || Date.now() > deadline) return { a, b };
    await sleep(200);
  }
}


/** In a page: types `text` into the composer and sends it at once (one evaluate, no Playwright actions); returns the epoch ms it was sent. */
function writeNow(text: string): number {
  const box = document.querySelector<HTMLTextAreaElement>('textarea[aria-label="Message"]');
  if (box === null) throw new Error('no Message textbox');
  box.value = text;
  box.dispatchEvent(new Event('input', { bubbles: true }));
  box.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));
  return performance.timeOrigin + performance.now();
}

/** Epoch ms of the end of the current document's first `/ice` response, or NaN. */
const iceFetched = (page: Page): Promise<number> =>
  page.evaluate(() => {
    const entry = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).find((resource) => new URL(resource.name).pathname === '/ice');
    return entry === undefined ? Number.NaN : performance.timeOrigin + entry.responseEnd;
  });

/** Ana's page with a fresh room of her own, the composer ready. */
async function createRoom(context: BrowserContext, url: string): Promise<Page> {
  const ana = await context.newPage();
  await ana.goto(url);
  await ana.getByRole('button', { name: 'Create room' }).click();
  await ana.waitForURL(/#k=/, { timeout: WAIT_MS });
  await ana.getByRole('status', { name: 'Connection' }).getByText('waiting for others').waitFor({ timeout: WAIT_MS });
  return ana;
}

/**
 * One join across the lab, as rooms-join.ts's parleyRun: Ana creates a room and sends "before"
 * alone; Ben (a fresh context) opens the invite as a new visitor (clock at his goto), or with
 * Parley's home page open for SETTLE_MS first (`warm`: clock at the hash change).
 */
export async function measureAppJoin(browsers: LabBrowsers, url: string, run: number, warm: boolean): Promise<AppJoinRun> {
  const contexts: BrowserContext[] = [];
  try {
    const anaContext = await newBenchContext(browsers.a);
    contexts.push(anaContext);
    await installProbe(anaContext, { texts: {} });
    const ana = await createRoom(anaContext, url);
    const before = `Before you came, run ${run}: the agenda is in the shared folder`;
    const after = `After you came, run ${run}: welcome, glad you could make it`;
    await say(ana, before);
    await messagesLog(ana).getByText(before).waitFor({ timeout: WAIT_MS });
    const sender = ana.evaluate(sendWhenJoined, after);
    sender.catch(() => undefined);

    const benContext = await newBenchContext(browsers.b);
    contexts.push(benContext);
    await installProbe(benContext, { texts: { before, after } });
    const ben = await benContext.newPage();
    let clockStart: number;
    if (warm) {
      await ben.goto(url);
      await ben.getByRole('button', { name: 'Create room' }).waitFor({ timeout: WAIT_MS });
      await sleep(SETTLE_MS);
      clockStart = await ben.evaluate((hash) => {
        const start = performance.timeOrigin + performance.now();
        location.hash = hash;
        return start;
      }, new URL(ana.url()).hash);
    } else {
      clockStart = Date.now();
      await ben.goto(ana.url());
    }
    const state: ProbeState = await waitForMarks(ben, ['before', 'after', 'dc-open'], WAIT_MS);
    const { seen } = await sender;
    const aMarks = (await readProbe(ana)).marks;
    const timing = await navigationTiming(ben);
    const fromClock = (name: string): number => (state.marks[name]?.epoch ?? Number.NaN) - clockStart;
    const navStart = state.timeOrigin - clockStart;
    const phases: Record<string, number> = {
      'navigation start': navStart,
      'response end': navStart + timing.responseEnd,
      DOMContentLoaded: navStart + timing.domContentLoaded,
      '/ice fetched': (await iceFetched(ben)) - clockStart,
    };
    for (const name of PHASES) phases[name] = fromClock(name);
    for (const name of ['pc-created', 'remote-description', 'ice-connected', 'dc-open'] as const) {
      const mark = aMarks[name];
      if (mark !== undefined) phases[`A ${name}`] = mark.epoch - clockStart;
    }
    const paths = await pathsShown(ana, ben);
    return { before: fromClock('before'), after: fromClock('after'), seenByA: seen - clockStart, phases, paths };
  } finally {
    for (const context of contexts) await context.close().catch(() => undefined);
  }
}

/**
 * Ana and Ben chat (one message each way, both pages showing a path), then `change` alters the
 * network; the moment it returns both write a message at once (in parallel), and each is timed to
 * its appearance in the other's Messages log (probe marks, epoch ms, against this process's clock).
 */
export async function measureAppRecovery(browsers: LabBrowsers, url: string, run: number, change: () => void, waitMs = WAIT_MS): Promise<AppRecoveryRun> {
  const contexts: BrowserContext[] = [];
  const fromA = `Written by Ana right after the change, run ${run}`;
  const fromB = `Written by Ben right after the change, run ${run}`;
  try {
    const [anaContext, benContext] = [await newBenchContext(browsers.a), await newBenchContext(browsers.b)];
    contexts.push(anaContext, benContext);
    for (const context of contexts) await installProbe(context, { texts: { fromA, fromB } });
    const ana = await createRoom(anaContext, url);
    const ben = await benContext.newPage();
    await ben.goto(ana.url());
    await say(ana, `Hello from LAN A, run ${run}`);
    await messagesLog(ben).getByText(`Hello from LAN A, run ${run}`).waitFor({ timeout: WAIT_MS });
    await say(ben, `Hello from LAN B, run ${run}`);
    await messagesLog(ana).getByText(`Hello from LAN B, run ${run}`).waitFor({ timeout: WAIT_MS });
    const pathsBefore = await pathsShown(ana, ben);
    // A conversation under way, not one that is still settling its first path.
    await sleep(1000);
    change();
    const changed = Date.now();
    // Both at once, each in one evaluate: a message that waits for the other side's (NAT-opening)
    // one would measure Playwright's typing, not the path.
    const [sentA, sentB] = await Promise.all([ana.evaluate(writeNow, fromA), ben.evaluate(writeNow, fromB)]);
    const arrived = async (page: Page, mark: string): Promise<number> => {
      const state = await waitForMarks(page, [mark], waitMs).catch(() => null);
      return (state?.marks[mark]?.epoch ?? Number.NaN) - changed;
    };
    const [aToB, bToA] = await Promise.all([arrived(ben, 'fromA'), arrived(ana, 'fromB')]);
    const pathsAfter = await pathsShown(ana, ben, 5000);
    return { aToB, bToA, writtenA: sentA - changed, writtenB: sentB - changed, pathsBefore, pathsAfter };
  } finally {
    for (const context of contexts) await context.close().catch(() => undefined);
  }
}
