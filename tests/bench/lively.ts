/**
 * "A lively room" benchmark (the conversation issue): reload and scrolling of a 10k-message room
 * full of replies, edits, reactions and read receipts, beside the same 10k messages without them
 * (the anchor, same run, same pages), against the encrypted-rooms floors (reload ≤ 1.5 s,
 * ≤ 300 elements under the Messages log).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { SignalingServer } from '../../signaling/server.js';
import { launchChromium } from '../helpers/browser.js';
import { startNode } from '../helpers/node.js';
import { buildClient } from './rooms-bundle.js';
import { checkSignatures, generateHistory, historyUpdate } from './rooms-history.js';
import { checkActs, generateLivelyHistory, livelyUpdate } from './lively-history.js';
import { countDom, prepareBigRoom, reloadRun, type BigRoom, type ReloadTiming } from './rooms-reload.js';
import { median, type Row, type Section } from './report.js';
import type { BenchOptions } from './signaling.js';

const COUNT = 10_000;
const NEWEST = 'Newest message of the room';
const SCROLL_JUMPS = 20;

const time = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const list = (values: readonly number[]): string => values.map((ms) => (ms / 1000).toFixed(2)).join(', ');

/**
 * Jumps through the history (from the top to the bottom in SCROLL_JUMPS steps) and times, for
 * each jump, the scroll to the second animation frame after it: the frame that shows the rows.
 */
function scrollSweep(jumps: number): Promise<number[]> {
  const viewport = document.querySelector('[role=log]')?.parentElement;
  if (!viewport) return Promise.resolve([]);
  const frame = (): Promise<void> => new Promise((resolve) => requestAnimationFrame(() => resolve()));
  return (async () => {
    const times: number[] = [];
    for (let i = 0; i <= jumps; i++) {
      const start = performance.now();
      viewport.scrollTop = ((viewport.scrollHeight - viewport.clientHeight) * i) / jumps;
      await frame();
      await frame();
      times.push(performance.now() - start);
      await new Promise((resolve) => setTimeout(resolve, 100)); // let signature checks of the new rows land
    }
    return times;
  })();
}

async function marksOfLife(page: Page): Promise<{ edited: number; reactions: number; replies: number }> {
  return page.evaluate(() => {
    const log = document.querySelector('[role=log]');
    const text = log?.textContent ?? '';
    return {
      edited: (text.match(/\(edited\)/g) ?? []).length,
      reactions: log?.querySelectorAll('[aria-label*="reacted"], .reactions button').length ?? 0,
      replies: log?.querySelectorAll('.quote, [aria-label^="Reply to"], blockquote').length ?? 0,
    };
  });
}

