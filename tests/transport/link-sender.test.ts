/**
 * The send side of one link, against a fake data channel that takes a fixed number of bytes, then
 * says it is full (write() returns false, as simple-peer does) until the test drains it.
 */
import { describe, expect, it } from 'vitest';
import { LOW_QUEUED_BYTES, MAX_QUEUED_BYTES, createLinkSender, type ChunkWriter } from '../../src/transport/link-sender.js';

interface FakeChannel extends ChunkWriter {
  /** Every chunk handed over, in order. */
  readonly written: Uint8Array[];
  /** Writes attempted while the channel had said it was full: must stay 0. */
  writesWhileFull: number;
  /** Empties the channel's buffer and tells the sender. */
  drain(): void;
}

/** A channel whose buffer holds `capacity` bytes: the write that reaches it returns false. */
function createChannel(capacity: number): FakeChannel {
  const listeners: Array<() => void> = [];
  let buffered = 0;
  let full = false;
  const channel: FakeChannel = {
    written: [],
    writesWhileFull: 0,
    write(chunk) {
      if (full) channel.writesWhileFull++;
      channel.written.push(chunk);
      buffered += chunk.length;
      full = buffered >= capacity;
      return !full;
    },
    onDrain(listener) {
      listeners.push(listener);
    },
    drain() {
      buffered = 0;
      full = false;
      for (const listener of listeners) listener();
    },
  };
  return channel;
}

/** A chunk of `bytes` bytes whose first byte numbers it, so order can be checked. */
const chunk = (tag: number, bytes = 1000): Uint8Array => new Uint8Array(bytes).fill(tag);
const tags = (chunks: readonly Uint8Array[]): number[] => chunks.map((c) => c[0] as number);

