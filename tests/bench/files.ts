/**
 * `npm run bench -- --only files`: files between people (issue 14) in headless Chromium on loopback,
 * each figure beside its anchor from the same run:
 *  - one file from one person: Parley's download (click → Save) against a raw RTCPeerConnection
 *    data channel inside the same two pages, same bytes, 16 KiB messages, Parley's flow control
 *    (files-anchor.ts);
 *  - the same file size from two people who hold it against from one;
 *  - the JS heap of a page receiving a 1 GiB file (growth over a baseline after a forced GC);
 *  - text latency (A's Enter → shown at B) while a file moves from A to B, against no transfer.
 * The client is built into a temporary directory first (rooms-bundle.ts), so a concurrent rebuild of
 * dist/client cannot change it mid-run. Files are random bytes written to a temporary directory and
 * attached by path (Playwright hands Chromium the path; its in-memory buffers stop at 50 MB).
 */
import { execFileSync } from 'node:child_process';
import { closeSync, linkSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { SignalingServer } from '../../signaling/server.js';
import { pieceCount } from '../../src/core/file-manifest.js';
import { launchChromium } from '../helpers/browser.js';
import { startNode, until } from '../helpers/node.js';
import { peopleItems } from '../helpers/e2e.js';
import { openRawPair } from './files-anchor.js';
import { attachPath, availableFrom, cpuMeter, createRoom, downloadWhileChatting, findRenderer, heapDuringDownload, openPerson, ownRowNote, scrollLog, SETTLE_MS, stampedMessages, timedDownload, type CpuUse, type HeapRun, type LatencyWindow, type Person, type Transfer } from './files-app.js';
import { filesSection, type Attached } from './files-rows.js';
import { buildClient, ROOT } from './rooms-bundle.js';
import type { Section } from './report.js';
import type { BenchOptions } from './signaling.js';

const MIB = 1024 * 1024;
/** Text messages from A every this often: under the room's default flood rule (2 a second, bursts of 10). */
export const TEXT_INTERVAL_MS = 600;
/** Heap samples this often during the big download. */
export const HEAP_EVERY_MS = 250;
const load = (): string => loadavg().map((value) => value.toFixed(2)).join(', ');
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The commit measured, and whether src/ differed from it (another engineer may be editing). */
function revision(): string {
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
  try {
    const changed = git('status', '--porcelain', '--', 'src', 'index.html', 'public', 'vite.config.ts').split('\n').filter((line) => line !== '').length;
    return `${git('rev-parse', '--short', 'HEAD')}${changed > 0 ? ` with ${changed} uncommitted change(s) under src/ etc.` : ''}`;
  } catch {
    return 'an unknown revision';
  }
}

/** `bytes` random bytes at `path`, written 16 MiB at a time. */
function writeRandomFile(path: string, bytes: number): void {
  const fd = openSync(path, 'w');
  try {
    for (let done = 0; done < bytes; done += 16 * MIB) writeSync(fd, randomBytes(Math.min(16 * MIB, bytes - done)));
  } finally {
    closeSync(fd);
  }
}

/** Waits until `person` sees `people` in the room. */
const seesPeople = (person: Person, people: number): Promise<void> =>
  until(async () => (await peopleItems(person.page).count()) === people, 60_000, `${person.label}: ${people} people in the room`);

export async function runFilesBench(options: BenchOptions): Promise<Section> {
  const { log, quick } = options;
  const size = (quick ? 64 : 256) * MIB;
  const heapSize = (quick ? 256 : 1024) * MIB;
  const runs = quick ? 2 : 3;
  const latencyRounds = 2;
  const idleMessages = quick ? 10 : 25;
  /** Long enough at 1 MiB/s. */
  const transferMs = Math.max(120_000, size / MIB * 1000);
  const heapMs = Math.max(300_000, heapSize / MIB * 1000);
  const loads: Array<[string, string]> = [['start', load()]];
  const failures: string[] = [];
  const measured = revision();
  const buildDir = mkdtempSync(join(tmpdir(), 'parley-bench-files-client-'));
  const fileDir = mkdtempSync(join(tmpdir(), 'parley-bench-files-data-'));
  const people: Person[] = [];
  let node: SignalingServer | undefined;
  let browser: Browser | undefined;
  try {
    log(`building the client (${measured}) into a temporary directory; writing ${size / MIB} MiB and ${heapSize / MIB} MiB of random bytes`);
    await buildClient(buildDir);
    const single = 'single-source.bin';
    const double = 'two-sources.bin';
    const big = 'big.bin';
    writeRandomFile(join(fileDir, single), size);
    // The same bytes under another name: a second file (its own id and key once attached).
    linkSync(join(fileDir, single), join(fileDir, double));
    writeRandomFile(join(fileDir, big), heapSize);
    node = await startNode({ staticDir: buildDir });
    browser = await launchChromium();
    const chromium = `Chromium ${browser.version()}`;

    log(`${chromium}: A makes a room, C joins; A attaches two ${size / MIB} MiB files, C downloads one of them (two-sources.bin)`);
    const { a, url } = await createRoom(browser, node.url());
    people.push(a);
    const c = await openPerson(browser, 'C', url, 2);
    people.push(c);
    const attached: Attached[] = [];
    for (const name of [single, double]) {
      const ms = await attachPath(a.page, join(fileDir, name), name, transferMs);
      attached.push({ name, bytes: size, ms });
      log(`  A attached ${name}: ${(ms / 1000).toFixed(1)} s (read, encrypt, store, send the message)`);
    }
    await findRenderer(a);
    await findRenderer(c);
    const seed = await timedDownload(c.page, double, 1, [a, c], transferMs);
    const senderRow = await ownRowNote(a.page, double);
    log(`  C downloaded ${double} from A: ${(seed.ms / 1000).toFixed(2)} s; A's own row of it says "${senderRow}"`);

    loads.push(['throughput', load()]);
    log(`throughput: ${runs} runs, each with a fresh B: raw data channel A → B, Parley from A alone (${single}), Parley from A and C (${double}), in rotating order`);
    const anchor: Array<{ ms: number; cpu: CpuUse }> = [];
    const one: Transfer[] = [];
    const two: Transfer[] = [];
    for (let run = 0; run < runs; run++) {
      const b = await openPerson(browser, 'B', url, 3);
      try {
        await findRenderer(b);
        const everyone = [a, b, c];
        const raw = await openRawPair(a.page, b.page);
        const steps = [
          async (): Promise<string> => {
            await sleep(SETTLE_MS);
            const meter = cpuMeter(everyone);
            const ms = await raw.transfer(size, transferMs);
            anchor.push({ ms, cpu: meter() });
            return `raw ${(ms / 1000).toFixed(2)} s`;
          },
          async (): Promise<string> => {
            const transfer = await timedDownload(b.page, single, 1, everyone, transferMs);
            one.push(transfer);
            return `one source ${(transfer.ms / 1000).toFixed(2)} s`;
          },
          async (): Promise<string> => {
            const transfer = await timedDownload(b.page, double, 2, everyone, transferMs);
            two.push(transfer);
            return `two sources ${(transfer.ms / 1000).toFixed(2)} s`;
          },
        ];
        const said: string[] = [];
        for (let i = 0; i < steps.length; i++) said.push(await (steps[(run + i) % steps.length] as () => Promise<string>)());
        await raw.close();
        log(`  run ${run + 1}: ${said.join(', ')}`);
      } finally {
        await b.close();
      }
      await seesPeople(a, 2);
    }

    loads.push(['text latency', load()]);
    log(`text latency: ${latencyRounds} rounds with a fresh B; A types a stamped message every ${TEXT_INTERVAL_MS} ms: ${idleMessages} with nothing else moving, then as many as fit while B downloads ${single} from A, and while the raw pair moves as many bytes from A to B (rotating order)`);
    const latency: LatencyWindow[] = [];
    const latencyTransfers: Transfer[] = [];
    const latencyRaw: number[] = [];
    let stampRound = 0;
    const kinds = ['none', 'parley', 'raw'] as const;
    for (let round = 0; round < latencyRounds; round++) {
      const b = await openPerson(browser, 'B', url, 3);
      try {
        const raw = await openRawPair(a.page, b.page);
        await availableFrom(b.page, single, 1);
        for (let i = 0; i < kinds.length; i++) {
          const kind = kinds[(round + i) % kinds.length] as LatencyWindow['kind'];
          const stamp = ++stampRound;
          let result: Omit<LatencyWindow, 'kind'> = { ms: [], missing: { sent: 0, own: 0, other: 0 } };
          let took = Number.NaN;
          if (kind === 'none') {
            await scrollLog(b.page, 'bottom');
            await sleep(SETTLE_MS);
            result = await stampedMessages(a.page, b.page, stamp, TEXT_INTERVAL_MS, (sent) => sent >= idleMessages);
          } else if (kind === 'parley') {
            const moved = await downloadWhileChatting(b.page, single, pieceCount(size), [a, b, c], transferMs, async (done) => {
              let finished = false;
              void done.finally(() => void (finished = true));
              result = await stampedMessages(a.page, b.page, stamp, TEXT_INTERVAL_MS, () => finished);
            });
            latencyTransfers.push(moved);
            took = moved.ms;
          } else {
            await scrollLog(b.page, 'bottom');
            await sleep(SETTLE_MS);
            let finished = false;
            const moving = raw.transfer(size, transferMs).finally(() => void (finished = true));
            result = await stampedMessages(a.page, b.page, stamp, TEXT_INTERVAL_MS, () => finished);
            took = await moving;
            latencyRaw.push(took);
          }
          const window: LatencyWindow = { kind, ...result };
          latency.push(window);
          const gone = window.missing;
          log(`  round ${round + 1}, ${kind === 'none' ? 'nothing else moving' : `${kind === 'parley' ? "during Parley's" : 'during the raw'} transfer (${(took / 1000).toFixed(1)} s)`}: ${window.ms.length} messages, ${window.ms.map((value) => value.toFixed(0)).join(' ')} ms${gone.other > 0 ? ` (not shown at B: ${gone.other}; Enter not seen at A: ${gone.sent}; not in A's own log: ${gone.own})` : ''}`);
          await sleep(SETTLE_MS);
        }
        await raw.close();
      } finally {
        await b.close();
      }
      await seesPeople(a, 2);
    }
    for (const person of people.splice(0)) await person.close();

    loads.push(['heap', load()]);
    log(`heap: a fresh room of two; A attaches ${heapSize / MIB} MiB, B downloads it (heap every ${HEAP_EVERY_MS} ms)`);
    let heap: { transfer: Transfer; heap: HeapRun } | null = null;
    let heapAttach: Attached | null = null;
    try {
      const room = await createRoom(browser, node.url());
      people.push(room.a);
      const b = await openPerson(browser, 'B', room.url, 2);
      people.push(b);
      await findRenderer(room.a);
      await findRenderer(b);
      const ms = await attachPath(room.a.page, join(fileDir, big), big, heapMs);
      heapAttach = { name: big, bytes: heapSize, ms };
      log(`  A attached ${big}: ${(ms / 1000).toFixed(1)} s`);
      heap = await heapDuringDownload(b, big, [room.a, b], heapMs, HEAP_EVERY_MS);
      const peak = Math.max(...heap.heap.samples.map((sample) => sample.used));
      log(`  B received it in ${(heap.transfer.ms / 1000).toFixed(1)} s; heap ${(heap.heap.baseline.used / MIB).toFixed(1)} MiB → peak ${(peak / MIB).toFixed(1)} MiB → ${(heap.heap.settled.used / MIB).toFixed(1)} MiB after GC`);
    } catch (error: unknown) {
      const message = error instanceof Error ? error.message : String(error);
      failures.push(`heap: ${message}`);
      log(`  heap phase failed: ${message}`);
    }

    loads.push(['end', load()]);
    return filesSection({ quick, loads, failures, chromium, revision: measured, size, heapSize, textIntervalMs: TEXT_INTERVAL_MS, heapEveryMs: HEAP_EVERY_MS, attached, heapAttach, seed, senderRow, anchor, one, two, latency, latencyTransfers, latencyRaw, heap });
  } finally {
    for (const person of people) await person.close();
    await browser?.close().catch(() => undefined);
    await node?.close().catch(() => undefined);
    rmSync(buildDir, { recursive: true, force: true });
    rmSync(fileDir, { recursive: true, force: true });
  }
}
