/**
 * A minimal WebSocket client for benchmarks: raw `net` socket, handshake done by hand,
 * inbound frames only counted from their headers (payloads are skipped unless captured),
 * outbound frames pre-masked by `maskedFrame`. Cheap enough that one client process can
 * receive far more frames per second than a single-core server can send.
 */
import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OP_TEXT = 0x1;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;
/** Every socket reads into this one buffer; a chunk is fully parsed before the next read. */
const READ_BUFFER = Buffer.allocUnsafe(256 * 1024);

/** Shared across sockets: counts text frames and reports the moment `target` is reached. */
export class FrameCounter {
  frames = 0;
  target = Number.POSITIVE_INFINITY;
  reachedAt = 0;
  private onReached: (() => void) | undefined;

  /** Resets the count; resolves (with the time of the target frame) once `target` text frames arrived. */
  arm(target: number, timeoutMs: number): Promise<number> {
    this.frames = 0;
    this.target = target;
    this.reachedAt = 0;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.onReached = undefined;
        reject(new Error(`timed out after ${timeoutMs} ms: ${this.frames} of ${target} frames arrived`));
      }, timeoutMs);
      this.onReached = () => {
        clearTimeout(timer);
        this.onReached = undefined;
        resolve(this.reachedAt);
      };
    });
  }

  count(): void {
    if (++this.frames === this.target) {
      this.reachedAt = performance.now();
      this.onReached?.();
    }
  }
}

/** A client→server frame (FIN set, masked with a random key). Build frames before timing starts. */
export function maskedFrame(payload: Buffer | string, opcode = OP_TEXT): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const length = data.length;
  const headerLength = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + 4 + length);
  frame[0] = 0x80 | opcode;
  if (length < 126) {
    frame[1] = 0x80 | length;
  } else if (length < 65536) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  const mask = randomBytes(4);
  mask.copy(frame, headerLength);
  const offset = headerLength + 4;
  for (let i = 0; i < length; i++) frame[offset + i] = (data[i] as number) ^ (mask[i & 3] as number);
  return frame;
}

export interface ConnectOptions {
  host: string;
  port: number;
  path: string;
  localAddress: string;
  counter: FrameCounter;
  timeoutMs: number;
}

export class BenchSocket {
  /** Text frames received since the last `resetCount`. */
  frames = 0;
  /** When true, the payload of the next text frame is kept in `captured` (then this turns false). */
  captureNext = false;
  captured: Buffer | undefined;
  closed = false;
  /** When set, every text frame's payload is handed here as it arrives (latency, per-room probes). */
  onText: ((payload: Buffer) => void) | undefined;
  /** When set, called once when the connection closes (a killed node, for reconnect storms). */
  onClose: (() => void) | undefined;
  // Parser state: a partial header carried across chunks, and payload bytes still to skip or capture.
  private header: Buffer | undefined;
  private remaining = 0;
  private opcode = 0;
  private parts: Buffer[] | undefined;

  private constructor(private readonly socket: Socket, private readonly counter: FrameCounter) {}

