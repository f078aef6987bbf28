/**
 * Large signaling payloads are deflated before they are sealed. An ICE restart during a call
 * offers every media section of the connection again (up to a data channel and 2 × 4 media
 * sections, ~11–20 KB of SDP), which sealed, base64'd and framed would pass the node's 16 KiB
 * frame limit; SDP deflates about 3–4×. Small payloads (announces, candidates, a first offer)
 * stay plain: they are most of the traffic and on the joining path, where the async (de)compression
 * would cost a turn of the event loop each.
 *
 * Layout of the bytes inside the seal: the UTF-8 JSON itself (first byte '{'), or COMPRESSED then
 * deflate-raw of it. The browser's own CompressionStream: no library, nothing in the bundle.
 */

/** Payloads longer than this (UTF-8 bytes) are deflated. */
export const COMPRESS_ABOVE_BYTES = 2048;
/** What a deflated payload may grow back to: more is a decompression bomb, dropped. */
export const MAX_INFLATED_BYTES = 64 * 1024;
const COMPRESSED = 0;

async function pipe(bytes: Uint8Array, stream: CompressionStream | DecompressionStream, limit: number): Promise<Uint8Array | null> {
  const writer = stream.writable.getWriter();
  void writer.write(bytes as Uint8Array<ArrayBuffer>).then(() => writer.close()).catch(() => undefined);
  const reader = stream.readable.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > limit) {
      void reader.cancel().catch(() => undefined);
      return null;
    }
    parts.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Whether `json` (UTF-8) is big enough to be deflated before sealing. */
export const shouldCompress = (json: Uint8Array): boolean => json.length > COMPRESS_ABOVE_BYTES && typeof CompressionStream === 'function';

/** COMPRESSED ‖ deflate-raw(json). */
export async function compressPayload(json: Uint8Array): Promise<Uint8Array> {
  const deflated = await pipe(json, new CompressionStream('deflate-raw'), Number.MAX_SAFE_INTEGER);
  const out = new Uint8Array(1 + (deflated?.length ?? 0));
  out[0] = COMPRESSED;
  if (deflated !== null) out.set(deflated, 1);
  return out;
}

/** Whether opened bytes carry a deflated payload (else they are the JSON itself). */
export const isCompressed = (opened: Uint8Array): boolean => opened[0] === COMPRESSED;

/** The JSON bytes back from COMPRESSED ‖ deflate-raw; null if corrupt or over MAX_INFLATED_BYTES. Never throws. */
export async function decompressPayload(opened: Uint8Array): Promise<Uint8Array | null> {
  if (typeof DecompressionStream !== 'function') return null;
  try {
    return await pipe(opened.subarray(1), new DecompressionStream('deflate-raw'), MAX_INFLATED_BYTES);
  } catch {
    return null;
  }
}
