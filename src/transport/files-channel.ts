/**
 * The files channel: a second data channel on each connection, for pieces of files and nothing
 * else. Both ends open it themselves (negotiated, a fixed stream id), so it needs no offer, and
 * SCTP schedules its stream in turn with the main one: a text message waits behind at most one
 * 16 KiB chunk of a file, not behind the megabyte a transfer keeps queued.
 */
import type { ChunkWriter } from './link-sender.js';
import { CHANNEL_HIGH_WATER, CHANNEL_LOW_WATER } from './simple-peer-factory.js';

/** A stream id far from the ones simple-peer's own channel takes (0 or 1). */
export const FILES_CHANNEL_ID = 512;

/**
 * While the writer is full, the buffer is also checked this often. 'bufferedamountlow' alone has
 * been seen to never come (a Node peer on @roamhq/wrtc stalled for good at 959 MiB of a 1 GiB
 * transfer, the sender waiting on it), and a missed event would stop a transfer forever.
 */
export const DRAIN_CHECK_MS = 100;

interface DataChannelLike {
  binaryType: string;
  readonly bufferedAmount: number;
  bufferedAmountLowThreshold: number;
  readonly readyState: string;
  send(data: Uint8Array): void;
  close(): void;
  onmessage: ((event: { data: unknown }) => void) | null;
  onbufferedamountlow: (() => void) | null;
  onopen: (() => void) | null;
}

/**
 * For a writer that reports full: `drained` is the channel's 'bufferedamountlow' handler, and
 * `await` (called when full) also checks the buffer every DRAIN_CHECK_MS until it is low or the
 * channel is no longer open, so a missed event cannot stall the writer.
 */
export function watchDrain(channel: Pick<DataChannelLike, 'bufferedAmount' | 'readyState'>, onDrained: () => void): { drained: () => void; await: () => void } {
  let check: ReturnType<typeof setInterval> | undefined;
  const drained = (): void => {
    clearInterval(check);
    check = undefined;
    onDrained();
  };
  return {
    drained,
    await: () => {
      check ??= setInterval(() => {
        if (channel.readyState !== 'open' || channel.bufferedAmount <= CHANNEL_LOW_WATER) drained();
      }, DRAIN_CHECK_MS);
    },
  };
}

interface ConnectionWithChannels {
  createDataChannel(label: string, init: { negotiated: boolean; id: number }): DataChannelLike;
}

/**
 * Opens the files channel on `connection` and hands each message to `onMessage`. The writer
 * reports full at the same level as the main channel's; chunks written before the channel opens
 * wait here (both ends open it at connect, so that is a moment).
 */
export function openFilesChannel(connection: unknown, onMessage: (chunk: Uint8Array) => void): ChunkWriter | null {
  const pc = connection as Partial<ConnectionWithChannels> | null;
  if (pc === null || typeof pc.createDataChannel !== 'function') return null;
  let channel: DataChannelLike;
  try {
    channel = pc.createDataChannel('files', { negotiated: true, id: FILES_CHANNEL_ID });
  } catch {
    return null;
  }
  channel.binaryType = 'arraybuffer';
  channel.bufferedAmountLowThreshold = CHANNEL_LOW_WATER;
  const drainListeners: Array<() => void> = [];
  const waiting: Uint8Array[] = [];
  channel.onmessage = (event) => {
    if (event.data instanceof ArrayBuffer) onMessage(new Uint8Array(event.data));
  };
  const drain = watchDrain(channel, () => {
    for (const listener of [...drainListeners]) listener();
  });
  channel.onbufferedamountlow = drain.drained;
  channel.onopen = () => {
    for (const chunk of waiting.splice(0)) channel.send(chunk);
    for (const listener of [...drainListeners]) listener();
  };
  return {
    write(chunk) {
      if (channel.readyState === 'connecting') {
        waiting.push(chunk);
        return waiting.length < 64;
      }
      // A closed channel: the connection is going; its close ends the link.
      if (channel.readyState !== 'open') return true;
      channel.send(chunk);
      if (channel.bufferedAmount < CHANNEL_HIGH_WATER) return true;
      drain.await();
      return false;
    },
    onDrain: (listener) => void drainListeners.push(listener),
  };
}
