/**
 * Parley's side of the "Files" bench, driven through the UI as people use it (tests/helpers/files.ts:
 * the "Attach file" button and its chooser, a file row's "Download", its "Save" once complete),
 * timed by the in-page probe (files-probe.ts):
 *  - people: each a fresh context (another person's browser: own identity, own IndexedDB) on the
 *    node's origin;
 *  - a transfer: the row shows who has the file ("Available from N …"), 1 s at rest, then the clock
 *    runs from the click on "Download" (the click event's timeStamp in the downloader's page) to the
 *    row's "Save" in the DOM; with the CPU every Chromium process used meanwhile (/proc);
 *  - the heap while receiving: CDP Runtime.getHeapUsage every 250 ms, after a forced GC for the baseline;
 *  - text while a file moves: stamped messages typed into A's composer, Enter → shown in B's log.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { messagesLog, peopleItems } from '../helpers/e2e.js';
import { fileRow } from '../helpers/files.js';
import { until } from '../helpers/node.js';
import { chromiumProcesses, rendererOf, rendererPids } from './call-cpu.js';
import { rssBytes } from './renderer-memory.js';
import { newBenchContext } from './rooms-probe.js';
import { installFilesProbe, lastClick, probeState, waitForSave } from './files-probe.js';

export const SETTLE_MS = 1000;
const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
const JOIN_MS = 60_000;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface Person {
  readonly label: string;
  readonly page: Page;
  readonly context: BrowserContext;
  /** The page's renderer process (found by a busy loop, call-cpu.ts); null if it could not be told. */
  pid: number | null;
  close(): Promise<void>;
}

/** Opens `url` as a new person (fresh context, probe installed); waits for `people` in its People list when given. */
export async function openPerson(browser: Browser, label: string, url: string, people?: number): Promise<Person> {
  const context = await newBenchContext(browser);
  try {
    await installFilesProbe(context);
    const page = await context.newPage();
    await page.goto(url);
    if (people !== undefined) await until(async () => (await peopleItems(page).count()) === people, JOIN_MS, `${label}: ${people} people in the room`);
    return { label, page, context, pid: null, close: () => context.close().catch(() => undefined) };
  } catch (error: unknown) {
    await context.close().catch(() => undefined);
    throw error;
  }
}

