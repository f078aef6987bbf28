/**
 * STUN test kit, written from RFC 8489 independently of signaling/stun.ts: a request builder, a
 * bit-by-bit CRC-32, a reading of answers, an oracle deciding whether a datagram is a Binding
 * request the responder must answer, and a UDP client that records everything it receives.
 */
import { createSocket, type Socket } from 'node:dgram';

export const COOKIE = 0x2112a442;

/** CRC-32 (IEEE, reflected, polynomial 0xEDB88320), one bit at a time. */
export function crc32Bitwise(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

export interface Attribute {
  type: number;
  value: Uint8Array;
}

/** A message of `type` with these attributes, and FINGERPRINT last when asked. */
export function stunMessage(type: number, transactionId: Uint8Array, attributes: readonly Attribute[] = [], fingerprint = false): Buffer {
  const parts = attributes.map(({ type: attrType, value }) => {
    const part = Buffer.alloc(4 + Math.ceil(value.length / 4) * 4);
    part.writeUInt16BE(attrType, 0);
    part.writeUInt16BE(value.length, 2);
    part.set(value, 4);
    return part;
  });
  const header = Buffer.alloc(20);
  header.writeUInt16BE(type, 0);
  header.writeUInt32BE(COOKIE, 4);
  header.set(transactionId, 8);
  let message = Buffer.concat([header, ...parts]);
  if (fingerprint) {
    message.writeUInt16BE(message.length - 20 + 8, 2);
    const attr = Buffer.alloc(8);
    attr.writeUInt16BE(0x8028, 0);
    attr.writeUInt16BE(4, 2);
    attr.writeUInt32BE((crc32Bitwise(message) ^ 0x5354554e) >>> 0, 4);
    message = Buffer.concat([message, attr]);
  }
  message.writeUInt16BE(message.length - 20, 2);
  return message;
}

export const bindingRequest = (transactionId: Uint8Array, attributes: readonly Attribute[] = [], fingerprint = false): Buffer =>
  stunMessage(0x0001, transactionId, attributes, fingerprint);

/** Recomputes a trailing FINGERPRINT over whatever precedes it (for mutated packets). */
export function refingerprint(packet: Buffer): Buffer {
  const out = Buffer.from(packet);
  if (out.length >= 28 && out.readUInt16BE(out.length - 8) === 0x8028) {
    out.writeUInt32BE((crc32Bitwise(out.subarray(0, out.length - 8)) ^ 0x5354554e) >>> 0, out.length - 4);
  }
  return out;
}

const IGNORABLE_REQUIRED = [0x0006, 0x0008, 0x001c, 0x0024, 0x0025];

/** Whether the responder must answer `p`: a well-formed Binding request of at most 548 bytes. */
export function isAnswerableRequest(p: Uint8Array): boolean {
  const u16 = (i: number): number => (p[i] ?? 0) * 256 + (p[i + 1] ?? 0);
  const u32 = (i: number): number => u16(i) * 65536 + u16(i + 2);
  if (p.length < 20 || p.length > 548) return false;
  if (u16(0) !== 0x0001 || u32(4) !== COOKIE) return false;
  if (u16(2) !== p.length - 20 || u16(2) % 4 !== 0) return false;
  const attributes: Array<{ type: number; length: number; at: number }> = [];
  for (let at = 20; at < p.length;) {
    const length = u16(at + 2);
    const next = at + 4 + Math.ceil(length / 4) * 4;
    if (next > p.length) return false;
    attributes.push({ type: u16(at), length, at });
    at = next;
  }
  const fingerprintAt = attributes.findIndex((attribute) => attribute.type === 0x8028);
  if (fingerprintAt !== -1) {
    const attribute = attributes[fingerprintAt];
    if (attribute === undefined || fingerprintAt !== attributes.length - 1 || attribute.length !== 4) return false;
    if (u32(attribute.at + 4) !== ((crc32Bitwise(p.subarray(0, attribute.at)) ^ 0x5354554e) >>> 0)) return false;
  }
  return attributes.every((attribute) => attribute.type >= 0x8000 || IGNORABLE_REQUIRED.includes(attribute.type));
}

export interface BindingAnswer {
  transactionId: string;
  family: 1 | 2;
  address: string;
  port: number;
  attributeTypes: number[];
  fingerprintValid: boolean;
}

/** Reads a Binding success response, or throws saying what is wrong with it. */
export function readBindingAnswer(p: Buffer): BindingAnswer {
  if (p.readUInt16BE(0) !== 0x0101) throw new Error(`not a Binding success: 0x${p.readUInt16BE(0).toString(16)}`);
  if (p.readUInt32BE(4) !== COOKIE || p.readUInt16BE(2) !== p.length - 20) throw new Error('bad header');
  const attributeTypes: number[] = [];
  let mapped: { family: 1 | 2; address: string; port: number } | undefined;
  let fingerprintValid = false;
  for (let at = 20; at < p.length;) {
    const type = p.readUInt16BE(at);
    const length = p.readUInt16BE(at + 2);
    attributeTypes.push(type);
    if (type === 0x0020) {
      const family = p[at + 5] === 1 ? 1 : 2;
      const port = p.readUInt16BE(at + 6) ^ (COOKIE >>> 16);
      const raw = p.subarray(at + 8, at + 8 + (family === 1 ? 4 : 16)).map((byte, i) => byte ^ (p[4 + i] ?? 0));
      const address = family === 1 ? [...raw].join('.') : [...Array(8).keys()].map((i) => ((raw[2 * i] ?? 0) * 256 + (raw[2 * i + 1] ?? 0)).toString(16)).join(':');
      mapped = { family, address, port };
    }
    if (type === 0x8028) fingerprintValid = p.readUInt32BE(at + 4) === ((crc32Bitwise(p.subarray(0, at)) ^ 0x5354554e) >>> 0) && at + 8 === p.length;
    at += 4 + Math.ceil(length / 4) * 4;
  }
  if (mapped === undefined) throw new Error('no XOR-MAPPED-ADDRESS');
  return { transactionId: p.subarray(8, 20).toString('hex'), ...mapped, attributeTypes, fingerprintValid };
}

/** A UDP socket on `host` keeping every datagram it receives. */
export class UdpClient {
  readonly received: Buffer[] = [];
  private constructor(readonly socket: Socket) {
    socket.on('message', (message: Buffer) => this.received.push(message));
  }

  static async open(host = '127.0.0.1'): Promise<UdpClient> {
    const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, host, () => resolve());
    });
    return new UdpClient(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(packet: Uint8Array, port: number, host = '127.0.0.1'): Promise<void> {
    return new Promise((resolve, reject) => this.socket.send(packet, port, host, (error) => (error ? reject(error) : resolve())));
  }

  close(): void {
    this.socket.close();
  }
}
