/** The "Files" table and notes (`npm run bench -- --only files`, files.ts). */
import { FILE_PIECE_BYTES } from '../../src/core/file-manifest.js';
import { MAX_IN_FLIGHT } from '../../src/transport/file-swarm.js';
import { RAW_CHUNK_BYTES, RAW_HIGH_WATER, RAW_LOW_WATER } from './files-anchor.js';
import type { CpuUse, HeapRun, LatencyWindow, Transfer } from './files-app.js';
import { median, type Row, type Section } from './report.js';

export interface Attached {
  readonly name: string;
  readonly bytes: number;
  /** Click on "Attach file" → the row says "Sent", ms (seen from this process). */
  readonly ms: number;
}

export interface FilesResults {
  readonly quick: boolean;
  readonly loads: ReadonlyArray<readonly [string, string]>;
  readonly failures: readonly string[];
  readonly chromium: string;
  readonly revision: string;
  /** Bytes of each throughput and latency file. */
  readonly size: number;
  readonly heapSize: number;
  readonly textIntervalMs: number;
  readonly heapEveryMs: number;
  readonly attached: readonly Attached[];
  readonly heapAttach: Attached | null;
  /** C's download of two-sources.bin from A before the runs. */
  readonly seed: Transfer;
  /** What A's own row of two-sources.bin said once C had it ("Sent · has it: C" when all is well). */
  readonly senderRow: string;
  readonly anchor: ReadonlyArray<{ readonly ms: number; readonly cpu: CpuUse }>;
  readonly one: readonly Transfer[];
  readonly two: readonly Transfer[];
  readonly latency: readonly LatencyWindow[];
  readonly latencyTransfers: readonly Transfer[];
  /** The raw pair's transfers during the latency rounds, ms. */
  readonly latencyRaw: readonly number[];
  readonly heap: { readonly transfer: Transfer; readonly heap: HeapRun } | null;
}

