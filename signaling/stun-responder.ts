/**
 * The node's own STUN responder: one UDP socket answering Binding requests (stun.ts) so browsers
 * learn their public address without a third-party STUN server. Everything else is dropped
 * silently and counted. Answers are rate-limited per source (an IPv4 address or IPv6 network):
 * a UDP source can be forged, and a 40–52-byte answer to a 20-byte request must not become a
 * flood aimed at whoever's address was forged.
 */
import { createSocket, type RemoteInfo, type Socket, type SocketType } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { AddressLimiter } from './address-limiter.js';
import { connectionLimitKey } from './client-address.js';
import type { Logger } from './logger.js';
import type { NodeStats, StunResult } from './metrics.js';
import { addressBytes, encodeBindingSuccess, parseBindingRequest } from './stun.js';

export interface StunResponderOptions {
  /** UDP port; 0 picks a free one (the server never passes 0: there it means "off"). */
  readonly port: number;
  /** Bind address; undefined: every interface, dual-stack where the system allows. */
  readonly host: string | undefined;
  readonly ipv6PrefixLength: number;
  readonly limiter: AddressLimiter;
  readonly stats: NodeStats;
  readonly log: Logger;
}

export interface StunResponder {
  /** The port answering, once bound; undefined if binding failed (logged as a warning). Never rejects. */
  readonly ready: Promise<number | undefined>;
  /** The bound port while running, else undefined. */
  port(): number | undefined;
  close(): Promise<void>;
}

export function createStunResponder(options: StunResponderOptions): StunResponder {
  const { stats, log, limiter, ipv6PrefixLength } = options;
  let socket: Socket | undefined;
  let boundPort: number | undefined;
  let closed = false;

  const answer = (packet: Buffer, from: RemoteInfo, bound: Socket): StunResult | undefined => {
    const request = parseBindingRequest(packet);
    if (typeof request === 'string') return request;
    const address = addressBytes(from.address);
    if (address === null || from.port === 0) return 'bad_source';
    if (limiter.take(connectionLimitKey(from.address, ipv6PrefixLength)) > 0) return 'rate_limited';
    bound.send(encodeBindingSuccess(request.transactionId, address, from.port), from.port, from.address, (error) => {
      stats.stunPackets[error ? 'send_error' : 'answered']++;
    });
    return undefined;
  };

  const attempts: Array<{ type: SocketType; host: string; ipv6Only?: boolean }> = options.host !== undefined
    ? [{ type: isIPv6(options.host.replace(/^\[|\]$/g, '')) ? 'udp6' : 'udp4', host: options.host.replace(/^\[|\]$/g, '') }]
    : [{ type: 'udp6', host: '::', ipv6Only: false }, { type: 'udp4', host: '0.0.0.0' }];

  const bind = (attempt: (typeof attempts)[number]): Promise<Socket | Error> => new Promise((resolve) => {
    const candidate = createSocket({ type: attempt.type, ipv6Only: attempt.ipv6Only ?? false });
    const fail = (error: Error): void => {
      try {
        candidate.close();
      } catch {
        // a socket whose bind failed may already be closed
      }
      resolve(error);
    };
    candidate.once('error', fail);
    candidate.bind({ port: options.port, address: attempt.host }, () => {
      candidate.off('error', fail);
      resolve(candidate);
    });
  });

  const ready = (async (): Promise<number | undefined> => {
    let lastError: Error | undefined;
    for (const attempt of attempts) {
      const result = await bind(attempt);
      if (!(result instanceof Error)) {
        socket = result;
        break;
      }
      lastError = result;
    }
    if (socket === undefined) {
      const code = (lastError as NodeJS.ErrnoException | undefined)?.code ?? lastError?.message ?? 'unknown';
      log.warn('STUN responder not started; /ice will not offer it', { STUN_PORT: options.port, error: code, hint: 'free the port, set STUN_PORT to another port or 0, or set STUN_URLS' });
      return undefined;
    }
    const bound = socket;
    if (closed) {
      bound.close();
      return undefined;
    }
    bound.on('message', (packet: Buffer, from: RemoteInfo) => {
      const result = answer(packet, from, bound);
      if (result !== undefined) stats.stunPackets[result]++;
    });
    // After binding, errors are per datagram (e.g. ICMP unreachable reported on a later send): note them and go on.
    bound.on('error', (error: NodeJS.ErrnoException) => log.debug('STUN socket error', { error: error.code ?? error.message }));
    boundPort = bound.address().port;
    return boundPort;
  })();

  return {
    ready,
    port: () => boundPort,
    async close() {
      closed = true;
      await ready;
      const open = socket;
      socket = undefined;
      boundPort = undefined;
      if (open !== undefined) await new Promise<void>((resolve) => open.close(() => resolve()));
    },
  };
}
