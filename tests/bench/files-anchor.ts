/**
 * The raw anchor of the "Files" bench's throughput row, inside the same two Parley pages the app's
 * transfer runs in (page.evaluate; the app's own code is untouched and idle meanwhile): one
 * RTCPeerConnection pair with one ordered, reliable data channel, offer and answer (each with its
 * gathered candidates) passed through this process. B asks ("go" + byte count) and the clock starts
 * at that send in B's page; A sends that many bytes in 16 KiB messages (the size of Parley's wire
 * frames, src/transport/wire-frames.ts) with Parley's flow control (src/transport/files-channel.ts:
 * send, and once bufferedAmount reaches 1 MiB wait for bufferedamountlow at 256 KiB); the clock
 * stops in B's page when the last byte arrives. DTLS is the only encryption; nothing is hashed or stored.
 */
import type { Page } from 'playwright-core';

/** Parley's wire frame (CHUNK_PAYLOAD_BYTES + header) and the files channel's water marks (simple-peer-factory.ts). */
export const RAW_CHUNK_BYTES = 16 * 1024;
export const RAW_HIGH_WATER = 1024 * 1024;
export const RAW_LOW_WATER = 256 * 1024;

interface RawWindow {
  __rawFiles?: {
    pc: RTCPeerConnection;
    channel: RTCDataChannel | null;
    /** B: resolves the transfer under way. */
    done?: ((at: number) => void) | undefined;
    received: number;
    expected: number;
  };
}

const OPEN_MS = 20_000;

/** Sets up one side (in the page); A creates the channel and returns its offer, B returns its answer to `offer`. */
function rawSide({ role, offer, chunk, high, low }: { role: 'a' | 'b'; offer: string | null; chunk: number; high: number; low: number }): Promise<string> {
  const pc = new RTCPeerConnection();
  const state: NonNullable<RawWindow['__rawFiles']> = { pc, channel: null, received: 0, expected: 0 };
  (window as unknown as RawWindow).__rawFiles = state;
  const block = new Uint8Array(chunk);
  crypto.getRandomValues(block);
  const wire = (channel: RTCDataChannel): void => {
    state.channel = channel;
    channel.binaryType = 'arraybuffer';
    channel.bufferedAmountLowThreshold = low;
    let left = 0;
    const pump = (): void => {
      while (left > 0) {
        const size = Math.min(chunk, left);
        channel.send(size === chunk ? block : block.subarray(0, size));
        left -= size;
        // Parley's writer: full once bufferedAmount reaches the high water mark; wait for the drain.
        if (channel.bufferedAmount >= high) return;
      }
    };
    channel.onbufferedamountlow = pump;
    channel.onmessage = (event: MessageEvent) => {
      if (typeof event.data === 'string') {
        if (role === 'a' && event.data.startsWith('go:')) {
          left = Number(event.data.slice(3));
          pump();
        }
        return;
      }
      state.received += (event.data as ArrayBuffer).byteLength;
      if (state.received >= state.expected && state.done !== undefined) {
        const done = state.done;
        state.done = undefined;
        done(performance.timeOrigin + performance.now());
      }
    };
  };
  const gathered = (): Promise<void> => new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    const timer = setTimeout(resolve, 5000);
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState !== 'complete') return;
      clearTimeout(timer);
      resolve();
    });
  });
  return (async () => {
    if (role === 'a') {
      wire(pc.createDataChannel('raw-files', { ordered: true }));
      await pc.setLocalDescription(await pc.createOffer());
    } else {
      pc.ondatachannel = (event) => wire(event.channel);
      await pc.setRemoteDescription({ type: 'offer', sdp: offer ?? '' });
      await pc.setLocalDescription(await pc.createAnswer());
    }
    await gathered();
    return pc.localDescription?.sdp ?? '';
  })();
}

export interface RawPair {
  /** One transfer of `bytes` from A to B: B's "go" → the last byte at B, ms. */
  transfer(bytes: number, timeoutMs: number): Promise<number>;
  close(): Promise<void>;
}

/** Connects the raw pair between pages `a` and `b` (before any clock). */
export async function openRawPair(a: Page, b: Page): Promise<RawPair> {
  const options = { chunk: RAW_CHUNK_BYTES, high: RAW_HIGH_WATER, low: RAW_LOW_WATER };
  const offer = await a.evaluate(rawSide, { role: 'a' as const, offer: null, ...options });
  const answer = await b.evaluate(rawSide, { role: 'b' as const, offer, ...options });
  await a.evaluate((sdp) => (window as unknown as RawWindow).__rawFiles?.pc.setRemoteDescription({ type: 'answer', sdp }), answer);
  const open = (page: Page): Promise<boolean> => page.evaluate((waitMs) => new Promise<boolean>((resolve) => {
    const until = performance.now() + waitMs;
    const check = (): void => {
      if ((window as unknown as RawWindow).__rawFiles?.channel?.readyState === 'open') resolve(true);
      else if (performance.now() > until) resolve(false);
      else setTimeout(check, 20);
    };
    check();
  }), OPEN_MS);
  if (!(await open(a)) || !(await open(b))) throw new Error(`raw data channel not open within ${OPEN_MS / 1000} s`);
  return {
    transfer: (bytes, timeoutMs) => b.evaluate(({ bytes, timeoutMs }) => new Promise<number>((resolve, reject) => {
      const raw = (window as unknown as RawWindow).__rawFiles;
      if (raw?.channel == null) return reject(new Error('no raw channel'));
      raw.received = 0;
      raw.expected = bytes;
      const timer = setTimeout(() => reject(new Error(`raw transfer: ${raw.received} of ${bytes} bytes within ${timeoutMs} ms`)), timeoutMs);
      const start = performance.timeOrigin + performance.now();
      raw.done = (at) => {
        clearTimeout(timer);
        resolve(at - start);
      };
      raw.channel.send(`go:${bytes}`);
    }), { bytes, timeoutMs }),
    close: async () => {
      for (const page of [a, b]) await page.evaluate(() => (window as unknown as RawWindow).__rawFiles?.pc.close()).catch(() => undefined);
    },
  };
}
