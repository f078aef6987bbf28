/**
 * Files from whoever has them: the downloading side of the file protocol (file-messages.ts) and
 * the facade the session uses. A download asks every connected member which pieces they hold,
 * takes the index (the pieces' hashes) from one of them and checks it against the signed root,
 * then keeps up to MAX_IN_FLIGHT pieces in flight per source, in file order, verifies every
 * piece's hash before storing it, and stops asking a member who sent a bad one. Pieces already
 * stored are never asked again, so a reload or a lost connection resumes where it was.
 *
 * Memory is bounded by what is in flight (sources × MAX_IN_FLIGHT pieces of 256 KiB): a piece
 * goes to the store as soon as it is verified, and nothing holds a whole file.
 */
import { FILE_HASH_BYTES, FILE_PIECE_BYTES, pieceCount, plainPieceLength } from '../core/file-manifest.js';
import { toBase64Url } from '../crypto/encoding.js';
import type { DropReason } from '../core/types.js';
import { MAX_QUERY_IDS, MAX_REQUEST_PIECES, type FileMessage } from './file-messages.js';
import type { FileLinks } from './file-links.js';
import { createFileServer, type FileServerOptions, type KnownFile } from './file-serve.js';
import { bitSet, countBits, createDownload, type Download, type DownloadStatus } from './file-download.js';

export type { DownloadPhase, DownloadStatus } from './file-download.js';

/**
 * Pieces in flight per source: 3 MiB, under the 4 MiB a link's files channel may have waiting to
 * be opened (link.ts). 6 left the sender's channel empty most of the time on a busy machine (the
 * pipeline waited on round trips and the store); 12 kept it busy (files bench: 0.55× → 0.8× of a
 * raw channel).
 */
export const MAX_IN_FLIGHT = 12;
/**
 * Verified pieces waiting for the store, per download: the store's writes overlap the next
 * requests instead of holding their slots, and no more than this much waits in memory (2 MiB).
 */
export const MAX_STORING = 8;
/** A piece or index not answered in this long is asked of someone else. */
export const REQUEST_TIMEOUT_MS = 15_000;
/** A download with no source asks the room again this often. */
const WAITING_QUERY_MS = 5_000;

export interface FileSwarmOptions extends Omit<FileServerOptions, 'onDrop'> {
  readonly onDrop: (reason: DropReason) => void;
  /** Milliseconds (monotonic); injected by tests. */
  readonly now?: () => number;
  /** Runs `tick` every second; tests pass a no-op and call tick() themselves. */
  readonly every?: (ms: number, tick: () => void) => () => void;
}

export interface FileSwarm {
  /** Loads what the store holds of `fileId` (a partial download resumes by itself); call when its message is shown. */
  track(fileId: string): Promise<DownloadStatus>;
  /** Starts or resumes downloading. */
  download(fileId: string): void;
  pause(fileId: string): void;
  /** Stops and deletes what was stored of the file. */
  cancel(fileId: string): Promise<void>;
  /** The sender stored every piece and the index of `file` itself (its message may not be shown yet): complete here, and peers are told. */
  seeded(fileId: string, file: KnownFile): void;
  /** Asks the connected members which of these files they hold (availability). */
  query(fileIds: readonly string[]): void;
  status(fileId: string): DownloadStatus;
  /** Keys of connected members who hold the whole file. */
  holders(fileId: string): string[];
  /** Calls `listener` with a file id whenever its status or holders change; returns an unsubscribe. */
  onChange(listener: (fileId: string) => void): () => void;
  /** Pieces received (verified and stored), served, and refused as bad since this page opened (Diagnostics). */
  stats(): { readonly received: number; readonly served: number; readonly bad: number };
  /** Advances timeouts (the interval calls it; tests call it with an injected clock). */
  tick(): void;
  destroy(): void;
}

