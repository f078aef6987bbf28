/**
 * Which client a connection counts against for MAX_CONNECTIONS_PER_IP. An IPv4 address is one
 * client. An IPv6 address is not: a home or a server is handed a whole /64 (2^64 addresses), so
 * keying on the full address gave one attacker unlimited slots. IPv6 clients are grouped by
 * network prefix (IPV6_PREFIX_LENGTH, default 64), and an IPv4-mapped address (::ffff:1.2.3.4,
 * how a dual-stack socket reports an IPv4 peer) counts as the IPv4 address it carries.
 */
import type { IncomingMessage } from 'node:http';
import { isIPv4, isIPv6 } from 'node:net';

/** The address per-IP limits apply to. Behind a trusted proxy, the last X-Forwarded-For hop. */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = req.headers['x-forwarded-for'];
    const last = (Array.isArray(forwarded) ? forwarded.join(',') : forwarded ?? '').split(',').pop()?.trim();
    if (last) return last;
  }
  return req.socket.remoteAddress ?? 'unknown';
}

/**
 * The key connections from `address` are counted under: the IPv4 address itself, or the IPv6
 * network `xxxx:…/prefixLength` in canonical form, so every spelling of one network gives one key.
 * A value that is no IP address at all (a proxy's odd header) is its own key, as before.
 */
export function connectionLimitKey(address: string, ipv6PrefixLength: number): string {
  const bare = stripDecorations(address);
  if (isIPv4(bare)) return bare;
  if (!isIPv6(bare)) return address;
  const hextets = parseIPv6(bare);
  if (isIPv4Mapped(hextets)) return `${hextets[6] >> 8}.${hextets[6] & 255}.${hextets[7] >> 8}.${hextets[7] & 255}`;
  const prefix = Math.min(128, Math.max(0, ipv6PrefixLength));
  const masked = hextets.map((hextet, i) => {
    const bitsKept = Math.min(16, Math.max(0, prefix - i * 16));
    return bitsKept === 0 ? 0 : hextet & ((0xffff << (16 - bitsKept)) & 0xffff);
  });
  return `${masked.slice(0, Math.ceil(prefix / 16)).map((hextet) => hextet.toString(16)).join(':')}/${prefix}`;
}

/** Drops what proxies and link-local addresses add around an address: `[…]:port`, `%zone`, `a.b.c.d:port`. */
function stripDecorations(address: string): string {
  let bare = address.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(bare);
  if (bracketed?.[1] !== undefined) bare = bracketed[1];
  const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(bare);
  if (v4WithPort?.[1] !== undefined) bare = v4WithPort[1];
  const zone = bare.indexOf('%');
  return zone === -1 ? bare : bare.slice(0, zone);
}

export type Hextets = [number, number, number, number, number, number, number, number];

/** Eight 16-bit groups of a valid IPv6 address (checked by isIPv6), a dotted IPv4 tail included. */
export function parseIPv6(address: string): Hextets {
  let text = address.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted !== null) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const groups = (part: string | undefined): number[] => (part ? part.split(':').map((group) => parseInt(group, 16)) : []);
  const left = groups(head);
  const right = groups(tail);
  const zeros = tail === undefined ? [] : new Array<number>(8 - left.length - right.length).fill(0);
  return [...left, ...zeros, ...right] as Hextets;
}

export function isIPv4Mapped(hextets: Hextets): boolean {
  return hextets.slice(0, 5).every((hextet) => hextet === 0) && hextets[5] === 0xffff;
}