const MIB = 1024 * 1024;
const mib = (bytes: number): string => (Number.isFinite(bytes) ? `${(bytes / MIB).toFixed(1)} MiB` : '—');
const rate = (bytesPerSecond: number): string => (Number.isFinite(bytesPerSecond) ? `${(bytesPerSecond / MIB).toFixed(1)} MiB/s` : '—');
const ms = (value: number): string => (Number.isFinite(value) ? (Math.abs(value) >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(0)} ms`) : '—');
const secondsList = (values: readonly number[]): string => values.map((value) => (value / 1000).toFixed(2)).join(', ');
const cores = (value: number | undefined): string => (value !== undefined && Number.isFinite(value) ? value.toFixed(2) : '?');

/** Nearest-rank percentile; a message never shown counts as slower than any. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = values.map((value) => (Number.isNaN(value) ? Infinity : value)).sort((x, y) => x - y);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] as number;
}

/** Median CPU use over transfers: "all of Chromium 1.85 cores (renderers: A 0.60 [main 0.3, …], B 0.90 […], C 0.02)". */
function cpuSummary(uses: readonly CpuUse[], threads = false): string {
  const labels = [...new Set(uses.flatMap((use) => Object.keys(use.byPerson)))].sort();
  const of = (values: ReadonlyArray<number | undefined>): number => median(values.filter((value): value is number => value !== undefined && Number.isFinite(value)));
  const parts = labels.map((label) => {
    const names = [...new Set(uses.flatMap((use) => Object.keys(use.threads[label] ?? {})))];
    const top = names.map((name) => [name, of(uses.map((use) => use.threads[label]?.[name] ?? 0))] as const).filter(([, share]) => share >= 0.02).sort((x, y) => y[1] - x[1]).slice(0, 5);
    return `${label} ${cores(of(uses.map((use) => use.byPerson[label])))}${threads && top.length > 0 ? ` [${top.map(([name, share]) => `${name} ${share.toFixed(2)}`).join(', ')}]` : ''}`;
  });
  return `all of Chromium ${cores(median(uses.map((use) => use.chromium)))} cores${parts.length > 0 ? ` (renderers: ${parts.join(', ')})` : ''}, the whole machine ${cores(median(uses.map((use) => use.machine)))} cores busy`;
}

export function filesSection(r: FilesResults): Section {
  const throughput = (values: readonly number[]): number => r.size / (median(values) / 1000);
  const anchorRate = throughput(r.anchor.map((run) => run.ms));
  const oneRate = throughput(r.one.map((run) => run.ms));
  const twoRate = throughput(r.two.map((run) => run.ms));
  const latencyOf = (kind: LatencyWindow['kind']): number[] => r.latency.filter((window) => window.kind === kind).flatMap((window) => window.ms);
  const idle = latencyOf('none');
  const busy = latencyOf('parley');
  const rawBusy = latencyOf('raw');
  const raw95 = percentile(rawBusy, 0.95);
  const raw50 = percentile(rawBusy, 0.5);
  const idle95 = percentile(idle, 0.95);
  const busy95 = percentile(busy, 0.95);
  const idle50 = percentile(idle, 0.5);
  const busy50 = percentile(busy, 0.5);
  const lost = [...idle, ...busy, ...rawBusy].filter(Number.isNaN).length;
  const heap = r.heap;
  const peak = (pick: (sample: HeapRun['baseline']) => number): number => (heap === null ? Number.NaN : Math.max(...heap.heap.samples.map(pick)) - pick(heap.heap.baseline));
  const heapGrowth = peak((sample) => sample.used);
  const withBacking = peak((sample) => sample.used + sample.backing);
  const rssGrowth = peak((sample) => sample.rss);
  const heapRate = heap === null ? Number.NaN : r.heapSize / (heap.transfer.ms / 1000);
  const runs = r.one.length;

  const rows: Row[] = [
    {
      measure: `Throughput of one ${mib(r.size)} file from one person, Chromium loopback (click on Download → Save shown; median of ${runs})`,
      ours: rate(oneRate), reference: `${rate(anchorRate)} (raw data channel, same pages, 16 KiB messages, same flow control, no app crypto or storage)`,
      ratio: oneRate / anchorRate, floor: '≥ 60% of anchor', met: oneRate >= 0.6 * anchorRate,
    },
    {
      measure: `Throughput with two sources (A and C hold the file; median of ${r.two.length})`,
      ours: rate(twoRate), reference: `${rate(oneRate)} (one source, same size, same B, same run)`,
      ratio: twoRate / oneRate, floor: '≥ 1.5× one source', met: twoRate >= 1.5 * oneRate,
    },
    {
      measure: `JS heap growth of the receiving page while a ${mib(r.heapSize)} file comes in (peak of Runtime.getHeapUsage usedSize every ${r.heapEveryMs} ms, over the baseline after a forced GC)`,
      ours: mib(heapGrowth), reference: '—', ratio: Number.NaN, floor: '≤ 64 MiB', met: heap === null ? false : heapGrowth <= 64 * MIB,
    },
    {
      measure: 'The same with ArrayBuffer backing stores (usedSize + backingStorageSize), and the renderer process\'s RSS (informational)',
      ours: `${mib(withBacking)}; RSS ${mib(rssGrowth)}`, reference: '—', ratio: Number.NaN, floor: '—', met: undefined,
    },
    {
      measure: `Text message latency during a ${mib(r.size)} transfer from A to B, p95 (A's Enter → shown in B's Messages log; ${busy.length} messages, one every ${r.textIntervalMs} ms)`,
      ours: ms(busy95), reference: `${ms(idle95)} (same pages, no transfer; ${idle.length} messages)`,
      ratio: busy95 / idle95, floor: '≤ 2× without transfer', met: busy95 <= 2 * idle95,
    },
    {
      measure: 'The same, median (informational)',
      ours: ms(busy50), reference: ms(idle50), ratio: busy50 / idle50, floor: '—', met: undefined,
    },
    {
      measure: `Text latency while the raw anchor moves ${mib(r.size)} from A to B instead (the same pages, its own connection; Parley idle but for the text), p95 and median (informational: what any bulk transfer between these pages does to the text)`,
      ours: `p95 ${ms(raw95)}, median ${ms(raw50)} (${rawBusy.length} messages)`, reference: `p95 ${ms(idle95)}, median ${ms(idle50)}`,
      ratio: raw95 / idle95, floor: '—', met: undefined,
    },
  ];

  const attachLine = [...r.attached, ...(r.heapAttach === null ? [] : [r.heapAttach])].map((file) => `${file.name} (${mib(file.bytes)}) ${ms(file.ms)}, ${rate(file.bytes / (file.ms / 1000))}`).join('; ');
  const heapDetail = heap === null
    ? `The heap phase failed: ${r.failures.filter((failure) => failure.startsWith('heap')).join(' / ')}.`
    : `B received it in ${ms(heap.transfer.ms)} (${rate(heapRate)}; ${cpuSummary([heap.transfer.cpu])}). B's page: baseline (after a forced GC) ${mib(heap.heap.baseline.used)} heap, ${mib(heap.heap.baseline.backing)} backing stores, RSS ${mib(heap.heap.baseline.rss)}; peaks during the transfer ${mib(heapGrowth + heap.heap.baseline.used)}, ${mib(Math.max(...heap.heap.samples.map((sample) => sample.backing)))}, ${mib(rssGrowth + heap.heap.baseline.rss)} (${heap.heap.samples.length} samples); after the transfer and a forced GC ${mib(heap.heap.settled.used)}, ${mib(heap.heap.settled.backing)}, ${mib(heap.heap.settled.rss)}. Heap every ~${(heap.heap.samples.length > 0 ? heap.transfer.ms / heap.heap.samples.length / 1000 : 0).toFixed(1)} s: ${thin(heap.heap.samples.map((sample) => sample.used / MIB), 24).map((value) => value.toFixed(0)).join(' ')} MiB.`;
  const notes = [
    `Throughput (rows 1–2): one room, the client built from ${r.revision} into a temporary directory and served by our node on 127.0.0.1, every person a fresh context of one headless Chromium (own identity and IndexedDB; Playwright's contexts are off the record, so IndexedDB lives in memory, not on disk). A makes the room and C joins; A attaches single-source.bin and two-sources.bin (${mib(r.size)} each, random bytes, attached by path through the "Attach file" chooser), and C downloads two-sources.bin first (${ms(r.seed.ms)}, ${rate(r.size / (r.seed.ms / 1000))}, the first serve of A's page). Then ${runs} runs, each with a fresh B joining (a new person: a cold page): the raw anchor, Parley from A alone (single-source.bin, "Available from 1 person") and Parley from A and C (two-sources.bin, "Available from 2 people"), in an order rotating by run. Parley's clock runs from the click on "Download" (the click event's timeStamp in B's page) to the row's "Save" in B's DOM (MutationObserver; an init script, tests/bench/files-probe.ts); it includes asking who has the file, fetching and checking the index, and up to one 250 ms UI update (RoomFiles renders file rows at most every 250 ms). Pieces are ${FILE_PIECE_BYTES / 1024} KiB (AES-256-GCM per file), up to ${MAX_IN_FLIGHT} in flight per source, sent on the files data channel in 16 KiB sealed frames; B checks each piece's SHA-256 against the signed index and seals it again into IndexedDB; A reads each from IndexedDB and opens it before sending. Runs (s): one source ${secondsList(r.one.map((run) => run.ms))}; two sources ${secondsList(r.two.map((run) => run.ms))}; raw ${secondsList(r.anchor.map((run) => run.ms))}.`,
    `Raw anchor (row 1), in the same A and B pages (page.evaluate; the app idle meanwhile): an RTCPeerConnection pair with one ordered, reliable data channel, offer and answer with their candidates passed through this process before the clock (tests/bench/files-anchor.ts). B sends "go" and the clock starts; A sends the same ${mib(r.size)} as ${RAW_CHUNK_BYTES / 1024} KiB messages, pausing once bufferedAmount reaches ${RAW_HIGH_WATER / MIB} MiB until bufferedamountlow (${RAW_LOW_WATER / 1024} KiB), as Parley's files channel does (src/transport/files-channel.ts); the clock stops at B's last byte. DTLS is its only encryption; nothing is hashed, stored or rendered.`,
    `CPU while the file moved (utime + stime from /proc over the transfer ÷ its wall time; renderers found by a busy loop, tests/bench/call-cpu.ts; the machine has 2 cores): raw ${cpuSummary(r.anchor.map((run) => run.cpu), true)}; Parley one source ${cpuSummary(r.one.map((run) => run.cpu), true)}; two sources ${cpuSummary(r.two.map((run) => run.cpu), true)}.`,
    `Attaching (click on "Attach file" → the file's row in A's log and "Preparing…" gone: read, encrypt and store every piece, then send the file message; informational): ${attachLine}. A's own row of two-sources.bin, once C had downloaded it, said "${r.senderRow}"${/^Sent/.test(r.senderRow) ? '' : ' (not "Sent": the sender\'s row was not tracked as complete; the bench waits on the other people\'s rows, "Available from …", instead)'}.`,
    `Heap (rows 3–4): a fresh room of two, A attaches ${mib(r.heapSize)} of random bytes and B downloads it. Before B's click, two forced GCs (CDP HeapProfiler.collectGarbage) and a baseline; then CDP Runtime.getHeapUsage every ${r.heapEveryMs} ms from this process (each a short task on B's main thread) and the renderer's VmRSS, until Save. Row 3 is the peak usedSize (the V8 heap, what performance.memory.usedJSHeapSize reports; without collecting first, so garbage not yet collected counts) minus the baseline. Row 4 adds the ArrayBuffers' backing stores (pieces, chunks, crypto results), which live outside the V8 heap and are freed only when V8 collects; V8 starts a collection once such external memory has grown by about 64 MiB (its external allocation soft limit), so their peak follows that trigger rather than what the download keeps (compare the figure after a forced GC). ${heapDetail}`,
    `Text latency (rows 5–7): the throughput room (A and C) with a fresh B per round, ${r.latency.length / 3} rounds, each with three windows in a rotating order: nothing else moving (${r.latency.find((window) => window.kind === 'none')?.ms.length ?? 0} messages), B downloading single-source.bin from A (${secondsList(r.latencyTransfers.map((run) => run.ms))} s), and the raw pair (a fresh one per round in the same two pages) moving ${mib(r.size)} from A to B (${secondsList(r.latencyRaw)} s). For Parley's download B scrolls up to the file's row, clicks "Download" and scrolls back to the newest message (the list renders only rows near the viewport and follows the newest only at the bottom, as a person chatting meanwhile would be); that window lasts until Diagnostics' "pieces received" in B's page reaches the file's piece count (the row may be out of the rendered window by then). A's messages are typed into the composer (Playwright fill + Enter) every ${r.textIntervalMs} ms, a stamp in each text (the room's default flood rule allows 2 a second with bursts of 10: a message every 200 ms would be paced by A's own outbox after 10, which would measure the pacing, not the link); the clock runs from the Enter keydown in A's page to the first DOM node holding the stamp in B's Messages log (epoch clocks of two pages of one machine). Percentiles are nearest-rank over all of a kind's messages; a message not shown at B within 20 s counts as slower than any (${lost} such). Per window (ms): ${r.latency.map((window) => `${window.kind} [${window.ms.map((value) => value.toFixed(0)).join(' ')}]`).join('; ')}.`,
    ...(r.failures.length === 0 ? [] : [`Failures: ${r.failures.join(' / ')}`]),
    `${r.chromium}, headless, one browser for all pages. Load average (1, 5, 15 min) as each part started: ${r.loads.map(([part, value]) => `${part} ${value}`).join('; ')}. The machine has 2 cores and is shared: on loopback every person's page runs on the same 2 cores, so a transfer here is bounded by CPU, not by a network, and absolute rates move with the load; ratios against anchors measured in the same run less so.${r.quick ? ' Quick run (--quick): fewer runs, smaller files.' : ''}`,
  ];
  return { title: 'Files', rows, notes, columns: { ours: 'Parley', reference: 'Anchor (same run)' } };
}

/** At most `count` values of `values`, evenly spaced, the last included. */
function thin(values: readonly number[], count: number): number[] {
  if (values.length <= count) return [...values];
  const step = (values.length - 1) / (count - 1);
  return Array.from({ length: count }, (_, i) => values[Math.round(i * step)] as number);
}