describe('link sender', () => {
  it('hands chunks over in order, stops when the channel is full and resumes on drain', () => {
    const channel = createChannel(3000);
    const sender = createLinkSender(channel);
    expect(sender.enqueue([chunk(1), chunk(2)])).toBe(true);
    expect(tags(channel.written)).toEqual([1, 2]);
    expect(sender.enqueue([chunk(3), chunk(4), chunk(5)])).toBe(true);
    // The third chunk filled the channel: it was taken, the rest wait.
    expect(tags(channel.written)).toEqual([1, 2, 3]);
    expect(sender.queuedBytes()).toBe(2000);
    expect(sender.enqueue([chunk(6)])).toBe(true);
    expect(tags(channel.written)).toEqual([1, 2, 3]);
    channel.drain();
    expect(tags(channel.written)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(sender.queuedBytes()).toBe(0);
    expect(channel.writesWhileFull).toBe(0);
  });

  it('keeps the order across many drains and never writes to a full channel', () => {
    const channel = createChannel(2500);
    const sender = createLinkSender(channel);
    // Thousands of chunks, so the queue is compacted along the way.
    const serial = (i: number): Uint8Array => {
      const bytes = new Uint8Array(100 + ((i * 37) % 300));
      new DataView(bytes.buffer).setUint16(0, i);
      return bytes;
    };
    for (let message = 0; message < 3000; message += 3) expect(sender.enqueue([serial(message), serial(message + 1), serial(message + 2)])).toBe(true);
    for (let drains = 0; drains < 10_000 && sender.queuedBytes() > 0; drains++) {
      channel.drain();
      if (drains % 7 === 0) sender.enqueue([]);
    }
    expect(sender.queuedBytes()).toBe(0);
    expect(channel.written.map((bytes) => new DataView(bytes.buffer).getUint16(0))).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    expect(channel.writesWhileFull).toBe(0);
  });

  it('refuses a message that would go over the byte budget, queuing none of it', () => {
    const channel = createChannel(1000);
    const sender = createLinkSender(channel, 5000);
    sender.enqueue([chunk(1)]);
    expect(sender.enqueue([chunk(2), chunk(3), chunk(4)])).toBe(true);
    expect(sender.queuedBytes()).toBe(3000);
    expect(sender.enqueue([chunk(5), chunk(6), chunk(7)])).toBe(false);
    expect(sender.queuedBytes()).toBe(3000);
    // Exactly up to the budget is fine.
    expect(sender.enqueue([chunk(8), chunk(9)])).toBe(true);
    expect(sender.queuedBytes()).toBe(5000);
    expect(sender.enqueue([chunk(10, 1)])).toBe(false);
    for (let i = 0; i < 10; i++) channel.drain();
    expect(tags(channel.written)).toEqual([1, 2, 3, 4, 8, 9]);
  });

  it('holds MAX_QUEUED_BYTES by default', () => {
    const channel = createChannel(1);
    const sender = createLinkSender(channel);
    sender.enqueue([chunk(0)]);
    const block = new Uint8Array(MAX_QUEUED_BYTES / 4);
    for (let i = 0; i < 4; i++) expect(sender.enqueue([block])).toBe(true);
    expect(sender.enqueue([chunk(1, 1)])).toBe(false);
  });

  it('calls whenLow at once while the queue is low, and once it drains below LOW_QUEUED_BYTES otherwise', () => {
    const channel = createChannel(16 * 1024);
    const sender = createLinkSender(channel);
    const calls: string[] = [];
    sender.whenLow(() => calls.push('empty'));
    expect(calls).toEqual(['empty']);
    // Fill the channel, then queue LOW_QUEUED_BYTES behind it.
    sender.enqueue([new Uint8Array(16 * 1024)]);
    for (let i = 0; i < LOW_QUEUED_BYTES / 1024; i++) sender.enqueue([new Uint8Array(1024)]);
    expect(sender.queuedBytes()).toBe(LOW_QUEUED_BYTES);
    sender.whenLow(() => calls.push('a'));
    sender.whenLow(() => calls.push('b'));
    expect(calls).toEqual(['empty']);
    // One drain moves 16 KiB: the queue is below LOW_QUEUED_BYTES, and each listener is called once.
    channel.drain();
    expect(sender.queuedBytes()).toBeLessThan(LOW_QUEUED_BYTES);
    expect(calls).toEqual(['empty', 'a', 'b']);
    for (let i = 0; i < 40; i++) channel.drain();
    expect(sender.queuedBytes()).toBe(0);
    expect(calls).toEqual(['empty', 'a', 'b']);
  });

  it('lets a listener called while low queue more and ask again, as a history stream does', () => {
    const channel = createChannel(64 * 1024);
    const sender = createLinkSender(channel);
    let made = 0;
    const produce = (): void => {
      if (made === 100) return;
      made++;
      sender.enqueue([new Uint8Array(48 * 1024)]);
      sender.whenLow(produce);
    };
    sender.whenLow(produce);
    // Production stops while the queue is at or above LOW_QUEUED_BYTES, and goes on with each drain.
    expect(made).toBeLessThan(100);
    expect(sender.queuedBytes()).toBeGreaterThanOrEqual(LOW_QUEUED_BYTES);
    expect(sender.queuedBytes()).toBeLessThan(LOW_QUEUED_BYTES + 48 * 1024);
    for (let i = 0; i < 200 && made < 100; i++) {
      channel.drain();
      expect(sender.queuedBytes()).toBeLessThan(LOW_QUEUED_BYTES + 48 * 1024);
    }
    expect(made).toBe(100);
    expect(channel.writesWhileFull).toBe(0);
  });

  it('drops everything on close, writes nothing more and refuses new messages', () => {
    const channel = createChannel(1000);
    const sender = createLinkSender(channel);
    sender.enqueue([chunk(1), chunk(2), chunk(3)]);
    sender.enqueue(Array.from({ length: 300 }, (_, i) => chunk(i % 256, 1000)));
    const waiting: string[] = [];
    sender.whenLow(() => waiting.push('before close'));
    sender.close();
    expect(sender.queuedBytes()).toBe(0);
    sender.whenLow(() => waiting.push('after close'));
    channel.drain();
    expect(tags(channel.written)).toEqual([1]);
    expect(sender.enqueue([chunk(9)])).toBe(false);
    channel.drain();
    expect(tags(channel.written)).toEqual([1]);
    expect(waiting).toEqual([]);
  });
});
