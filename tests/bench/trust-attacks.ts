/**
 * Attacks of a hostile member on a Chromium page, measured: the memory bomb (partial messages that
 * never complete, on two connections at once) with the victim renderer's process memory, and what
 * a flood makes the victim store (its sealed rows in IndexedDB), each beside an anchor measured in
 * the same run on the same page.
 */
import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import * as Y from 'yjs';
import { createClock } from '../../src/core/hlc.js';
import { formatInviteFragment } from '../../src/core/invite-link.js';
import { createMessageEntry, encodeMessageEntry } from '../../src/core/message-entry.js';
import { createIdentity, type Identity } from '../../src/crypto/identity.js';
import { deriveRoomKeys } from '../../src/crypto/keys.js';
import { CHUNK_PAYLOAD_BYTES, MAX_CHUNKS } from '../../src/transport/wire-frames.js';
import { encodeLiveUpdate } from '../../src/transport/wire-messages.js';
import type { SignalingServer } from '../../signaling/server.js';
import { createNodePeer, type NodePeer } from '../helpers/node-peer.js';
import { until, wsUrl } from '../helpers/node.js';
import { createHostilePeer, type HostilePeer } from '../transport/hostile-peer.js';
import { rendererPids, rssBytes } from './renderer-memory.js';
import { incompleteMessage } from '../helpers/chunks.js';
import { newBenchContext } from './rooms-probe.js';
import { storedUpdateBytes } from './rooms-reload.js';

const clock = createClock(Date.now);

export interface Victim {
  readonly page: Page;
  readonly secret: Uint8Array;
  readonly roomId: string;
  readonly honest: NodePeer;
  readonly renderer: number;
  close(): Promise<void>;
}

/** A Chromium page in a room with an honest Node member, its first history in. */
export async function openVictim(browser: Browser, node: SignalingServer): Promise<Victim> {
  const before = new Set(rendererPids());
  const secret = randomBytes(32);
  const honest = createNodePeer(wsUrl(node), secret, { nick: 'Honest' });
  const identity = await honest.identity;
  for (let i = 0; i < 10; i++) {
    const entry = await createMessageEntry(identity, { nick: 'Honest', text: `Hello ${i}`, hlc: clock.tick() });
    honest.doc.getMap('messages').set(entry.id, encodeMessageEntry(entry));
  }
  const context = await newBenchContext(browser);
  const page = await context.newPage();
  await page.goto(`${node.url()}/${formatInviteFragment({ secret })}`);
  await page.getByRole('log', { name: 'Messages' }).getByText('Hello 9').waitFor({ timeout: 30_000 });
  await until(async () => (await page.getByRole('log', { name: 'Messages' }).getAttribute('aria-busy')) === 'false', 30_000, 'the victim settled');
  const renderer = rendererPids().find((pid) => !before.has(pid));
  if (renderer === undefined) throw new Error('victim renderer not found');
  return {
    page,
    secret,
    roomId: deriveRoomKeys(secret).roomId,
    honest,
    renderer,
    close: async () => {
      honest.destroy();
      await context.close().catch(() => undefined);
    },
  };
}

/** The victim's renderer memory after a forced garbage collection (what stays, not what awaits collection). */
export async function settledMemory(victim: Victim): Promise<number> {
  const session = await victim.page.context().newCDPSession(victim.page);
  await session.send('HeapProfiler.collectGarbage');
  await session.detach();
  await new Promise((resolve) => setTimeout(resolve, 500));
  return rssBytes(victim.renderer);
}

/** Sealed update bytes the victim stores for its room. */
export function storedBytes(victim: Victim): Promise<number> {
  return victim.page.evaluate(storedUpdateBytes, victim.roomId);
}

export interface BombResult {
  readonly before: number;
  readonly peak: number;
  /** 10 s after the attack stopped, after a garbage collection. */
  readonly after: number;
  readonly chunksSent: number;
  readonly connections: number;
}

/**
 * Two attacking connections at a time, each sending N−1 of N chunks of the largest message a peer
 * accepts, message after message, for `durationMs`; a connection cut off is replaced by a new one
 * (a new peer id), so the attack keeps two links open as long as it runs.
 */
