/**
 * One file's download as the swarm keeps it (file-swarm.ts): which pieces are in, which are in
 * flight and with whom, whom not to trust, and the speed and time left a person sees.
 */
import { pieceCount } from '../core/file-manifest.js';

/**
 * idle: nothing asked; downloading: asking (or waiting for someone who has it, `sources` 0);
 * paused: by the person; complete: every piece stored and verified; failed: see `failure`.
 */
export type DownloadPhase = 'idle' | 'downloading' | 'paused' | 'complete' | 'failed';

export interface DownloadStatus {
  readonly phase: DownloadPhase;
  /** Bytes of the file verified and stored here. */
  readonly bytes: number;
  readonly size: number;
  /** Over the last few seconds; 0 when nothing came. */
  readonly bytesPerSecond: number;
  /** At the current speed; null when it cannot be told. */
  readonly secondsLeft: number | null;
  /** Members the pieces are coming from now. */
  readonly sources: number;
  /** Connected members who hold the whole file. */
  readonly holders: number;
  /** Why a download stopped: 'storage' when the room's storage budget is full. */
  readonly failure: 'storage' | null;
}

/** Speed is measured over this window. */
const SPEED_WINDOW_MS = 3_000;

export interface Download {
  readonly fileId: string;
  readonly size: number;
  readonly root: string;
  readonly total: number;
  phase: DownloadPhase;
  failure: 'storage' | null;
  /** The store was read for what it holds already. */
  loaded: boolean;
  index: Uint8Array | null;
  /** Our pieces: bit i is byte i >> 3, mask 0x80 >> (i & 7). */
  readonly have: Uint8Array;
  haveCount: number;
  bytesDone: number;
  /** No piece below this is missing: where the next request starts looking. */
  cursor: number;
  readonly inFlight: Map<number, { readonly peerId: string; readonly at: number }>;
  /** Verified pieces being written to the store. */
  readonly storing: Set<number>;
  readonly perPeer: Map<string, number>;
  /** When each source last delivered a verified piece (now() ms). */
  readonly lastFrom: Map<string, number>;
  /** Pieces asked of a peer that timed out (and were asked elsewhere): that peer may still send them. */
  readonly late: Map<number, string>;
  /** Members who sent a bad piece or index: not asked again for this file. */
  readonly bad: Set<string>;
  indexAsk: { readonly peerId: string; readonly at: number } | null;
  /** No source has what we lack: the room is asked again now and then. */
  waiting: boolean;
  startedAt: number;
  noteBytes(bytes: number, at: number): void;
  status(at: number, sources: number, holders: number): DownloadStatus;
}

export const bitSet = (bitfield: Uint8Array, index: number): boolean => ((bitfield[index >> 3] ?? 0) & (0x80 >> (index & 7))) !== 0;

export function countBits(bitfield: Uint8Array, total: number): number {
  let count = 0;
  for (let index = 0; index < total; index++) if (bitSet(bitfield, index)) count++;
  return count;
}

export function createDownload(fileId: string, size: number, root: string): Download {
  const total = pieceCount(size);
  /** (time, bytes) of recent pieces, for the speed. */
  const samples: Array<readonly [number, number]> = [];
  const download: Download = {
    fileId,
    size,
    root,
    total,
    phase: 'idle',
    failure: null,
    loaded: false,
    index: null,
    have: new Uint8Array(Math.ceil(total / 8)),
    haveCount: 0,
    bytesDone: 0,
    cursor: 0,
    inFlight: new Map(),
    storing: new Set(),
    perPeer: new Map(),
    late: new Map(),
    lastFrom: new Map(),
    bad: new Set(),
    indexAsk: null,
    waiting: false,
    startedAt: 0,
    noteBytes(bytes, at) {
      download.bytesDone = Math.min(size, download.bytesDone + bytes);
      samples.push([at, bytes]);
      while (samples.length > 0 && at - samples[0]![0] > SPEED_WINDOW_MS) samples.shift();
    },
    status(at, sources, holders) {
      while (samples.length > 0 && at - samples[0]![0] > SPEED_WINDOW_MS) samples.shift();
      let recent = 0;
      for (const [, bytes] of samples) recent += bytes;
      // Over the window, or since the start when younger than that.
      const span = Math.max(250, Math.min(SPEED_WINDOW_MS, at - download.startedAt));
      const bytesPerSecond = download.phase === 'downloading' ? (recent * 1000) / span : 0;
      const left = size - download.bytesDone;
      return {
        phase: download.phase,
        bytes: download.bytesDone,
        size,
        bytesPerSecond,
        secondsLeft: bytesPerSecond > 0 ? left / bytesPerSecond : null,
        sources,
        holders,
        failure: download.failure,
      };
    },
  };
  return download;
}
