/** Raw wire chunks as a peer could write them (src/transport/wire-frames.ts layout), for attacks on reassembly. */
import { CHUNK_PAYLOAD_BYTES } from '../../src/transport/wire-frames.js';

/** A chunk claiming to be chunk `index` of `count` of message `id`, carrying `body` (or that many zero bytes). */
export function rawChunk(id: number, index: number, count: number, body: Uint8Array | number = 20): Uint8Array {
  const bytes = typeof body === 'number' ? new Uint8Array(body) : body;
  const chunk = new Uint8Array(13 + bytes.length);
  const view = new DataView(chunk.buffer);
  view.setUint8(0, 2);
  view.setUint32(1, id);
  view.setUint32(5, index);
  view.setUint32(9, count);
  chunk.set(bytes, 13);
  return chunk;
}

/** All but the last chunk of `count`: a message that never completes, holding the receiver's memory until it expires. */
export function incompleteMessage(id: number, count: number, body: Uint8Array = new Uint8Array(CHUNK_PAYLOAD_BYTES)): Uint8Array[] {
  return Array.from({ length: count - 1 }, (_, index) => rawChunk(id, index, count, body));
}
