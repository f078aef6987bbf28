/**
 * A big room in Chromium: a Node host peer holding N signed messages (valid signatures), a page
 * that joins through the invite link and syncs it (timed, informational), persists it to its
 * encrypted IndexedDB store; then the host leaves and the page reloads, alone in the room:
 * navigation start → newest message visible in the Messages log with the composer usable
 * (rooms-probe.ts). Also counts the message list's DOM nodes after load and mid-history.
 */
import { randomBytes } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { formatInviteFragment } from '../../src/core/invite-link.js';
import { deriveRoomKeys } from '../../src/crypto/keys.js';
import type { SignalingServer } from '../../signaling/server.js';
import { createNodePeer, type NodePeer } from '../helpers/node-peer.js';
import { until, wsUrl } from '../helpers/node.js';
import { docFrom, type History } from './rooms-history.js';
import { installProbe, newBenchContext, waitForMarks } from './rooms-probe.js';

export interface BigRoom {
  readonly count: number;
  readonly page: Page;
  readonly context: BrowserContext;
  /** goto start → newest message visible, first join with the host online (ms). */
  readonly initialSyncMs: number;
  /** Bytes of sealed update rows in IndexedDB once persisted. */
  readonly storedBytes: number;
}

export interface ReloadTiming {
  /** navigation start → newest visible with the composer usable, ms */
  readonly visible: number;
  /** … and the next frame painted, ms */
  readonly painted: number;
  /** Long tasks before `painted`: count and total ms. */
  readonly longTasks: number;
  readonly longTaskMs: number;
  /** ms from navigation start until the whole stored history is in the log (aria-busy off). */
  readonly historyLoaded: number;
  /** Longest main-thread task between `painted` and `historyLoaded`, ms (0 if none over 50 ms). */
  readonly longestTaskWhileLoading: number;
}

export interface DomCount {
  readonly logNodes: number;
  readonly articles: number;
  readonly documentNodes: number;
  /** First article shown, as a position in the history (−1 if not found). */
  readonly firstIndex: number;
}

const NEWEST = 'Newest message of the room';

/** Sum of the byte lengths of this room's update rows in the page's `parley` database (run in the page). */
export function storedUpdateBytes(roomId: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open('parley');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      if (!db.objectStoreNames.contains('kv')) {
        db.close();
        return resolve(0);
      }
      const request = db.transaction('kv', 'readonly').objectStore('kv').getAll(IDBKeyRange.bound(['room', roomId, 'u', -Infinity], ['room', roomId, 'u', Infinity]));
      request.onerror = () => reject(request.error);
      request.onsuccess = () => {
        db.close();
        resolve((request.result as unknown[]).reduce<number>((sum, value) => sum + (value instanceof Uint8Array ? value.byteLength : 0), 0));
      };
    };
  });
}

export interface PrepareHooks {
  /** Called with the page before it opens the invite link. */
  readonly beforeGoto?: (page: Page) => Promise<void>;
  /** Called once the newest message is visible, before waiting for storage. */
  readonly afterSync?: (page: Page) => Promise<void>;
}

/** Joins a page to a room whose host holds `history`, waits until it is stored, then lets the host go. */
export async function prepareBigRoom(browser: Browser, node: SignalingServer, history: History, update: Uint8Array, log: (line: string) => void, hooks: PrepareHooks = {}): Promise<BigRoom> {
  const count = history.entries.length;
  const newest = history.entries[count - 1];
  if (newest === undefined || !newest.text.startsWith(NEWEST)) throw new Error('history must end with the newest-message marker');
  const secret = randomBytes(32);
  const { roomId } = deriveRoomKeys(secret);
  let host: NodePeer | null = createNodePeer(wsUrl(node), secret, { doc: docFrom(update) });
  const context = await newBenchContext(browser);
  try {
    await until(() => host?.status().signaling === true, 10_000, 'host on the signaling node');
    await installProbe(context, { texts: { newest: NEWEST } });
    const page = await context.newPage();
    await hooks.beforeGoto?.(page);
    const start = Date.now();
    await page.goto(`${node.url()}/${formatInviteFragment({ secret })}`);
    const synced = await waitForMarks(page, ['newest'], 240_000);
    const initialSyncMs = (synced.marks['newest']?.epoch ?? Number.NaN) - start;
    await hooks.afterSync?.(page);
    log(`  ${count} msgs: first join synced, newest visible ${(initialSyncMs / 1000).toFixed(1)} s after goto`);
    let storedBytes = 0;
    await until(async () => (storedBytes = await page.evaluate(storedUpdateBytes, roomId)) >= update.length * 0.95, 120_000, `room of ${count} messages stored in IndexedDB`);
    await new Promise((resolve) => setTimeout(resolve, 1500)); // let any later write or compaction finish
    host.destroy();
    host = null;
    await until(async () => (await page.getByRole('list', { name: 'People' }).getByRole('listitem').count()) === 1, 20_000, 'the host to leave People');
    return { count, page, context, initialSyncMs, storedBytes };
  } catch (error) {
    await context.close().catch(() => undefined);
    throw error;
  } finally {
    host?.destroy();
  }
}

/** One reload, timed from navigation start by the in-page probe. */
export async function reloadRun(room: BigRoom): Promise<ReloadTiming> {
  await room.page.reload();
  const state = await waitForMarks(room.page, ['newest', 'newest:painted', 'history-loaded'], 60_000);
  const painted = state.marks['newest:painted']?.t ?? Number.NaN;
  const historyLoaded = state.marks['history-loaded']?.t ?? Number.NaN;
  const before = state.longTasks.filter(([start]) => start < painted);
  const during = state.longTasks.filter(([start]) => start >= painted && start < historyLoaded);
  return {
    historyLoaded,
    longestTaskWhileLoading: during.reduce((longest, [, duration]) => Math.max(longest, duration), 0),
    visible: state.marks['newest']?.t ?? Number.NaN,
    painted,
    longTasks: before.length,
    longTaskMs: before.reduce((sum, [, duration]) => sum + duration, 0),
  };
}

function countNodes(): { logNodes: number; articles: number; documentNodes: number; firstText: string } {
  return {
    logNodes: document.querySelectorAll('[role=log] *').length,
    articles: document.querySelectorAll('[role=log] article').length,
    documentNodes: document.getElementsByTagName('*').length,
    firstText: document.querySelector('[role=log] article .text')?.textContent ?? '',
  };
}

/** DOM nodes in the Messages log now, then after scrolling to the middle of the history. */
export async function countDom(room: BigRoom, history: History): Promise<{ atLoad: DomCount; middle: DomCount }> {
  const indexOf = (text: string): number => history.entries.findIndex((entry) => entry.text === text);
  const now = await room.page.evaluate(countNodes);
  const atLoad = { ...now, firstIndex: indexOf(now.firstText) };
  await room.page.evaluate(() => {
    const viewport = document.querySelector('[role=log]')?.parentElement;
    if (viewport) viewport.scrollTop = (viewport.scrollHeight - viewport.clientHeight) / 2;
  });
  // Rows appear once their signatures are checked; wait until what is shown stops changing.
  let last = '';
  let stable = 0;
  let middle = now;
  const deadline = Date.now() + 20_000;
  while (stable < 3) {
    if (Date.now() > deadline) throw new Error(`message list did not settle after scrolling: ${JSON.stringify(middle)}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
    middle = await room.page.evaluate(countNodes);
    const key = `${middle.articles}|${middle.firstText}`;
    stable = middle.articles > 0 && key === last ? stable + 1 : 0;
    last = key;
  }
  return { atLoad, middle: { ...middle, firstIndex: indexOf(middle.firstText) } };
}
