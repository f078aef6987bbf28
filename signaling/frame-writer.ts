/**
 * Fan-out without per-receiver framing. `ws` builds a header and does a corked two-part write
 * for every `send()`; a publish to 50 subscribers would pay that 50 times. Here the complete
 * frame (header + payload) is built once and written to each receiver's TCP socket as is.
 *
 * Invariant that makes the direct write safe: permessage-deflate is off (server.ts), and the
 * node never sends Blobs, so ws's Sender never queues a frame; every frame it sends, pings
 * and close frames included, is written synchronously, so ordering on the wire is preserved.
 */
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';

/** A text frame ready for the wire, and its payload alone for the fallback path. */
export interface TextFrame {
  readonly wire: Buffer;
  readonly payload: Buffer;
}

/** One final, unmasked text frame (server-to-client frames are never masked, RFC 6455 §5.1). */
export function encodeTextFrame(text: string): TextFrame {
  const length = Buffer.byteLength(text);
  const headerLength = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const wire = Buffer.allocUnsafe(headerLength + length);
  writeHeader(wire, length);
  wire.write(text, headerLength, 'utf8');
  return { wire, payload: wire.subarray(headerLength) };
}

/** FIN + opcode 1 (text), and the payload length in the shortest form (RFC 6455 §5.2). */
function writeHeader(wire: Buffer, length: number): void {
  wire[0] = 0x81;
  if (length < 126) {
    wire[1] = length;
  } else if (length < 65_536) {
    wire[1] = 126;
    wire.writeUInt16BE(length, 2);
  } else {
    wire[1] = 127;
    wire.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    wire.writeUInt32BE(length >>> 0, 6);
  }
}

/** The same frame from a payload in three parts (`middle` as bytes, e.g. data relayed from another node). */
export function encodeTextFrameAround(before: string, middle: Uint8Array, after: string): TextFrame {
  const beforeBytes = Buffer.byteLength(before);
  const length = beforeBytes + middle.length + Buffer.byteLength(after);
  const headerLength = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const wire = Buffer.allocUnsafe(headerLength + length);
  writeHeader(wire, length);
  wire.write(before, headerLength, 'utf8');
  wire.set(middle, headerLength + beforeBytes);
  wire.write(after, headerLength + beforeBytes + middle.length, 'utf8');
  return { wire, payload: wire.subarray(headerLength) };
}

/** The part of ws's private state the direct write relies on; checked at every write. */
interface WebSocketInternals {
  _sender?: { _queue?: unknown[] };
}

/**
 * Writes a frame built by `encodeTextFrame` to an OPEN socket whose TCP socket is `tcp`. Falls back
 * to `ws.send` if ws's internals ever differ from what this relies on, so an upgrade of ws
 * degrades speed, not correctness.
 */
export function writeTextFrame(socket: WebSocket, tcp: Socket, frame: TextFrame): void {
  if ((socket as unknown as WebSocketInternals)._sender?._queue?.length === 0) tcp.write(frame.wire);
  else socket.send(frame.payload, { binary: false, compress: false });
}

/**
 * Batches writes per event-loop turn: the first write to a socket in a turn corks it, and all
 * corked sockets are uncorked together in a setImmediate, so every frame a receiver gets in one
 * turn leaves in a single writev instead of one syscall each (the syscall was two thirds of the
 * fan-out cost). Frames wait at most one loop turn. Node counts nested cork() calls, so ws's own
 * writes (pings, close frames) in between stay in order.
 */
/** Corks `tcp` until the end of this turn; true if this is its first write of the turn. */
export type WriteBatcher = (tcp: Socket) => boolean;

export function createWriteBatcher(): WriteBatcher {
  const corked = new Set<Socket>();
  const flush = (): void => {
    for (const tcp of corked) tcp.uncork();
    corked.clear();
  };
  return (tcp) => {
    if (corked.has(tcp)) return false;
    if (corked.size === 0) setImmediate(flush);
    corked.add(tcp);
    tcp.cork();
    return true;
  };
}
