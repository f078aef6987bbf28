/**
 * Strict `host[:port]` parsing, shared by the ICE URI options and by /ice reading the request's
 * Host header: a DNS name, a dotted IPv4 address or a bracketed IPv6 address (no zone), and a
 * port of 1–65535. Anything else is refused rather than repaired, since the result is handed to
 * browsers inside a URI.
 */
import { isIPv4, isIPv6 } from 'node:net';

export interface HostPort {
  /** Lower-cased; an IPv6 address keeps its brackets, ready to put in a URI. */
  readonly host: string;
  readonly port: number | undefined;
}

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const MAX_NAME = 253;

/** `host[:port]` → its parts, or null when it is not exactly such a value. */
export function parseHostPort(text: string): HostPort | null {
  if (text.length === 0 || text.length > MAX_NAME + 8) return null;
  const lowered = text.toLowerCase();
  const bracketed = /^\[([0-9a-f:.]+)\](?::(\d{1,5}))?$/.exec(lowered);
  if (bracketed !== null) {
    const [, address = '', port] = bracketed;
    if (!isIPv6(address)) return null;
    return withPort(`[${address}]`, port);
  }
  const plain = /^([a-z0-9.-]+)(?::(\d{1,5}))?$/.exec(lowered);
  if (plain === null) return null;
  const [, name = '', port] = plain;
  if (!isHostName(name)) return null;
  return withPort(name, port);
}

/** A dotted IPv4 address, or a DNS name of LDH labels whose last label is not all digits. */
function isHostName(name: string): boolean {
  if (isIPv4(name)) return true;
  if (name.length > MAX_NAME) return false;
  const labels = name.split('.');
  if (!labels.every((label) => LABEL.test(label))) return false;
  return !/^\d+$/.test(labels[labels.length - 1] ?? '');
}

function withPort(host: string, port: string | undefined): HostPort | null {
  if (port === undefined) return { host, port: undefined };
  const value = Number(port);
  return value >= 1 && value <= 65535 ? { host, port: value } : null;
}

/**
 * How a socket address is written as a URI host: IPv4 as is, an IPv4-mapped IPv6 address as
 * the IPv4 address it carries, other IPv6 in brackets without a zone. Null for anything else.
 */
export function uriHostOf(address: string): string | null {
  const bare = address.split('%')[0] ?? '';
  if (isIPv4(bare)) return bare;
  if (!isIPv6(bare)) return null;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped?.[1] !== undefined && isIPv4(mapped[1])) return mapped[1];
  return `[${bare.toLowerCase()}]`;
}
