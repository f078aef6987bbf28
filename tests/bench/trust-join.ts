/**
 * A late joiner in Chromium: a Node host peer holds a room of N signed messages; a fresh page
 * opens the invite link. Measured from goto: the newest message visible in the Messages log
 * (composer usable), and the whole history in (the log stops being aria-busy once the streamed
 * history's last piece is applied; confirmed by the sealed rows in IndexedDB reaching the
 * history's size).
 */
import { randomBytes } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { formatInviteFragment } from '../../src/core/invite-link.js';
import { deriveRoomKeys } from '../../src/crypto/keys.js';
import type { SignalingServer } from '../../signaling/server.js';
import { createNodePeer, previewOf } from '../helpers/node-peer.js';
import { until, wsUrl } from '../helpers/node.js';
import { docFrom } from './rooms-history.js';
import { installProbe, newBenchContext, readProbe, waitForMarks } from './rooms-probe.js';
import { storedUpdateBytes } from './rooms-reload.js';

export const NEWEST = 'Newest message of the room';

export interface LateJoinRun {
  /** goto → newest message visible, ms */
  readonly newest: number;
  /** goto → whole history in, ms */
  readonly whole: number;
}

/** A room held by a Chromium page (the host a joiner meets), seeded once from a Node peer that then leaves. */
export interface HostRoom {
  readonly secret: Uint8Array;
  readonly roomId: string;
  readonly bytes: number;
  close(): Promise<void>;
}

/** Waits until the page's sealed update rows reach 95% of `bytes`. */
async function waitStored(page: import('playwright-core').Page, roomId: string, bytes: number, timeoutMs: number): Promise<void> {
  await until(async () => (await page.evaluate(storedUpdateBytes, roomId)) >= bytes * 0.95, timeoutMs, 'the whole history stored');
}

/** Opens a Chromium page holding `update` (ending with the NEWEST message): it syncs it from a Node peer, stores it, and the Node peer leaves. */
export async function prepareHostRoom(browser: Browser, node: SignalingServer, update: Uint8Array): Promise<HostRoom> {
  const secret = randomBytes(32);
  const { roomId } = deriveRoomKeys(secret);
  const doc = docFrom(update);
  previewOf(doc);
  const seeder = createNodePeer(wsUrl(node), secret, { doc });
  const context = await newBenchContext(browser);
  try {
    await until(() => seeder.status().signaling, 10_000, 'seeder on the signaling node');
    const page = await context.newPage();
    await page.goto(`${node.url()}/${formatInviteFragment({ secret })}`);
    await waitStored(page, roomId, update.length, 300_000);
    // The host page needs the whole history in its document (not just stored) before it serves it.
    await until(async () => (await page.getByRole('log', { name: 'Messages' }).getAttribute('aria-busy')) === 'false', 60_000, 'the host page settled');
    return { secret, roomId, bytes: update.length, close: () => context.close().catch(() => undefined) };
  } catch (error) {
    await context.close().catch(() => undefined);
    throw error;
  } finally {
    seeder.destroy();
  }
}

/** One late join, in a fresh context, to a room a Chromium host page holds. */
export async function lateJoinRun(browser: Browser, node: SignalingServer, room: HostRoom): Promise<LateJoinRun> {
  const context = await newBenchContext(browser);
  try {
    await installProbe(context, { texts: { newest: NEWEST } });
    const page = await context.newPage();
    const start = Date.now();
    await page.goto(`${node.url()}/${formatInviteFragment({ secret: room.secret })}`);
    const state = await waitForMarks(page, ['newest'], 120_000);
    const newest = (state.marks['newest']?.epoch ?? Number.NaN) - start;
    await waitStored(page, room.roomId, room.bytes, 180_000);
    const storedAt = Date.now();
    // Wait for the log to settle, then take its last move to not busy.
    await until(async () => (await readProbe(page)).busy.at(-1)?.[1] === false, 30_000, 'the log not busy');
    const busy = (await readProbe(page)).busy;
    const lastIdle = busy.at(-1)?.[0] ?? storedAt;
    return { newest, whole: Math.max(newest, lastIdle - start) };
  } finally {
    await context.close().catch(() => undefined);
  }
}