/** A creates a fresh room; returns A and the room's link. */
export async function createRoom(browser: Browser, baseUrl: string): Promise<{ a: Person; url: string }> {
  const a = await openPerson(browser, 'A', baseUrl);
  await a.page.getByRole('button', { name: 'Create room' }).click();
  await a.page.waitForURL(/#k=/);
  await messagesLog(a.page).waitFor({ timeout: JOIN_MS });
  return { a, url: a.page.url() };
}

/** Finds the person's renderer process (a 2 s busy loop in its page); leaves pid null if it cannot be told. */
export async function findRenderer(person: Person): Promise<void> {
  try {
    person.pid = await rendererOf(person.page, rendererPids());
  } catch {
    person.pid = null;
  }
}

/**
 * Attaches the file at `path` (its name is the file's name) through the chooser; resolves when its
 * row is in the sender's log and "Preparing <name>…" (reading, encrypting, storing) is gone; ms from
 * the click. (The sender's own row is not waited on for "Sent": see the notes.)
 */
export async function attachPath(page: Page, path: string, name: string, timeoutMs: number): Promise<number> {
  const chooser = page.waitForEvent('filechooser');
  const clicked = Date.now();
  await page.getByRole('button', { name: 'Attach file' }).click();
  await (await chooser).setFiles(path);
  await page.getByText(`Preparing ${name}…`).waitFor({ timeout: 30_000 }).catch(() => undefined);
  await fileRow(page, name).waitFor({ timeout: timeoutMs });
  await page.getByText(`Preparing ${name}…`).waitFor({ state: 'detached', timeout: timeoutMs });
  return Date.now() - clicked;
}

/** What the sender's own row of `name` says under the file's size ("Sent", "Nobody online has it now", …). */
export async function ownRowNote(page: Page, name: string): Promise<string> {
  return ((await fileRow(page, name).locator('.note').first().textContent({ timeout: 5000 }).catch(() => null)) ?? '(none)').trim();
}

/**
 * Scrolls the Messages log to its top or bottom, as a person does (the list renders a window of
 * rows near the viewport, and follows the newest only while scrolled to the bottom).
 */
export async function scrollLog(page: Page, to: 'top' | 'bottom'): Promise<void> {
  await page.evaluate(async (where) => {
    const viewport = document.querySelector('[role="log"]')?.parentElement;
    if (!viewport) return;
    const frame = (): Promise<void> => new Promise((resolve) => requestAnimationFrame(() => resolve()));
    for (let i = 0; i < 4; i++) {
      viewport.scrollTop = where === 'top' ? 0 : viewport.scrollHeight;
      await frame();
      await frame();
    }
  }, to);
}

/** Scrolls to the top of the log (the bench's files are its first messages) and waits until the row of `name` says the file is available from `holders` people. */
export async function availableFrom(page: Page, name: string, holders: number, timeoutMs = JOIN_MS): Promise<void> {
  const text = holders === 1 ? 'Available from 1 person' : `Available from ${holders} people`;
  await scrollLog(page, 'top');
  await fileRow(page, name).getByText(text).waitFor({ timeout: timeoutMs });
}

/** Opens Diagnostics (if closed) so its "File transfers" table is in the page. */
export async function openDiagnostics(page: Page): Promise<void> {
  const table = page.getByRole('table', { name: 'File transfers' });
  if (!(await table.isVisible())) await page.getByText('Diagnostics', { exact: true }).click();
  await table.waitFor();
}

/** Waits in the page until Diagnostics' "pieces received" reaches `pieces`; its epoch ms (20 ms polls), or null after `timeoutMs`. */
export function waitForPieces(page: Page, pieces: number, timeoutMs: number): Promise<number | null> {
  return page.evaluate(({ pieces, timeoutMs }) => new Promise<number | null>((resolve) => {
    const until = performance.now() + timeoutMs;
    const check = (): void => {
      let count = -1;
      for (const row of document.querySelectorAll('table[aria-label="File transfers"] tr')) {
        if (row.querySelector('th')?.textContent?.trim() === 'pieces received') count = Number((row.querySelector('td')?.textContent ?? '').replace(/[^0-9]/g, ''));
      }
      if (count >= pieces) resolve(performance.timeOrigin + performance.now());
      else if (performance.now() > until) resolve(null);
      else setTimeout(check, 20);
    };
    check();
  }), { pieces, timeoutMs });
}

export interface CpuUse {
  /** CPU seconds / wall seconds over the transfer, per person (their renderer process) and for all of Chromium. */
  readonly byPerson: Readonly<Record<string, number>>;
  /** The same per thread of each person's renderer (threads of one name summed, digits dropped). */
  readonly threads: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly chromium: number;
  /** Cores busy on the whole machine meanwhile (/proc/stat: every process, other test runs included). */
  readonly machine: number;
}

/** The machine's busy and total CPU time so far (/proc/stat, in ticks, all cores). */
function machineTicks(): { busy: number; total: number } {
  try {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((sum, value) => sum + value, 0);
    return { busy: total - (fields[3] ?? 0) - (fields[4] ?? 0), total };
  } catch {
    return { busy: Number.NaN, total: Number.NaN };
  }
}

/** CPU seconds so far of each thread of `pid`, by thread name (digits dropped: "Worker3" → "Worker"; the main thread as "main"). */
function threadCpu(pid: number): Record<string, number> {
  const byName: Record<string, number> = {};
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return byName;
  }
  for (const tid of tids) {
    try {
      const text = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = tid === String(pid) ? 'main' : text.slice(text.indexOf('(') + 1, text.lastIndexOf(')')).replace(/\d+/g, '').trim();
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      byName[name] = (byName[name] ?? 0) + (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
    } catch {
      // the thread ended
    }
  }
  return byName;
}

/** Chromium's CPU so far: per labelled renderer (and its threads) and in total (seconds). */
function cpuNow(people: readonly Person[]): { at: number; byPerson: Record<string, number>; threads: Record<string, Record<string, number>>; total: number; machine: { busy: number; total: number } } {
  const processes = chromiumProcesses();
  const byPerson: Record<string, number> = {};
  const threads: Record<string, Record<string, number>> = {};
  for (const person of people) {
    if (person.pid === null) continue;
    byPerson[person.label] = processes.get(person.pid)?.cpu ?? Number.NaN;
    threads[person.label] = threadCpu(person.pid);
  }
  return { at: performance.now(), byPerson, threads, total: [...processes.values()].reduce((sum, info) => sum + info.cpu, 0), machine: machineTicks() };
}

export function cpuMeter(people: readonly Person[]): () => CpuUse {
  const start = cpuNow(people);
  return () => {
    const end = cpuNow(people);
    const seconds = (end.at - start.at) / 1000;
    const byPerson: Record<string, number> = {};
    const threads: Record<string, Record<string, number>> = {};
    for (const [label, cpu] of Object.entries(end.byPerson)) byPerson[label] = (cpu - (start.byPerson[label] ?? Number.NaN)) / seconds;
    for (const [label, named] of Object.entries(end.threads)) {
      const shares: Record<string, number> = {};
      for (const [name, cpu] of Object.entries(named)) {
        const share = (cpu - (start.threads[label]?.[name] ?? 0)) / seconds;
        if (share >= 0.005) shares[name] = share;
      }
      threads[label] = shares;
    }
    const machine = ((end.machine.busy - start.machine.busy) / (end.machine.total - start.machine.total)) * cpus().length;
    return { byPerson, threads, chromium: (end.total - start.total) / seconds, machine };
  };
}

export interface Transfer {
  /** Click on Download → Save shown, ms. */
  readonly ms: number;
  readonly cpu: CpuUse;
}

/**
 * `downloader` downloads `name` (shown as available from `holders` people) through its row: the
 * clock from the click on "Download" to "Save" in its page. `during` runs while the file moves
 * (given the promise of the end), e.g. the text-latency sender or the heap sampler.
 */
export async function timedDownload(downloader: Page, name: string, holders: number, people: readonly Person[], timeoutMs: number, during?: (done: Promise<unknown>) => Promise<void>): Promise<Transfer> {
  await availableFrom(downloader, name, holders);
  await sleep(SETTLE_MS);
  const meter = cpuMeter(people);
  await fileRow(downloader, name).getByRole('button', { name: 'Download' }).click();
  const saved = waitForSave(downloader, name, timeoutMs);
  const side = during?.(saved) ?? Promise.resolve();
  const [at] = await Promise.all([saved, side]);
  const cpu = meter();
  const clicked = await lastClick(downloader, 'Download');
  if (at === null) throw new Error(`${name}: no Save within ${timeoutMs / 1000} s of the click`);
  return { ms: at - clicked, cpu };
}

export interface HeapSample {
  /** ms since the click */
  readonly t: number;
  /** V8 heap in use (Runtime.getHeapUsage usedSize), bytes. */
  readonly used: number;
  /** ArrayBuffer backing stores and other memory V8 allocated outside its heap (backingStorageSize), bytes; NaN if not reported. */
  readonly backing: number;
  /** The renderer process's resident memory, bytes; NaN if its pid is unknown. */
  readonly rss: number;
}

export interface HeapRun {
  /** After a forced GC, just before the click. */
  readonly baseline: HeapSample;
  readonly samples: HeapSample[];
  /** After the transfer, after a forced GC. */
  readonly settled: HeapSample;
}

interface HeapUsage {
  usedSize: number;
  totalSize: number;
  backingStorageSize?: number;
}

async function heapNow(session: CDPSession, pid: number | null, t: number): Promise<HeapSample> {
  const usage = (await session.send('Runtime.getHeapUsage')) as unknown as HeapUsage;
  return { t, used: usage.usedSize, backing: usage.backingStorageSize ?? Number.NaN, rss: pid === null ? Number.NaN : rssBytes(pid) };
}

async function collected(session: CDPSession, pid: number | null): Promise<HeapSample> {
  await session.send('HeapProfiler.collectGarbage');
  await sleep(500);
  await session.send('HeapProfiler.collectGarbage');
  return heapNow(session, pid, 0);
}

/**
 * The heap of `person`'s page while it downloads `name`: a forced GC and a baseline, the download
 * (timedDownload), a sample every `everyMs` until Save, then a forced GC and what stays.
 */
export async function heapDuringDownload(person: Person, name: string, people: readonly Person[], timeoutMs: number, everyMs: number): Promise<{ transfer: Transfer; heap: HeapRun }> {
  const session = await person.context.newCDPSession(person.page);
  try {
    await session.send('HeapProfiler.enable');
    await availableFrom(person.page, name, 1);
    const baseline = await collected(session, person.pid);
    const samples: HeapSample[] = [];
    const transfer = await timedDownload(person.page, name, 1, people, timeoutMs, async (done) => {
      let finished = false;
      void done.finally(() => void (finished = true));
      const start = performance.now();
      while (!finished) {
        samples.push(await heapNow(session, person.pid, performance.now() - start));
        await sleep(everyMs);
      }
    });
    const settled = await collected(session, person.pid);
    return { transfer, heap: { baseline, samples, settled } };
  } finally {
    await session.detach().catch(() => undefined);
  }
}

/**
 * The text-latency transfer: `b` downloads `name` (`pieces` pieces) from its row, then scrolls back
 * to the newest message (following the conversation while the file comes in), and `during` runs
 * until Diagnostics' "pieces received" reaches `pieces` (the file's row may have left the rendered
 * window by then, so its Save is not what ends it). Click → that count, ms.
 */
export async function downloadWhileChatting(b: Page, name: string, pieces: number, people: readonly Person[], timeoutMs: number, during: (done: Promise<unknown>) => Promise<void>): Promise<Transfer> {
  await openDiagnostics(b);
  await availableFrom(b, name, 1);
  await sleep(SETTLE_MS);
  const meter = cpuMeter(people);
  await fileRow(b, name).getByRole('button', { name: 'Download' }).click();
  await scrollLog(b, 'bottom');
  const received = waitForPieces(b, pieces, timeoutMs);
  const [at] = await Promise.all([received, during(received)]);
  const cpu = meter();
  const clicked = await lastClick(b, 'Download');
  if (at === null) throw new Error(`${name}: not all ${pieces} pieces within ${timeoutMs / 1000} s of the click`);
  return { ms: at - clicked, cpu };
}

export interface LatencyWindow {
  /** What moved meanwhile: nothing, Parley's download from A to B, or the raw anchor's bytes from A to B. */
  readonly kind: 'none' | 'parley' | 'raw';
  /** Enter in A's composer → shown in B's Messages log, ms, per message (NaN: not shown within the wait). */
  readonly ms: number[];
  /** Messages whose Enter was not seen in A's page, not shown in A's own log, not shown at B. */
  readonly missing: { readonly sent: number; readonly own: number; readonly other: number };
}

/**
 * Sends stamped messages from `a`'s composer every `intervalMs` (typed, then Enter) until `stop`
 * says so, then waits for them in `b`; `round` keeps the stamps of windows apart.
 */
export async function stampedMessages(a: Page, b: Page, round: number, intervalMs: number, stop: (sent: number) => boolean): Promise<Omit<LatencyWindow, 'kind'>> {
  const composer = a.getByRole('textbox', { name: 'Message', exact: true });
  const stamps: string[] = [];
  const start = performance.now();
  while (!stop(stamps.length)) {
    const stamp = `lat-${round}-${stamps.length}`;
    stamps.push(stamp);
    await composer.fill(`${stamp} text while a file moves, or not`);
    await composer.press('Enter');
    const next = start + stamps.length * intervalMs;
    await sleep(Math.max(0, next - performance.now()));
  }
  const arrived = async (): Promise<boolean> => {
    const shown = (await probeState(b)).shown;
    return stamps.every((stamp) => shown[stamp] !== undefined);
  };
  await until(arrived, 20_000, 'stamped messages shown at B').catch(() => undefined);
  const [mine, theirs] = [await probeState(a), await probeState(b)];
  const { sent } = mine;
  const { shown } = theirs;
  return {
    ms: stamps.map((stamp) => (sent[stamp] === undefined || shown[stamp] === undefined ? Number.NaN : (shown[stamp] as number) - (sent[stamp] as number))),
    missing: {
      sent: stamps.filter((stamp) => sent[stamp] === undefined).length,
      own: stamps.filter((stamp) => mine.shown[stamp] === undefined).length,
      other: stamps.filter((stamp) => shown[stamp] === undefined).length,
    },
  };
}
