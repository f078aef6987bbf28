/**
 * CPU of one page for the "Calls" bench: its renderer process's utime + stime from /proc (every
 * thread: main thread, WebRTC's network/worker threads, the video encoders and decoders), the
 * whole Chromium we launched (every descendant process of this one: browser, GPU/compositor,
 * network, all renderers), and the page's main-thread task time from CDP (Performance.getMetrics
 * TaskDuration). Which renderer is the page's is found by calibration: the page busy-loops for a
 * while and the renderer whose CPU time rose by about that much is it.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { CDPSession, Page } from 'playwright-core';

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
const CALIBRATION_MS = 2000;

interface ProcStat {
  readonly ppid: number;
  /** utime + stime, seconds */
  readonly cpu: number;
}

function readStat(pid: number): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces) in parentheses: state ppid … utime(14) stime(15).
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), cpu: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND };
  } catch {
    return null;
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** Every Chromium process below this Node process: pid → CPU seconds so far. */
export function chromiumProcesses(): Map<number, { cpu: number; renderer: boolean }> {
  const stats = new Map<number, ProcStat>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat !== null) stats.set(Number(entry), stat);
  }
  const mine = new Set([process.pid]);
  // Parents come before their children in pid order only mostly: iterate to a fixed point.
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, stat] of stats) {
      if (!mine.has(pid) && mine.has(stat.ppid)) {
        mine.add(pid);
        grew = true;
      }
    }
  }
  const result = new Map<number, { cpu: number; renderer: boolean }>();
  for (const pid of mine) {
    if (pid === process.pid) continue;
    const line = cmdline(pid);
    if (!line.includes('chromium') && !line.includes('chrome')) continue;
    result.set(pid, { cpu: stats.get(pid)?.cpu ?? 0, renderer: line.includes('--type=renderer') });
  }
  return result;
}

/** Pids of the renderers of the Chromium we launched. */
export const rendererPids = (): Set<number> => new Set([...chromiumProcesses()].filter(([, info]) => info.renderer).map(([pid]) => pid));

/**
 * The pid of `page`'s renderer, among `candidates` (e.g. the renderers that appeared while its room
 * opened): the one whose CPU time rose most while the page busy-looped, by at least 3× the next one
 * (on a loaded machine the loop gets only a share of a core, so no absolute threshold).
 */
export async function rendererOf(page: Page, candidates: ReadonlySet<number>): Promise<number> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const before = chromiumProcesses();
    await page.evaluate((ms) => {
      const end = performance.now() + ms;
      while (performance.now() < end);
    }, CALIBRATION_MS);
    const after = chromiumProcesses();
    const deltas = [...after].filter(([pid, info]) => info.renderer && candidates.has(pid)).map(([pid, info]) => [pid, info.cpu - (before.get(pid)?.cpu ?? info.cpu)] as const).sort((x, y) => y[1] - x[1]);
    const [best, second] = deltas;
    if (best !== undefined && best[1] >= 0.05 && (second === undefined || second[1] * 3 <= best[1])) return best[0];
  }
  throw new Error("could not tell the page's renderer process from the others (busy-loop calibration failed five times)");
}

export interface CpuWindow {
  /** CPU time / wall time of the page's renderer process (1 = one core busy). */
  readonly renderer: number;
  /** The same per thread name of that process (threads of one name summed), largest first. */
  readonly threads: ReadonlyArray<readonly [string, number]>;
  /** The same for every Chromium process we launched. */
  readonly browser: number;
  /** The page's main-thread tasks (CDP TaskDuration: wall time inside tasks, waits for a core included) / wall time. */
  readonly mainThread: number;
  readonly seconds: number;
}

/** A page's CPU meter: the renderer pid and a CDP session with Performance metrics enabled. */
export interface PageCpu {
  readonly pid: number;
  measure(ms: number): Promise<CpuWindow>;
}

/** CPU seconds so far of each thread of `pid`, by thread name (digits dropped: "Worker3" → "Worker"). */
function threadCpu(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return byName;
  }
  for (const tid of tids) {
    try {
      const text = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = tid === String(pid) ? 'main thread' : text.slice(text.indexOf('(') + 1, text.lastIndexOf(')')).replace(/\d+/g, '').trim();
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      byName.set(name, (byName.get(name) ?? 0) + (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND);
    } catch {
      // the thread ended
    }
  }
  return byName;
}

async function taskDuration(session: CDPSession): Promise<number> {
  const { metrics } = await session.send('Performance.getMetrics');
  return metrics.find((metric) => metric.name === 'TaskDuration')?.value ?? Number.NaN;
}

const total = (processes: Map<number, { cpu: number }>): number => [...processes.values()].reduce((sum, info) => sum + info.cpu, 0);

export async function pageCpu(page: Page, candidates: ReadonlySet<number>): Promise<PageCpu> {
  const pid = await rendererOf(page, candidates);
  const session = await page.context().newCDPSession(page);
  await session.send('Performance.enable');
  return {
    pid,
    async measure(ms) {
      const start = { wall: performance.now(), renderer: readStat(pid)?.cpu ?? Number.NaN, threads: threadCpu(pid), browser: total(chromiumProcesses()), task: await taskDuration(session) };
      await new Promise((resolve) => setTimeout(resolve, ms));
      const end = { wall: performance.now(), renderer: readStat(pid)?.cpu ?? Number.NaN, threads: threadCpu(pid), browser: total(chromiumProcesses()), task: await taskDuration(session) };
      const seconds = (end.wall - start.wall) / 1000;
      const threads = [...end.threads].map(([name, cpu]) => [name, (cpu - (start.threads.get(name) ?? 0)) / seconds] as const).filter(([, share]) => share > 0).sort((x, y) => y[1] - x[1]);
      return { renderer: (end.renderer - start.renderer) / seconds, threads, browser: (end.browser - start.browser) / seconds, mainThread: (end.task - start.task) / seconds, seconds };
    },
  };
}
