/**
 * Late-joiner sync between Node peers (our room provider over @roamhq/wrtc, through our
 * signaling node in this process): a host whose doc holds N messages, then a fresh peer joins;
 * from its creation until its `messages` map holds all N. Anchor: the same doc's
 * Y.encodeStateAsUpdate + Y.applyUpdate into a fresh doc in-process, the floor of any transport.
 */
import { randomBytes } from 'node:crypto';
import * as Y from 'yjs';
import { openBox, sealBox } from '../../src/crypto/box.js';
import { createNodePeer, previewOf, type NodePeer } from '../helpers/node-peer.js';
import { startNode, until, wsUrl } from '../helpers/node.js';
import { docFrom } from './rooms-history.js';
import { median } from './report.js';

export interface SyncResult {
  readonly count: number;
  readonly updateBytes: number;
  /** Joiner created → all N entries in its map, ms. */
  readonly join: number[];
  /** Joiner created → WebRTC connection to the host up, ms. */
  readonly connect: number[];
  /** Encode + apply in-process, ms. */
  readonly anchor: number[];
  /** Seal + open of the encoded doc with the wire key's cipher (tweetnacl secretbox), ms: part of the transport's cost. */
  readonly sealOpen: number[];
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function anchorRun(doc: Y.Doc, count: number): number {
  const start = performance.now();
  const fresh = new Y.Doc();
  Y.applyUpdate(fresh, Y.encodeStateAsUpdate(doc));
  const elapsed = performance.now() - start;
  const size = fresh.getMap('messages').size;
  fresh.destroy();
  if (size !== count) throw new Error(`anchor doc holds ${size} entries, expected ${count}`);
  return elapsed;
}

function sealOpenRun(update: Uint8Array): number {
  const key = randomBytes(32);
  const start = performance.now();
  const opened = openBox(key, sealBox(key, update));
  const elapsed = performance.now() - start;
  if (opened?.length !== update.length) throw new Error('seal/open failed');
  return elapsed;
}

/**
 * Resolves with the time (performance.now()) at which the doc's messages map first holds `count`
 * entries. Checked after each transaction by clocks (one per writer: `target`, the host's state
 * vector), then by size once: counting a Y.Map's entries walks all of them, and a history arriving
 * in pieces is a few hundred transactions (0.8 s of this process for 100k messages).
 */
function whenFull(peer: NodePeer, count: number, target: Map<number, number>, timeoutMs: number): Promise<number> {
  const messages = peer.doc.getMap<unknown>('messages');
  return new Promise((resolve, reject) => {
    const check = (): void => {
      for (const [client, clock] of target) if (Y.getState(peer.doc.store, client) < clock) return;
      if (messages.size < count) return;
      const now = performance.now();
      clearTimeout(timer);
      peer.doc.off('afterTransaction', check);
      resolve(now);
    };
    const timer = setTimeout(() => {
      peer.doc.off('afterTransaction', check);
      reject(new Error(`late joiner has ${messages.size} of ${count} entries after ${timeoutMs} ms`));
    }, timeoutMs);
    peer.doc.on('afterTransaction', check);
    check();
  });
}

/** Measures `runs` late joins against a host holding `update` (N = `count` messages). */
export async function measureLateJoin(update: Uint8Array, count: number, runs: number, log: (line: string) => void): Promise<SyncResult> {
  const node = await startNode();
  const secret = randomBytes(32);
  const hostDoc = docFrom(update);
  // The Node host's preview is made ahead: a browser host takes it from its log at no cost, this one decodes every entry.
  previewOf(hostDoc);
  const host = createNodePeer(wsUrl(node), secret, { doc: hostDoc });
  const result: SyncResult = { count, updateBytes: Y.encodeStateAsUpdate(hostDoc).length, join: [], connect: [], anchor: [], sealOpen: [] };
  const timeoutMs = 60_000;
  try {
    await until(() => host.status().signaling, 10_000, 'host on the signaling node');
    // One warm-up join (JIT, wrtc threads), not counted.
    for (let run = 0; run <= runs; run++) {
      const start = performance.now();
      const joiner = createNodePeer(wsUrl(node), secret);
      let connectedAt = Number.NaN;
      const poll = setInterval(() => {
        if (Number.isNaN(connectedAt) && joiner.status().peers > 0) connectedAt = performance.now();
      }, 2);
      try {
        const full = await whenFull(joiner, count, Y.decodeStateVector(Y.encodeStateVector(hostDoc)), timeoutMs);
        const join = full - start;
        const connect = connectedAt - start;
        if (run > 0) {
          result.join.push(join);
          result.connect.push(connect);
        }
        if (joiner.drops.length > 0) throw new Error(`late joiner dropped frames: ${joiner.drops.slice(0, 5).join(', ')}`);
        log(`  ${count} msgs ${run === 0 ? 'warm-up' : `run ${run}`}: joined in ${join.toFixed(0)} ms (connected at ${connect.toFixed(0)} ms)`);
      } finally {
        clearInterval(poll);
        joiner.destroy();
      }
      await until(() => host.status().peers === 0, 20_000, 'host to notice the joiner left');
      await sleep(200);
      if (run > 0) {
        result.anchor.push(anchorRun(hostDoc, count));
        result.sealOpen.push(sealOpenRun(Y.encodeStateAsUpdate(hostDoc)));
      }
    }
  } finally {
    host.destroy();
    hostDoc.destroy();
    await node.close();
  }
  log(`  ${count} msgs: median join ${median(result.join).toFixed(0)} ms, anchor ${median(result.anchor).toFixed(0)} ms`);
  return result;
}
