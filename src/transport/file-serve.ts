/**
 * The serving side of the file swarm: answers queries, index requests and piece requests from
 * proven members, out of this device's store, as fast as each link's files queue drains and no
 * faster. A member may ask for anything; what it costs us is bounded: at most
 * MAX_WAITING_REQUESTS pieces wait per peer (more are dropped, counted and struck), one piece per
 * peer is read from the store at a time, and nothing is served for a file this device would not
 * show (deleted, from someone refused) or to someone this person blocked.
 */
import { pieceCount } from '../core/file-manifest.js';
import type { DropReason } from '../core/types.js';
import type { FileMessage } from './file-messages.js';
import type { FileLinks } from './file-links.js';

/** Pieces one peer may have waiting to be served: a downloader keeps at most 12 in flight per source. */
export const MAX_WAITING_REQUESTS = 16;

/** The part of the piece store (persistence/file-store.ts) the swarm uses. */
export interface SwarmStore {
  getIndex(fileId: string): Promise<Uint8Array | null>;
  putIndex(fileId: string, index: Uint8Array): Promise<void>;
  have(fileId: string, total: number): Promise<Uint8Array>;
  getPiece(fileId: string, index: number): Promise<Uint8Array | null>;
  putPiece(fileId: string, index: number, bytes: Uint8Array): Promise<void>;
  deleteFile(fileId: string): Promise<void>;
}

/** A file as this device knows it: its admitted message's manifest size. */
export interface KnownFile {
  readonly size: number;
  readonly root: string;
}

export interface FileServerOptions {
  readonly links: FileLinks;
  readonly store: SwarmStore;
  /** The file with this id, if this device holds its message (admitted, not deleted). */
  readonly fileOf: (fileId: string) => KnownFile | null;
  /** Whether `key` may have pieces of `fileId` from us (not deleted, author not refused, asker not blocked). */
  readonly mayServe: (fileId: string, key: string) => boolean;
  readonly onDrop: (reason: DropReason) => void;
  /** A piece of `fileId` went out (for the counts people see). */
  readonly onServed?: (fileId: string) => void;
}

interface PeerQueue {
  readonly waiting: Array<{ readonly fileId: string; readonly piece: number }>;
  busy: boolean;
  /** Ends the wait for the link's queue to drain (the peer left: its queue never will). */
  wake: (() => void) | null;
}

export interface FileServer {
  /** Handles a control message a peer sent us (query, index request, piece request). */
  receive(peerId: string, key: string, message: FileMessage): void;
  /** Our bitfield for `fileId` as a have message, to tell peers what we hold. */
  haveOf(fileId: string): Promise<FileMessage>;
  /** Forgets everything waiting for a peer that left. */
  peerGone(peerId: string): void;
  /** Peers with requests waiting or being served. */
  peers(): string[];
  /** Pieces served so far (for diagnostics and tests). */
  served(): number;
}

export function createFileServer(options: FileServerOptions): FileServer {
  const { links, store } = options;
  const queues = new Map<string, PeerQueue>();
  let served = 0;

  const haveOf = async (fileId: string): Promise<FileMessage> => {
    const file = options.fileOf(fileId);
    if (file === null) return { kind: 'have', id: fileId, total: 0, bitfield: new Uint8Array(0) };
    const total = pieceCount(file.size);
    // A file whose index we lack cannot be served, whatever pieces we hold.
    if ((await store.getIndex(fileId)) === null) return { kind: 'have', id: fileId, total, bitfield: new Uint8Array(0) };
    return { kind: 'have', id: fileId, total, bitfield: await store.have(fileId, total) };
  };

  const serveNext = async (peerId: string, queue: PeerQueue): Promise<void> => {
    queue.busy = true;
    // Reads run one piece ahead of sends, so the store (IndexedDB, decryption) and the link work
    // side by side rather than in turn.
    const startRead = (): { readonly fileId: string; readonly piece: number; readonly read: Promise<Uint8Array | null> } | null => {
      const item = queue.waiting.shift();
      return item === undefined ? null : { ...item, read: store.getPiece(item.fileId, item.piece).catch(() => null) };
    };
    try {
      let ahead = startRead();
      while (ahead !== null && queues.get(peerId) === queue) {
        const current = ahead;
        const bytes = await current.read;
        await new Promise<void>((resolve) => {
          queue.wake = resolve;
          links.whenLow(peerId, resolve);
        });
        queue.wake = null;
        if (!links.peers().has(peerId)) break;
        ahead = startRead();
        if (bytes === null) {
          links.send(peerId, { kind: 'none', id: current.fileId, piece: current.piece });
          continue;
        }
        links.send(peerId, { kind: 'piece', id: current.fileId, piece: current.piece, bytes });
        served++;
        options.onServed?.(current.fileId);
      }
    } finally {
      queue.busy = false;
    }
  };

  const answerIndex = async (peerId: string, fileId: string): Promise<void> => {
    const index = await store.getIndex(fileId).catch(() => null);
    links.send(peerId, index === null ? { kind: 'none', id: fileId, piece: 'index' } : { kind: 'index', id: fileId, index });
  };

  return {
    receive(peerId, key, message) {
      switch (message.kind) {
        case 'query':
          for (const fileId of message.ids) {
            if (!options.mayServe(fileId, key)) continue;
            void haveOf(fileId).then((have) => links.send(peerId, have), () => undefined);
          }
          return;
        case 'index-request':
          if (!options.mayServe(message.id, key) || options.fileOf(message.id) === null) return links.send(peerId, { kind: 'none', id: message.id, piece: 'index' });
          void answerIndex(peerId, message.id);
          return;
        case 'request': {
          const file = options.mayServe(message.id, key) ? options.fileOf(message.id) : null;
          let queue = queues.get(peerId);
          if (queue === undefined) queues.set(peerId, (queue = { waiting: [], busy: false, wake: null }));
          for (const piece of message.pieces) {
            if (file === null || piece >= pieceCount(file.size)) {
              links.send(peerId, { kind: 'none', id: message.id, piece });
              continue;
            }
            if (queue.waiting.length >= MAX_WAITING_REQUESTS) {
              options.onDrop('budget');
              links.strike(peerId);
              continue;
            }
            queue.waiting.push({ fileId: message.id, piece });
          }
          if (!queue.busy) void serveNext(peerId, queue);
          return;
        }
        default:
          return;
      }
    },
    haveOf,
    peerGone(peerId) {
      const queue = queues.get(peerId);
      queues.delete(peerId);
      queue?.wake?.();
    },
    peers: () => [...queues.keys()],
    served: () => served,
  };
}