export async function memoryBomb(victim: Victim, node: SignalingServer, durationMs: number): Promise<BombResult> {
  const before = await settledMemory(victim);
  const attackers = new Set<HostilePeer>();
  let connections = 0;
  let chunksSent = 0;
  let peak = before;
  const end = Date.now() + durationMs;
  const spawn = (): void => {
    const attacker = createHostilePeer(wsUrl(node), victim.secret);
    attackers.add(attacker);
    connections++;
  };
  spawn();
  spawn();
  let id = 1;
  const body = randomBytes(CHUNK_PAYLOAD_BYTES);
  while (Date.now() < end) {
    for (const attacker of [...attackers]) {
      const [target] = attacker.connected();
      if (target === undefined) {
        if (attacker.answered.size === 0 && Date.now() < end) continue; // still joining
        attacker.destroy();
        attackers.delete(attacker);
        spawn();
        continue;
      }
      const chunks = incompleteMessage(id++, MAX_CHUNKS, body);
      attacker.sendRaw(target, chunks);
      chunksSent += chunks.length;
    }
    peak = Math.max(peak, rssBytes(victim.renderer));
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  for (const attacker of attackers) attacker.destroy();
  const stopped = Date.now();
  while (Date.now() - stopped < 10_000) {
    peak = Math.max(peak, rssBytes(victim.renderer));
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { before, peak, after: await settledMemory(victim), chunksSent, connections };
}

/** The anchor: the same page while the honest member chats for `durationMs`. */
export async function honestChat(victim: Victim, durationMs: number): Promise<{ before: number; after: number }> {
  const before = await settledMemory(victim);
  const identity = await victim.honest.identity;
  const end = Date.now() + durationMs;
  let i = 0;
  while (Date.now() < end) {
    const entry = await createMessageEntry(identity, { nick: 'Honest', text: `Chatting ${i++}`, hlc: clock.tick() });
    victim.honest.doc.getMap('messages').set(entry.id, encodeMessageEntry(entry));
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  await new Promise((resolve) => setTimeout(resolve, 10_000));
  return { before, after: await settledMemory(victim) };
}

export type FloodKind = 'junk' | 'forged' | 'valid' | 'fresh-identities' | 'honest';

/** Live updates a flood sends, built with real entries. */
async function floodUpdates(kind: FloodKind, author: Identity, count: number): Promise<Uint8Array[]> {
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array) => void updates.push(update));
  let identity = author;
  for (let i = 0; i < count; i++) {
    if (kind === 'junk') {
      doc.getMap('junk').set(`k${i}`, 'x'.repeat(60_000));
      continue;
    }
    // Fresh identities: a new one for every 256 KiB allowance (about 700 entries).
    if (kind === 'fresh-identities' && i % 7 === 0) identity = await createIdentity();
    const entries = await Promise.all(Array.from({ length: 100 }, (_, j) => createMessageEntry(identity, { nick: 'Flood', text: `Flood ${i} ${j} ${'y'.repeat(200)}`, hlc: clock.tick() })));
    doc.transact(() => {
      for (const entry of entries) doc.getMap('messages').set(entry.id, encodeMessageEntry(kind === 'forged' ? { ...entry, text: `${entry.text}!` } : entry));
    });
  }
  return updates;
}

export interface StorageResult {
  readonly kind: FloodKind;
  readonly seconds: number;
  readonly storedBefore: number;
  readonly storedAfter: number;
  /** Bytes of updates the attacker sent (as live updates). */
  readonly sentBytes: number;
}

/** A hostile member (or, for the anchor, the honest one) sends `kind` at full speed for `durationMs`; the victim's stored bytes before and after. */
export async function storageFlood(victim: Victim, node: SignalingServer, kind: FloodKind, durationMs: number): Promise<StorageResult> {
  const storedBefore = await storedBytes(victim);
  const start = Date.now();
  let sentBytes = 0;
  if (kind === 'honest') {
    const identity = await victim.honest.identity;
    for (let i = 0; Date.now() - start < durationMs; i++) {
      const entry = await createMessageEntry(identity, { nick: 'Honest', text: `An ordinary message, number ${i}`, hlc: clock.tick() });
      const value = encodeMessageEntry(entry);
      sentBytes += value.length;
      victim.honest.doc.getMap('messages').set(entry.id, value);
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  } else {
    let attacker: HostilePeer | null = null;
    const author = await createIdentity();
    while (Date.now() - start < durationMs) {
      if (attacker === null || attacker.connected().length === 0) {
        attacker?.destroy();
        attacker = createHostilePeer(wsUrl(node), victim.secret, { identity: author });
        await until(() => (attacker as HostilePeer).connected().length > 0 || Date.now() - start > durationMs, 40_000, 'the attacker connected').catch(() => undefined);
        continue;
      }
      // Within the message rate (100/s): ten live updates of a hundred entries every 100 ms.
      const updates = await floodUpdates(kind, author, 10);
      for (const update of updates) sentBytes += update.length;
      const [target] = attacker.connected();
      if (target !== undefined) await attacker.send(target, updates.map(encodeLiveUpdate));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    attacker?.destroy();
  }
  await new Promise((resolve) => setTimeout(resolve, 3000)); // let the last writes land
  return { kind, seconds: (Date.now() - start - 3000) / 1000, storedBefore, storedAfter: await storedBytes(victim), sentBytes };
}
