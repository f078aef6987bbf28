/**
 * What goes out on one link, in order, respecting the data channel's backpressure: chunks are
 * handed to the peer only while it accepts them (simple-peer's write() returns false once its
 * buffer is full, then emits 'drain'); the rest wait here, in a queue with a byte budget. Without
 * this, every send was buffered inside simple-peer without bound, and a history larger than the
 * data channel's 16 MiB queue closed the channel.
 *
 * Whoever produces bulk data (a history being streamed) asks to be called back when the queue
 * is low, so it is produced as it can be sent: text and presence never wait behind a whole
 * history, only behind the piece on its way.
 */

/** The part of a peer connection a sender writes to. */
export interface ChunkWriter {
  /** Queues one chunk; false once the peer's buffer is full (it still took the chunk). */
  write(chunk: Uint8Array): boolean;
  /** Calls `listener` each time the peer's buffer has drained. */
  onDrain(listener: () => void): void;
}

/** Bytes waiting on one link before it is judged unable to keep up. */
export const MAX_QUEUED_BYTES = 8 * 1024 * 1024;
/** Below this many queued bytes, producers of bulk data are asked for more. */
export const LOW_QUEUED_BYTES = 256 * 1024;

export interface LinkSender {
  /** Queues one message's chunks; false, queuing nothing, if that would go over the budget. */
  enqueue(chunks: readonly Uint8Array[]): boolean;
  /** Bytes waiting here (not yet handed to the peer). */
  queuedBytes(): number;
  /** Calls `listener` once, as soon as the queue is below LOW_QUEUED_BYTES (at once if it is). */
  whenLow(listener: () => void): void;
  /** Drops everything queued and stops writing. */
  close(): void;
}

export function createLinkSender(writer: ChunkWriter, maxQueuedBytes: number = MAX_QUEUED_BYTES): LinkSender {
  const queue: Uint8Array[] = [];
  let head = 0;
  let queued = 0;
  let blocked = false;
  let closed = false;
  let lowListeners: Array<() => void> = [];

  const notifyLow = (): void => {
    if (queued >= LOW_QUEUED_BYTES || lowListeners.length === 0) return;
    const listeners = lowListeners;
    lowListeners = [];
    for (const listener of listeners) listener();
  };

  const pump = (): void => {
    while (!closed && !blocked && head < queue.length) {
      const chunk = queue[head++] as Uint8Array;
      queued -= chunk.length;
      if (!writer.write(chunk)) blocked = true;
    }
    // Compact now and then rather than shifting one by one.
    if (head > 1024 || head === queue.length) {
      queue.splice(0, head);
      head = 0;
    }
    notifyLow();
  };

  writer.onDrain(() => {
    blocked = false;
    pump();
  });

  return {
    enqueue(chunks) {
      if (closed) return false;
      let bytes = 0;
      for (const chunk of chunks) bytes += chunk.length;
      if (queued + bytes > maxQueuedBytes) return false;
      for (const chunk of chunks) queue.push(chunk);
      queued += bytes;
      pump();
      return true;
    },
    queuedBytes: () => queued,
    whenLow(listener) {
      if (closed) return;
      lowListeners.push(listener);
      notifyLow();
    },
    close() {
      closed = true;
      queue.length = 0;
      head = 0;
      queued = 0;
      lowListeners = [];
    },
  };
}
