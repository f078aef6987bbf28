/**
 * STUN Binding (RFC 8489), the one exchange the node's responder speaks: a parser that accepts
 * exactly a well-formed Binding request or names why not, and the encoder of its success
 * response (XOR-MAPPED-ADDRESS and FINGERPRINT, no SOFTWARE: the answer stays small and says
 * nothing about the node).
 */
import { isIPv4, isIPv6 } from 'node:net';
import { crc32 } from 'node:zlib';
import { isIPv4Mapped, parseIPv6 } from './client-address.js';
import type { StunResult } from './metrics.js';

export const MAGIC_COOKIE = 0x2112a442;
export const HEADER_BYTES = 20;
export const TRANSACTION_ID_BYTES = 12;
/** RFC 8489 §6.1: without path MTU discovery a STUN message over IPv4 fits 576-byte IP packets. */
export const MAX_REQUEST_BYTES = 548;
export const BINDING_REQUEST = 0x0001;
export const BINDING_SUCCESS = 0x0101;
export const ATTR_XOR_MAPPED_ADDRESS = 0x0020;
export const ATTR_FINGERPRINT = 0x8028;
export const FINGERPRINT_XOR = 0x5354554e;

/**
 * Comprehension-required attributes a Binding request may carry that need nothing from a server
 * without credentials: USERNAME, MESSAGE-INTEGRITY(-SHA256), ICE's PRIORITY and USE-CANDIDATE.
 * Any other (CHANGE-REQUEST, RESPONSE-PORT, …) asks for behaviour this responder lacks.
 */
const IGNORABLE_REQUIRED = new Set([0x0006, 0x0008, 0x001c, 0x0024, 0x0025]);

export type StunDropReason = Exclude<StunResult, 'answered' | 'bad_source' | 'rate_limited' | 'send_error'>;

export interface BindingRequest {
  readonly transactionId: Uint8Array;
}

/** A Binding request's transaction id, or the reason the datagram is not one. Reads at most MAX_REQUEST_BYTES. */
export function parseBindingRequest(packet: Uint8Array): BindingRequest | StunDropReason {
  if (packet.length > MAX_REQUEST_BYTES) return 'oversized';
  if (packet.length < HEADER_BYTES) return 'not_stun';
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  const type = view.getUint16(0);
  if ((type & 0xc000) !== 0 || view.getUint32(4) !== MAGIC_COOKIE) return 'not_stun';
  const length = view.getUint16(2);
  if (length % 4 !== 0 || length !== packet.length - HEADER_BYTES) return 'malformed';
  if (type !== BINDING_REQUEST) return 'not_binding_request';
  // At most (548 - 20) / 4 = 132 attributes: the work per datagram is bounded by its size limit.
  let offset = HEADER_BYTES;
  while (offset < packet.length) {
    const attrType = view.getUint16(offset);
    const attrLength = view.getUint16(offset + 2);
    const end = offset + 4 + ((attrLength + 3) & ~3);
    if (end > packet.length) return 'malformed';
    if (attrType === ATTR_FINGERPRINT) {
      if (attrLength !== 4 || end !== packet.length) return 'malformed'; // it must be the last attribute
      if (view.getUint32(offset + 4) !== fingerprintOf(packet.subarray(0, offset))) return 'bad_fingerprint';
    } else if (attrType < 0x8000 && !IGNORABLE_REQUIRED.has(attrType)) {
      return 'unknown_attribute';
    }
    offset = end;
  }
  return { transactionId: packet.slice(8, HEADER_BYTES) };
}

function fingerprintOf(bytes: Uint8Array): number {
  return (crc32(bytes) ^ FINGERPRINT_XOR) >>> 0;
}

/** 4 bytes for an IPv4 (or IPv4-mapped) address, 16 for IPv6; null for anything else. */
export function addressBytes(address: string): Uint8Array | null {
  const bare = address.split('%')[0] ?? '';
  if (isIPv4(bare)) return Uint8Array.from(bare.split('.').map(Number));
  if (!isIPv6(bare)) return null;
  const hextets = parseIPv6(bare);
  const bytes = new Uint8Array(16);
  hextets.forEach((hextet, i) => {
    bytes[2 * i] = hextet >> 8;
    bytes[2 * i + 1] = hextet & 0xff;
  });
  return isIPv4Mapped(hextets) ? bytes.slice(12) : bytes;
}

/** The Binding success response telling the sender its address (4 or 16 bytes) and port as seen here. */
export function encodeBindingSuccess(transactionId: Uint8Array, address: Uint8Array, port: number): Buffer {
  const valueBytes = 4 + address.length;
  const total = HEADER_BYTES + 4 + valueBytes + 8;
  const out = Buffer.alloc(total);
  out.writeUInt16BE(BINDING_SUCCESS, 0);
  out.writeUInt16BE(total - HEADER_BYTES, 2);
  out.writeUInt32BE(MAGIC_COOKIE, 4);
  out.set(transactionId, 8);
  let offset = HEADER_BYTES;
  out.writeUInt16BE(ATTR_XOR_MAPPED_ADDRESS, offset);
  out.writeUInt16BE(valueBytes, offset + 2);
  out.writeUInt8(address.length === 4 ? 0x01 : 0x02, offset + 5);
  out.writeUInt16BE(port ^ (MAGIC_COOKIE >>> 16), offset + 6);
  // X-Address: the address XOR the magic cookie, then (IPv6) the transaction id.
  for (let i = 0; i < address.length; i++) out[offset + 8 + i] = (address[i] ?? 0) ^ (out[4 + i] ?? 0);
  offset += 4 + valueBytes;
  out.writeUInt16BE(ATTR_FINGERPRINT, offset);
  out.writeUInt16BE(4, offset + 2);
  out.writeUInt32BE(fingerprintOf(out.subarray(0, offset)), offset + 4);
  return out;
}
