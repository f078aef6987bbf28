/**
 * "A room a hostile member cannot subvert" benchmark (issue 11), each figure beside its anchor in
 * the same run:
 *  1. a Chromium late joiner to rooms of 10k and 100k messages held by a Chromium page (host
 *     online): goto → newest message visible, and → whole history in; anchor: the same join to a
 *     10-message room;
 *  2. the memory bomb (partial messages that never complete, two attacking connections at a time,
 *     10 s): the victim renderer's process memory 10 s after the attack stops; anchor: the same page
 *     while an honest member chats for 10 s;
 *  3. what a hostile member makes the victim store (its sealed rows), per hour, for each flood;
 *     anchor: an honest member chatting, one message every 2 s.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { SignalingServer } from '../../signaling/server.js';
import { launchChromium } from '../helpers/browser.js';
import { startNode } from '../helpers/node.js';
import { median, type Row, type Section } from './report.js';
import { buildClient } from './rooms-bundle.js';
import { generateHistory, historyUpdate } from './rooms-history.js';
import type { BenchOptions } from './signaling.js';
import { honestChat, memoryBomb, openVictim, storageFlood, storedBytes, type FloodKind } from './trust-attacks.js';
import { lateJoinRun, NEWEST, prepareHostRoom, type LateJoinRun } from './trust-join.js';

const MIB = 2 ** 20;
const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const mib = (bytes: number): string => `${(bytes / MIB).toFixed(1)} MiB`;

async function joins(browser: Browser, node: SignalingServer, size: number, runs: number, log: (line: string) => void): Promise<LateJoinRun[]> {
  const update = historyUpdate(generateHistory(size, 20261124, size > 100 ? 8 : 3, NEWEST));
  const room = await prepareHostRoom(browser, node, update);
  const results: LateJoinRun[] = [];
  try {
    for (let run = 0; run <= runs; run++) {
      const result = await lateJoinRun(browser, node, room);
      log(`  ${size} msgs (${mib(update.length)}) ${run === 0 ? 'warm-up' : `run ${run}`}: newest ${seconds(result.newest)}, whole ${seconds(result.whole)}`);
      if (run > 0) results.push(result);
    }
  } finally {
    await room.close();
  }
  return results;
}

/** Stored bytes per hour at the flood's steady rate: between 10 s and the end of a `durationMs` flood. */
async function floodRate(browser: Browser, node: SignalingServer, kind: FloodKind, durationMs: number, log: (line: string) => void): Promise<{ perHour: number; first10s: number; sent: number }> {
  const victim = await openVictim(browser, node);
  try {
    const warm = await storageFlood(victim, node, kind, 10_000);
    const steady = await storageFlood(victim, node, kind, durationMs - 10_000);
    const perHour = ((steady.storedAfter - steady.storedBefore) / steady.seconds) * 3600;
    log(`  ${kind}: first 10 s stored ${mib(warm.storedAfter - warm.storedBefore)}, then ${mib(steady.storedAfter - steady.storedBefore)} in ${steady.seconds.toFixed(0)} s (${mib(perHour)}/h); sent ${mib(warm.sentBytes + steady.sentBytes)}; stored in all ${mib(await storedBytes(victim))}`);
    return { perHour, first10s: warm.storedAfter - warm.storedBefore, sent: warm.sentBytes + steady.sentBytes };
  } finally {
    await victim.close();
  }
}

