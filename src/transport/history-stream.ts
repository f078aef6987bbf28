/**
 * Answering a state vector: what this device holds beyond it is streamed as a series of bounded
 * pieces (core/history-pieces.ts), each a Yjs update the asker applies as it arrives. The asker
 * grants pieces (an initial allowance, then one per piece it has applied), and a piece is only
 * made when the link's send queue is low, so neither side ever holds more than a few pieces:
 * memory stays flat whatever the history's size, and live messages interleave with it.
 *
 * A history that leads with many entries is preceded by a preview of the newest messages (the
 * session makes it), which the asker shows at once: the newest messages appear first.
 */
import type * as Y from 'yjs';
import { nextPiece, startHistory, type HistoryCursor } from '../core/history-pieces.js';
import type { Link } from './link.js';
import { encodePiece, encodePreview, MAX_PIECE_CREDITS, MAX_PREVIEW_BYTES, PIECE_BYTES } from './wire-messages.js';

/** Pieces a sender may send before the asker's first grant. */
export const INITIAL_PIECE_CREDITS = 4;

interface OutgoingStream {
  readonly cursor: HistoryCursor;
  credits: number;
  /** A piece is being made or waits for the send queue. */
  pumping: boolean;
}

export interface HistoryResponder {
  /** Starts streaming to `link` what `doc` holds beyond `stateVector` (replacing a stream in progress); false if the state vector is malformed. */
  start(link: Link, stateVector: Uint8Array, withPreview: boolean): boolean;
  /** The asker granted `pieces` more. */
  grant(link: Link, pieces: number): void;
  /** Stops streaming to `link` (it closed). */
  stop(link: Link): void;
}

export interface HistoryResponderOptions {
  readonly doc: Y.Doc;
  /** The newest messages as a preview, or null (core/message-tail.ts encoding; at most MAX_PREVIEW_BYTES). */
  readonly preview?: () => Uint8Array | null;
  /** Runs `work` in a later task, so making pieces never holds the page for long. */
  readonly later?: (work: () => void) => void;
}

export function createHistoryResponder(options: HistoryResponderOptions): HistoryResponder {
  const streams = new Map<Link, OutgoingStream>();
  const later = options.later ?? ((work: () => void): void => void setTimeout(work, 0));

  const pump = (link: Link, stream: OutgoingStream): void => {
    if (stream.pumping || streams.get(link) !== stream) return;
    if (stream.credits <= 0 && !link.trusted) return;
    stream.pumping = true;
    link.whenLow(() =>
      later(() => {
        stream.pumping = false;
        if (link.closed || streams.get(link) !== stream) return;
        const piece = nextPiece(options.doc, stream.cursor, PIECE_BYTES);
        stream.credits--;
        link.send(encodePiece(piece.update, piece.last));
        if (piece.last) streams.delete(link);
        else pump(link, stream);
      }),
    );
  };

  return {
    start(link, stateVector, withPreview) {
      const cursor = startHistory(options.doc, stateVector);
      if (cursor === null) return false;
      if (withPreview) {
        const preview = options.preview?.() ?? null;
        if (preview !== null && preview.length <= MAX_PREVIEW_BYTES) link.send(encodePreview(preview));
      }
      const stream: OutgoingStream = { cursor, credits: INITIAL_PIECE_CREDITS, pumping: false };
      streams.set(link, stream);
      pump(link, stream);
      return true;
    },
    grant(link, pieces) {
      const stream = streams.get(link);
      if (stream === undefined) return;
      stream.credits = Math.min(MAX_PIECE_CREDITS, stream.credits + pieces);
      pump(link, stream);
    },
    stop(link) {
      streams.delete(link);
    },
  };
}
