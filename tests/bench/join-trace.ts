/**
 * Reads a Chromium trace (browser.startTracing) of the joiner's page: the renderer main thread's
 * top-level tasks after the clock start, longest first and by what ran in them, to see what
 * keeps the main thread from handling the WebSocket, signaling and data-channel events.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface TraceEvent {
  readonly name: string;
  readonly ph: string;
  readonly ts: number;
  readonly dur?: number;
  readonly pid: number;
  readonly tid: number;
  readonly args?: { readonly name?: string; readonly data?: Record<string, unknown> };
}

/** Writes `<name>.trace.json` and `<name>.tasks.txt` (main-thread tasks from the clock start, ms). */
export function saveTrace(dir: string, name: string, trace: Buffer, clockStartEpoch: number, timeOriginEpoch: number): string {
  writeFileSync(join(dir, `${name}.trace.json`), trace);
  const events = (JSON.parse(trace.toString('utf8')) as { traceEvents: TraceEvent[] }).traceEvents;
  const mains = events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  // The page's main thread: the renderer main thread with the most JS in the window.
  const counts = new Map<string, number>();
  for (const e of events) if (e.name === 'FunctionCall' || e.name === 'EvaluateScript') counts.set(`${e.pid}:${e.tid}`, (counts.get(`${e.pid}:${e.tid}`) ?? 0) + (e.dur ?? 0));
  const main = mains.map((m) => `${m.pid}:${m.tid}`).sort((a, b) => (counts.get(b) ?? 0) - (counts.get(a) ?? 0))[0];
  const onMain = events.filter((e) => `${e.pid}:${e.tid}` === main && e.ph === 'X' && e.dur !== undefined);
  // Trace clock → epoch: navigationStart-like anchor is not in every trace, so use the page's time origin
  // and the first TimeStamp/mark is not needed: the user-timing marks carry the page's performance.now().
  const origin = onMain.find((e) => e.name === 'RunTask')?.ts ?? 0;
  const tasks = onMain.filter((e) => e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask');
  const children = (task: TraceEvent): Map<string, number> => {
    const by = new Map<string, number>();
    for (const e of onMain) {
      if (e === task || e.ts < task.ts || e.ts + (e.dur ?? 0) > task.ts + (task.dur ?? 0)) continue;
      if (e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask') continue;
      const label = e.name === 'FunctionCall' ? `FunctionCall ${String(e.args?.data?.['functionName'] ?? '')}` : e.name === 'EventDispatch' ? `EventDispatch ${String(e.args?.data?.['type'] ?? '')}` : e.name;
      by.set(label, (by.get(label) ?? 0) + (e.dur ?? 0));
    }
    return by;
  };
  const lines = [`main thread ${main}; times in ms from the first task in the trace (trace starts shortly before the clock start; clock start epoch ${clockStartEpoch.toFixed(1)}, time origin ${timeOriginEpoch.toFixed(1)})`, ''];
  let busy = 0;
  for (const task of tasks) busy += task.dur ?? 0;
  lines.push(`tasks: ${tasks.length}, busy ${(busy / 1000).toFixed(0)} ms`, '', 'tasks ≥ 5 ms in time order (start, duration, what ran inside, ms):');
  for (const task of tasks) {
    if ((task.dur ?? 0) < 5000) continue;
    const inside = [...children(task)].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([label, us]) => `${label} ${(us / 1000).toFixed(1)}`).join('; ');
    lines.push(`${((task.ts - origin) / 1000).toFixed(1).padStart(8)} ${((task.dur ?? 0) / 1000).toFixed(1).padStart(7)}  ${inside}`);
  }
  const text = `${lines.join('\n')}\n`;
  writeFileSync(join(dir, `${name}.tasks.txt`), text);
  return text;
}