export async function runTrustBench(options: BenchOptions): Promise<Section> {
  const { log, quick } = options;
  const runs = { small: quick ? 2 : 5, big: quick ? 1 : 3 };
  const loadAtStart = loadavg().map((load) => load.toFixed(2)).join(', ');
  const buildDir = mkdtempSync(join(tmpdir(), 'parley-bench-trust-'));
  let node: SignalingServer | undefined;
  let browser: Browser | undefined;
  const rows: Row[] = [];
  const notes: string[] = [];
  try {
    log('building the client into a temporary directory');
    await buildClient(buildDir);
    node = await startNode({ staticDir: buildDir });
    browser = await launchChromium();
    log('late joiners in Chromium, host a Chromium page');
    const anchor = await joins(browser, node, 10, runs.small, log);
    const small = await joins(browser, node, 10_000, runs.small, log);
    const big = await joins(browser, node, 100_000, runs.big, log);
    const anchorNewest = median(anchor.map((run) => run.newest));
    const row = (measure: string, values: readonly number[], floorMs: number, floor: string): void => {
      const value = median(values);
      rows.push({ measure, ours: seconds(value), reference: `${seconds(anchorNewest)} (10-message room)`, ratio: value / anchorNewest, floor, met: value <= floorMs });
    };
    row(`Chromium late joiner, 10k-message room: goto → newest message visible, host online (median of ${small.length})`, small.map((run) => run.newest), 1000, '≤ 1 s');
    row(`Chromium late joiner, 100k-message room: goto → newest message visible (median of ${big.length})`, big.map((run) => run.newest), 2000, '≤ 2 s');
    row(`… → whole history in (median of ${big.length})`, big.map((run) => run.whole), 8000, '≤ 8 s');
    rows.push({ measure: `… 10k room → whole history in (median of ${small.length}; informational)`, ours: seconds(median(small.map((run) => run.whole))), reference: `${seconds(median(anchor.map((run) => run.whole)))} (10-message room)`, ratio: median(small.map((run) => run.whole)) / median(anchor.map((run) => run.whole)), floor: '—', met: undefined });
    notes.push(`Late joiners (tests/bench/trust-join.ts): a Chromium page holds the room (seeded once from a Node peer, which then leaves); each joiner is a fresh context opening the invite link. Newest: goto start → the newest message's row in the Messages log with the composer usable. Whole: → the log's last move to not busy (it is busy while a streamed history comes in), once the sealed rows in IndexedDB reach the history's size. Runs (s): 10 msgs ${anchor.map((run) => (run.newest / 1000).toFixed(2)).join(', ')}; 10k newest ${small.map((run) => (run.newest / 1000).toFixed(2)).join(', ')}, whole ${small.map((run) => (run.whole / 1000).toFixed(2)).join(', ')}; 100k newest ${big.map((run) => (run.newest / 1000).toFixed(2)).join(', ')}, whole ${big.map((run) => (run.whole / 1000).toFixed(2)).join(', ')}. The client before this work took 16.80 s to show the newest message of the 100k room (RESULTS.md of 2026-11-24, one run, Node host).`);

    log('memory bomb against a Chromium page (two attacking connections, 10 s)');
    const victim = await openVictim(browser, node);
    try {
      const chat = await honestChat(victim, 10_000);
      const bomb = await memoryBomb(victim, node, 10_000);
      log(`  anchor ${mib(chat.before)} → ${mib(chat.after)}; bomb ${mib(bomb.before)} → peak ${mib(bomb.peak)} → ${mib(bomb.after)} (${bomb.chunksSent} chunks, ${bomb.connections} connections)`);
      const growth = bomb.after - bomb.before;
      const anchorGrowth = chat.after - chat.before;
      rows.push({ measure: 'Victim renderer memory growth, memory bomb of 2 attacking connections, 10 s after it stops (RSS after GC)', ours: mib(growth), reference: `${mib(anchorGrowth)} (honest chat, same page)`, ratio: Number.NaN, floor: '≤ 64 MiB', met: growth <= 64 * MIB });
      notes.push(`Memory bomb (tests/bench/trust-attacks.ts): each attacking connection (a hostile Node peer with the room's keys) sends chunks 0…N−2 of N for the largest message a peer accepts (N = ${Math.round(512 * 1024 / 16371) + 1}), message after message, every 20 ms; a connection cut off is replaced by a new peer. ${bomb.chunksSent.toLocaleString('en-US')} chunks on ${bomb.connections} connections in 10 s. Renderer RSS (/proc, after a forced GC): before ${mib(bomb.before)}, peak ${mib(bomb.peak)}, 10 s after ${mib(bomb.after)}. Before this work each attacking connection pinned about 265 MiB (issue 11: 6 connections 171 → 1,758 MiB; 2 connections about 530 MiB).`);
    } finally {
      await victim.close();
    }

    log('what a flood makes a Chromium page store (40 s each)');
    const honest = await floodRate(browser, node, 'honest', 40_000, log);
    for (const kind of ['junk', 'forged', 'valid', 'fresh-identities'] as const) {
      const flood = await floodRate(browser, node, kind, 40_000, log);
      const label = { junk: 'junk under an unknown root', forged: 'forged entries', valid: 'validly signed messages, one identity', 'fresh-identities': 'validly signed messages, a new identity every 256 KiB' }[kind];
      rows.push({ measure: `What one hostile member makes an honest member store, full speed: ${label} (steady rate; first 10 s: ${mib(flood.first10s)})`, ours: `${mib(flood.perHour)}/h`, reference: `${mib(honest.perHour)}/h (honest chat)`, ratio: honest.perHour > 0 ? flood.perHour / honest.perHour : Number.NaN, floor: '≤ 10 MiB/h', met: flood.perHour <= 10 * MIB });
    }
    notes.push('Floods: a hostile Node peer with the room\'s keys sends live updates at the rate a connection may (ten updates of a hundred entries every 100 ms; a connection cut off is replaced by a new one); the victim\'s sealed update rows in IndexedDB are measured after 10 s and after 40 s, and the rate between them is per hour. Before this work junk under an unknown root grew a victim\'s storage by 11–14 MiB/s (issue 11), about 40 GiB an hour.');
    notes.push(`Chromium ${browser.version()}, headless. Load average when the section started (1, 5, 15 min): ${loadAtStart}. The machine has 2 cores and may be shared; a late join runs two renderers (host and joiner) and this process at once.`);
  } finally {
    await browser?.close().catch(() => undefined);
    await node?.close().catch(() => undefined);
    rmSync(buildDir, { recursive: true, force: true });
  }
  return { title: 'A room a hostile member cannot subvert', rows, notes, columns: { ours: 'Parley', reference: 'Anchor (same run)' } };
}