export async function runLivelyBench(options: BenchOptions): Promise<Section> {
  const { log, quick } = options;
  const runs = quick ? 2 : 5;
  const loadAtStart = loadavg().map((load) => load.toFixed(2)).join(', ');
  const buildDir = mkdtempSync(join(tmpdir(), 'parley-bench-lively-'));
  let node: SignalingServer | undefined;
  const rooms: BigRoom[] = [];
  const browser = await launchChromium();
  try {
    await buildClient(buildDir);
    const start = performance.now();
    const lively = generateLivelyHistory(COUNT, 20261124, NEWEST);
    const plain = generateHistory(COUNT, 20261124, 8, NEWEST);
    await checkSignatures(lively);
    await checkActs(lively);
    const livelyBytes = livelyUpdate(lively);
    const plainBytes = historyUpdate(plain);
    log(`lively room: ${COUNT} messages, ${lively.replies} replies, ${lively.edits} edits, ${lively.reactions} reactions, ${lively.authors.length} receipts; ${(livelyBytes.length / 2 ** 20).toFixed(1)} MiB vs ${(plainBytes.length / 2 ** 20).toFixed(1)} MiB plain (${((performance.now() - start) / 1000).toFixed(1)} s to make)`);
    node = await startNode({ staticDir: buildDir });
    const anchor = await prepareBigRoom(browser, node, plain, plainBytes, log);
    rooms.push(anchor);
    const room = await prepareBigRoom(browser, node, lively, livelyBytes, log);
    rooms.push(room);
    const timings = { anchor: [] as ReloadTiming[], lively: [] as ReloadTiming[] };
    for (let run = 0; run <= runs; run++) {
      const order = run % 2 === 0 ? (['anchor', 'lively'] as const) : (['lively', 'anchor'] as const);
      for (const which of order) {
        const timing = await reloadRun(which === 'lively' ? room : anchor);
        log(`  reload ${which} ${run === 0 ? 'warm-up' : `run ${run}`}: painted ${timing.painted.toFixed(0)} ms, history in ${timing.historyLoaded.toFixed(0)} ms`);
        if (run > 0) timings[which].push(timing);
      }
    }
    const life = await marksOfLife(room.page);
    if (life.edited === 0 && life.reactions === 0 && life.replies === 0) throw new Error('the lively room shows no edits, reactions or replies: the bench would measure a plain room');
    const domLively = await countDom(room, lively);
    const domAnchor = await countDom(anchor, plain);
    const sweepLively: number[] = [];
    const sweepAnchor: number[] = [];
    for (let run = 0; run < 2; run++) {
      sweepAnchor.push(...(await anchor.page.evaluate(scrollSweep, SCROLL_JUMPS)));
      sweepLively.push(...(await room.page.evaluate(scrollSweep, SCROLL_JUMPS)));
    }
    const painted = (list_: ReloadTiming[]): number => median(list_.map((t) => t.painted));
    const history = (list_: ReloadTiming[]): number => median(list_.map((t) => t.historyLoaded));
    const rows: Row[] = [
      {
        measure: `Reload of a lively ${COUNT.toLocaleString('en-US')}-message room, alone, Chromium: navigation start → newest message visible, composer usable, next frame (median of ${runs})`,
        ours: time(painted(timings.lively)), reference: `${time(painted(timings.anchor))} (same messages, no replies/edits/reactions)`,
        ratio: painted(timings.lively) / painted(timings.anchor), floor: '≤ 1.5 s', met: painted(timings.lively) <= 1500,
      },
      {
        measure: '… whole stored history in the log, acts applied (aria-busy off; informational)',
        ours: time(history(timings.lively)), reference: time(history(timings.anchor)),
        ratio: history(timings.lively) / history(timings.anchor), floor: '—', met: undefined,
      },
      {
        measure: 'Elements under the Messages log after load',
        ours: String(domLively.atLoad.logNodes), reference: String(domAnchor.atLoad.logNodes),
        ratio: domLively.atLoad.logNodes / domAnchor.atLoad.logNodes, floor: '≤ 300', met: domLively.atLoad.logNodes <= 300,
      },
      {
        measure: '… after scrolling to the middle of the history',
        ours: String(domLively.middle.logNodes), reference: String(domAnchor.middle.logNodes),
        ratio: domLively.middle.logNodes / domAnchor.middle.logNodes, floor: '≤ 300', met: domLively.middle.logNodes <= 300,
      },
      {
        measure: `Scrolling: a jump to another part of the history → second frame after it (median of ${sweepLively.length} jumps; informational)`,
        ours: time(median(sweepLively)), reference: time(median(sweepAnchor)),
        ratio: median(sweepLively) / median(sweepAnchor), floor: '—', met: undefined,
      },
      {
        measure: '… slowest of those jumps (informational)',
        ours: time(Math.max(...sweepLively)), reference: time(Math.max(...sweepAnchor)),
        ratio: Math.max(...sweepLively) / Math.max(...sweepAnchor), floor: '—', met: undefined,
      },
    ];
    return {
      title: 'A lively room',
      columns: { ours: 'Lively room', reference: 'Anchor: plain room (same run)' },
      rows,
      notes: [
        `The lively room: ${COUNT.toLocaleString('en-US')} signed messages from 8 authors (tests/bench/lively-history.ts), of which ${lively.replies} are replies to one of the 50 messages before them, ${lively.edits} were edited by their author and ${lively.reactions} reactions (1–3 per message on 40% of them) from the 8 authors, plus a read receipt per author; ${(livelyBytes.length / 2 ** 20).toFixed(1)} MiB as one Yjs update. The anchor is the same ${COUNT.toLocaleString('en-US')} messages without any of that (${(plainBytes.length / 2 ** 20).toFixed(1)} MiB).`,
        'Each room is joined by a Chromium page from a Node host peer, stored in the page\'s sealed IndexedDB, then reloaded alone (as in the encrypted-rooms reload rows). Reloads alternate between the rooms after one warm-up reload each.',
        `Reload runs (s, painted): lively ${list(timings.lively.map((t) => t.painted))}; anchor ${list(timings.anchor.map((t) => t.painted))}. Whole history in: lively ${list(timings.lively.map((t) => t.historyLoaded))}; anchor ${list(timings.anchor.map((t) => t.historyLoaded))}.`,
        `After load the lively log showed ${life.edited} "(edited)" markers, ${life.reactions} reaction buttons and ${life.replies} reply quotes in its window (checked, so the bench cannot measure a room whose acts did not load). Articles in the window: lively ${domLively.atLoad.articles} at load / ${domLively.middle.articles} mid-history, anchor ${domAnchor.atLoad.articles} / ${domAnchor.middle.articles}.`,
        `Scrolling: ${SCROLL_JUMPS + 1} jumps from the top to the bottom of the history, twice per room, 100 ms apart; each timed from setting scrollTop to the second animation frame after it (the frame that paints the new rows).`,
        `Chromium ${browser.version()}, headless. Load average when the section started (1, 5, 15 min): ${loadAtStart}. 2 shared cores: absolute times move with other load; the anchor, measured in the same run, less so.`,
      ],
    };
  } finally {
    for (const opened of rooms) await opened.context.close().catch(() => undefined);
    await browser.close().catch(() => undefined);
    await node?.close().catch(() => undefined);
    rmSync(buildDir, { recursive: true, force: true });
  }
}