  static connect(options: ConnectOptions): Promise<BenchSocket> {
    return new Promise((resolve, reject) => {
      const key = randomBytes(16).toString('base64');
      const expected = createHash('sha1').update(key + WS_GUID).digest('base64');
      let client: BenchSocket | undefined;
      let response = Buffer.alloc(0);
      // `onread` with one shared buffer: no Buffer allocation or stream machinery per read.
      const socket = connect({
        host: options.host,
        port: options.port,
        localAddress: options.localAddress,
        onread: {
          buffer: READ_BUFFER,
          callback: (bytes: number, buffer: Uint8Array): boolean => {
            const chunk = Buffer.from(buffer.buffer, buffer.byteOffset, bytes);
            if (client !== undefined) client.onData(chunk);
            else onHandshakeData(chunk);
            return true;
          },
        },
      });
      socket.setNoDelay(true);
      const fail = (error: Error): void => {
        clearTimeout(timer);
        socket.destroy();
        reject(error);
      };
      const timer = setTimeout(() => fail(new Error(`handshake timed out (${options.localAddress})`)), options.timeoutMs);
      socket.once('error', fail);
      socket.once('connect', () => {
        socket.write(
          `GET ${options.path} HTTP/1.1\r\nHost: ${options.host}:${options.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
        );
      });
      const onHandshakeData = (chunk: Buffer): void => {
        response = Buffer.concat([response, chunk]);
        const end = response.indexOf('\r\n\r\n');
        if (end === -1) return;
        const head = response.subarray(0, end).toString('latin1');
        if (!head.startsWith('HTTP/1.1 101')) return fail(new Error(`upgrade refused: ${head.split('\r\n')[0] ?? ''}`));
        if (!head.toLowerCase().includes(`sec-websocket-accept: ${expected.toLowerCase()}`)) return fail(new Error('bad Sec-WebSocket-Accept'));
        clearTimeout(timer);
        socket.off('error', fail);
        const opened = new BenchSocket(socket, options.counter);
        client = opened;
        socket.on('error', () => socket.destroy());
        socket.on('close', () => {
          opened.closed = true;
          opened.onClose?.();
        });
        const rest = response.subarray(end + 4);
        if (rest.length > 0) opened.onData(rest);
        resolve(opened);
      };
    });
  }

  send(frame: Buffer): void {
    this.socket.write(frame);
  }

  resetCount(): void {
    this.frames = 0;
    this.captured = undefined;
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    let pos = 0;
    const end = chunk.length;
    while (pos < end) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, end - pos);
        if (this.parts !== undefined) this.parts.push(Buffer.from(chunk.subarray(pos, pos + take)));
        pos += take;
        this.remaining -= take;
        if (this.remaining === 0) this.frameDone();
        continue;
      }
      // Frame header: 2 bytes, plus 2 or 8 length bytes (server frames carry no mask).
      let buf = chunk;
      let at = pos;
      if (this.header !== undefined) {
        buf = Buffer.concat([this.header, chunk.subarray(pos, Math.min(end, pos + 14))]);
        at = 0;
      }
      const available = buf.length - at;
      if (available < 2) return this.keepHeader(buf, at);
      const b0 = buf[at] as number;
      const b1 = buf[at + 1] as number;
      let length = b1 & 0x7f;
      let headerLength = 2;
      if (length === 126) headerLength = 4;
      else if (length === 127) headerLength = 10;
      if (available < headerLength) return this.keepHeader(buf, at);
      if (length === 126) length = buf.readUInt16BE(at + 2);
      else if (length === 127) length = Number(buf.readBigUInt64BE(at + 2));
      if ((b1 & 0x80) !== 0) throw new Error('server sent a masked frame');
      // Advance `pos` in `chunk` past the header bytes taken from it.
      pos = this.header !== undefined ? pos + headerLength - this.header.length : pos + headerLength;
      this.header = undefined;
      this.opcode = b0 & 0x0f;
      this.remaining = length;
      const capture = this.opcode !== OP_TEXT || this.captureNext || this.onText !== undefined;
      if (this.opcode === OP_TEXT && this.captureNext) this.captureNext = false;
      this.parts = capture ? [] : undefined;
      if (length === 0) this.frameDone();
    }
  }

  private keepHeader(buf: Buffer, at: number): void {
    this.header = Buffer.from(buf.subarray(at));
  }

  private frameDone(): void {
    const opcode = this.opcode;
    const payload = this.parts === undefined ? undefined : Buffer.concat(this.parts);
    this.parts = undefined;
    if (opcode === OP_TEXT || opcode === 0x0) {
      this.frames++;
      if (payload !== undefined) this.captured = payload;
      this.counter.count();
      if (payload !== undefined) this.onText?.(payload);
    } else if (opcode === OP_PING) {
      this.socket.write(maskedFrame(payload ?? Buffer.alloc(0), OP_PONG));
    } else if (opcode === OP_CLOSE) {
      this.closed = true;
      this.socket.end();
    }
  }
}