export function createFileSwarm(options: FileSwarmOptions): FileSwarm {
  const { links, store, onDrop } = options;
  const now = options.now ?? ((): number => performance.now());
  const downloads = new Map<string, Download>();
  /** What each connected member holds, per file: peer id → { key, bitfield }. */
  const holdings = new Map<string, Map<string, { readonly key: string; readonly total: number; readonly bitfield: Uint8Array }>>();
  const listeners = new Set<(fileId: string) => void>();
  const lastQuery = new Map<string, number>();
  const server = createFileServer({ ...options, onDrop, onServed: (fileId) => changed(fileId) });
  let destroyed = false;
  let received = 0;
  let bad = 0;

  const changed = (fileId: string): void => {
    for (const listener of listeners) listener(fileId);
  };

  const sources = (download: Download): string[] => {
    const held = holdings.get(download.fileId);
    const peers = links.peers();
    if (held === undefined) return [];
    return [...held.keys()].filter((peerId) => peers.has(peerId) && !download.bad.has(peerId) && held.get(peerId)!.bitfield.length > 0);
  };

  const askIndex = (download: Download): void => {
    if (download.indexAsk !== null || download.index !== null) return;
    const candidates = sources(download);
    const peerId = candidates[Math.floor(Math.random() * candidates.length)];
    if (peerId === undefined) return;
    download.indexAsk = { peerId, at: now() };
    links.send(peerId, { kind: 'index-request', id: download.fileId });
  };

  /** Fills every source's in-flight window with pieces it holds that we lack, in file order. */
  const schedule = (download: Download): void => {
    if (destroyed || download.phase !== 'downloading') return;
    if (download.index === null) return askIndex(download);
    if (download.storing.size >= MAX_STORING) return;
    const held = holdings.get(download.fileId);
    for (const peerId of sources(download)) {
      const inFlight = download.perPeer.get(peerId) ?? 0;
      // Refill in batches: one request message per few pieces, not one per piece.
      if (inFlight > MAX_IN_FLIGHT / 2) continue;
      const bitfield = held?.get(peerId)?.bitfield;
      if (bitfield === undefined) continue;
      const pieces: number[] = [];
      for (let piece = download.cursor; piece < download.total && inFlight + pieces.length < MAX_IN_FLIGHT && pieces.length < MAX_REQUEST_PIECES; piece++) {
        if (bitSet(download.have, piece) || download.inFlight.has(piece) || download.storing.has(piece) || !bitSet(bitfield, piece)) continue;
        pieces.push(piece);
        download.inFlight.set(piece, { peerId, at: now() });
      }
      if (pieces.length === 0) continue;
      download.perPeer.set(peerId, inFlight + pieces.length);
      links.send(peerId, { kind: 'request', id: download.fileId, pieces });
    }
    if (download.inFlight.size === 0 && sources(download).length === 0) {
      download.waiting = true;
      queryOne(download.fileId, false);
    } else download.waiting = false;
    changed(download.fileId);
  };

  const release = (download: Download, piece: number): string | null => {
    const flight = download.inFlight.get(piece);
    if (flight === undefined) return null;
    download.inFlight.delete(piece);
    download.perPeer.set(flight.peerId, Math.max(0, (download.perPeer.get(flight.peerId) ?? 1) - 1));
    return flight.peerId;
  };

  /** A member sent what contradicts the signed manifest: never asked again for this file. */
  const distrust = (download: Download, peerId: string): void => {
    bad++;
    onDrop('signature');
    download.bad.add(peerId);
    links.strike(peerId, 20);
    for (const [piece, flight] of [...download.inFlight]) if (flight.peerId === peerId) release(download, piece);
  };

  const complete = async (download: Download): Promise<void> => {
    download.phase = 'complete';
    download.inFlight.clear();
    download.perPeer.clear();
    changed(download.fileId);
    const have = await server.haveOf(download.fileId);
    for (const peerId of links.peers().keys()) links.send(peerId, have);
  };

  const receivePiece = async (download: Download, peerId: string, piece: number, bytes: Uint8Array): Promise<void> => {
    if (download.inFlight.get(piece)?.peerId !== peerId) {
      // A piece asked of this peer that timed out and was asked elsewhere: still welcome if missing.
      if (download.late.get(piece) !== peerId) {
        onDrop('unsolicited');
        return links.strike(peerId);
      }
      download.late.delete(piece);
      if (bitSet(download.have, piece) || download.storing.has(piece) || download.phase !== 'downloading') return;
      download.inFlight.set(piece, { peerId, at: now() });
      download.perPeer.set(peerId, (download.perPeer.get(peerId) ?? 0) + 1);
    }
    const index = download.index;
    if (index === null) return;
    const flight = download.inFlight.get(piece);
    const expected = index.subarray(piece * FILE_HASH_BYTES, (piece + 1) * FILE_HASH_BYTES);
    const actual = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
    // While the hash was computed the piece may have been asked of someone else (this peer was
    // found out on another piece): that request is theirs, not to be released here.
    const stillOurs = download.inFlight.get(piece) === flight;
    if (bytes.length !== plainPieceLength(download.size, piece) + 16 || !sameBytes(actual, expected)) {
      if (stillOurs) release(download, piece);
      if (!download.bad.has(peerId)) distrust(download, peerId);
      else {
        // Found out already: counted again, not struck again.
        bad++;
        onDrop('signature');
      }
      return schedule(download);
    }
    if (!stillOurs) return;
    // Verified: its slot is free for the next request while the store writes it.
    release(download, piece);
    received++;
    download.lastFrom.set(peerId, now());
    download.storing.add(piece);
    schedule(download);
    try {
      await store.putPiece(download.fileId, piece, bytes);
    } catch {
      // Over the room's storage budget (or the store failed): stop, keep what is in.
      download.phase = 'failed';
      download.failure = 'storage';
      onDrop('budget');
      return changed(download.fileId);
    } finally {
      download.storing.delete(piece);
    }
    // Cancelled while the write was under way: what it wrote goes too.
    if (!downloads.has(download.fileId)) return void store.deleteFile(download.fileId).catch(() => undefined);
    if (!bitSet(download.have, piece)) {
      download.have[piece >> 3]! |= 0x80 >> (piece & 7);
      download.haveCount++;
      download.noteBytes(plainPieceLength(download.size, piece), now());
    }
    while (download.cursor < download.total && bitSet(download.have, download.cursor)) download.cursor++;
    if (download.haveCount === download.total) return complete(download);
    schedule(download);
  };

  const receiveIndex = async (download: Download, peerId: string, index: Uint8Array): Promise<void> => {
    if (download.indexAsk?.peerId !== peerId) {
      onDrop('unsolicited');
      return links.strike(peerId);
    }
    download.indexAsk = null;
    const root = toBase64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', index as Uint8Array<ArrayBuffer>)));
    if (index.length !== download.total * FILE_HASH_BYTES || root !== download.root) {
      distrust(download, peerId);
      return schedule(download);
    }
    await store.putIndex(download.fileId, index);
    download.index = index;
    schedule(download);
  };

  const receiveHave = (peerId: string, key: string, message: Extract<FileMessage, { kind: 'have' }>): void => {
    const file = options.fileOf(message.id);
    // A bitfield for a file we do not know, or of another size, says nothing useful.
    if (file === null || (message.total !== 0 && message.total !== pieceCount(file.size))) return;
    let held = holdings.get(message.id);
    if (held === undefined) holdings.set(message.id, (held = new Map()));
    if (message.bitfield.length === 0) held.delete(peerId);
    else held.set(peerId, { key, total: message.total, bitfield: message.bitfield });
    const download = downloads.get(message.id);
    if (download !== undefined) schedule(download);
    else changed(message.id);
  };

  const queryOne = (fileId: string, force: boolean): void => {
    const last = lastQuery.get(fileId) ?? -Infinity;
    if (!force && now() - last < WAITING_QUERY_MS) return;
    lastQuery.set(fileId, now());
    for (const peerId of links.peers().keys()) links.send(peerId, { kind: 'query', ids: [fileId] });
  };

  const unsubscribeMessages = links.onMessage((peerId, key, message) => {
    if (destroyed) return;
    switch (message.kind) {
      case 'have':
        return receiveHave(peerId, key, message);
      case 'piece': {
        const download = downloads.get(message.id);
        if (download === undefined) {
          onDrop('unsolicited');
          return links.strike(peerId);
        }
        void receivePiece(download, peerId, message.piece, message.bytes).catch(() => onDrop('decode'));
        return;
      }
      case 'index': {
        const download = downloads.get(message.id);
        if (download === undefined) {
          onDrop('unsolicited');
          return links.strike(peerId);
        }
        void receiveIndex(download, peerId, message.index).catch(() => onDrop('decode'));
        return;
      }
      case 'none': {
        const download = downloads.get(message.id);
        if (download === undefined) return;
        if (message.piece === 'index') {
          if (download.indexAsk?.peerId === peerId) download.indexAsk = null;
          holdings.get(message.id)?.delete(peerId);
        } else if (download.inFlight.get(message.piece)?.peerId === peerId) {
          release(download, message.piece);
          // What it said it had, it has not: ask it again for its bitfield, ask others now.
          holdings.get(message.id)?.delete(peerId);
          links.send(peerId, { kind: 'query', ids: [message.id] });
        }
        return schedule(download);
      }
      default:
        return server.receive(peerId, key, message);
    }
  });

  // Peers whose files link was open at the last change. A new one is asked about every file shown
  // here (a card shown before the link opened would never count it among the holders), and told of
  // every file held whole here that it may have (its own question may have been lost on the way).
  let linked = new Set<string>();
  /** Sends what this device holds of `fileId` to `peers` that may have the file. */
  const tellHolding = (fileId: string, peers: Iterable<[string, string]>): void => {
    const allowed = [...peers].filter(([, key]) => options.mayServe(fileId, key));
    if (allowed.length === 0) return;
    void server.haveOf(fileId).then((have) => {
      for (const [peerId] of allowed) links.send(peerId, have);
    }, () => undefined);
  };
  const tellLinked = (fileId: string): void => tellHolding(fileId, links.peers());
  const greetNewPeers = (peers: ReadonlyMap<string, string>): void => {
    const ids = [...downloads.keys()];
    for (const [peerId, key] of peers) {
      if (linked.has(peerId)) continue;
      for (let start = 0; start < ids.length; start += MAX_QUERY_IDS) links.send(peerId, { kind: 'query', ids: ids.slice(start, start + MAX_QUERY_IDS) });
      for (const download of downloads.values()) if (download.phase === 'complete') tellHolding(download.fileId, [[peerId, key]]);
    }
    linked = new Set(peers.keys());
  };

  const unsubscribeChanges = links.onChange(() => {
    const peers = links.peers();
    greetNewPeers(peers);
    for (const peerId of server.peers()) if (!peers.has(peerId)) server.peerGone(peerId);
    for (const [fileId, held] of holdings) for (const peerId of [...held.keys()]) if (!peers.has(peerId)) {
      held.delete(peerId);
      changed(fileId);
    }
    for (const download of downloads.values()) {
      for (const [piece, flight] of [...download.inFlight]) if (!peers.has(flight.peerId)) release(download, piece);
      if (download.indexAsk !== null && !peers.has(download.indexAsk.peerId)) download.indexAsk = null;
      if (download.phase === 'downloading') {
        queryOne(download.fileId, true);
        schedule(download);
      }
    }
  });

  const tick = (): void => {
    const at = now();
    for (const download of downloads.values()) {
      if (download.phase !== 'downloading') continue;
      for (const [piece, flight] of [...download.inFlight]) {
        // A source still delivering is slow, not gone: its queue is served in order, so time from
        // its last piece rather than from the request (else a slow link gets every piece twice).
        const since = Math.max(flight.at, download.lastFrom.get(flight.peerId) ?? -Infinity);
        if (at - since <= REQUEST_TIMEOUT_MS) continue;
        release(download, piece);
        // Bounded: one entry per piece at most.
        download.late.set(piece, flight.peerId);
      }
      if (download.indexAsk !== null && at - download.indexAsk.at > REQUEST_TIMEOUT_MS) download.indexAsk = null;
      schedule(download);
    }
  };
  const stopTicking = (options.every ?? ((ms, run) => {
    const timer = setInterval(run, ms);
    return () => clearInterval(timer);
  }))(1000, tick);

  const ensure = (fileId: string): Download | null => {
    let download = downloads.get(fileId);
    if (download !== undefined) return download;
    const file = options.fileOf(fileId);
    if (file === null) return null;
    download = createDownload(fileId, file.size, file.root);
    downloads.set(fileId, download);
    return download;
  };

  const api: FileSwarm = {
    async track(fileId) {
      const download = ensure(fileId);
      if (download === null) return api.status(fileId);
      if (!download.loaded) {
        download.loaded = true;
        download.index = await store.getIndex(fileId).catch(() => null);
        if (download.index !== null) {
          const have = await store.have(fileId, download.total);
          download.have.set(have.subarray(0, download.have.length));
          download.haveCount = countBits(download.have, download.total);
          while (download.cursor < download.total && bitSet(download.have, download.cursor)) download.cursor++;
          download.bytesDone = Math.min(download.size, download.haveCount * FILE_PIECE_BYTES);
          if (download.haveCount === download.total) {
            download.phase = 'complete';
            // Held whole from an earlier visit: the members linked already are told, as on completion.
            tellLinked(download.fileId);
          }
          // A download this device started and did not finish carries on (a reload, a crash).
          else if (download.haveCount > 0 && download.phase === 'idle') api.download(fileId);
        }
        changed(fileId);
      }
      return api.status(fileId);
    },
    download(fileId) {
      const download = ensure(fileId);
      if (download === null || download.phase === 'complete' || download.phase === 'downloading') return;
      download.phase = 'downloading';
      download.failure = null;
      download.startedAt = now();
      queryOne(fileId, true);
      schedule(download);
    },
    pause(fileId) {
      const download = downloads.get(fileId);
      if (download === undefined || download.phase !== 'downloading') return;
      download.phase = 'paused';
      changed(fileId);
    },
    async cancel(fileId) {
      const download = downloads.get(fileId);
      downloads.delete(fileId);
      if (download !== undefined) download.phase = 'idle';
      await store.deleteFile(fileId).catch(() => undefined);
      changed(fileId);
    },
    seeded(fileId, file) {
      let download = downloads.get(fileId);
      if (download === undefined) downloads.set(fileId, (download = createDownload(fileId, file.size, file.root)));
      download.loaded = true;
      download.have.fill(0xff);
      download.haveCount = download.total;
      download.bytesDone = download.size;
      // Complete at once for the sender's own screen; peers are told once the index is read back.
      download.phase = 'complete';
      void store.getIndex(fileId).then((index) => {
        download.index = index;
        return complete(download);
      });
    },
    query(fileIds) {
      const due = fileIds.filter((fileId) => now() - (lastQuery.get(fileId) ?? -Infinity) >= WAITING_QUERY_MS);
      for (const fileId of due) lastQuery.set(fileId, now());
      for (let start = 0; start < due.length; start += MAX_QUERY_IDS) {
        const ids = due.slice(start, start + MAX_QUERY_IDS);
        for (const peerId of links.peers().keys()) links.send(peerId, { kind: 'query', ids });
      }
    },
    status(fileId) {
      const download = downloads.get(fileId);
      const holders = api.holders(fileId).length;
      if (download === undefined) return { phase: 'idle', bytes: 0, size: options.fileOf(fileId)?.size ?? 0, bytesPerSecond: 0, secondsLeft: null, sources: 0, holders, failure: null };
      return download.status(now(), download.phase === 'downloading' ? sources(download).length : 0, holders);
    },
    holders(fileId) {
      const held = holdings.get(fileId);
      if (held === undefined) return [];
      return [...held.values()].filter((holding) => holding.total > 0 && countBits(holding.bitfield, holding.total) === holding.total).map((holding) => holding.key);
    },
    onChange(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    stats: () => ({ received, served: server.served(), bad }),
    tick,
    destroy() {
      destroyed = true;
      stopTicking();
      unsubscribeMessages();
      unsubscribeChanges();
      listeners.clear();
    },
  };
  return api;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}
