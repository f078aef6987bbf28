/**
 * GET /ice: the ICE servers a browser should use, with TURN credentials minted per request
 * (coturn's `use-auth-secret`, the TURN REST API scheme). A credential names nothing but its
 * expiry and 16 random bytes: no room, no person, no client address.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressLimiter } from './address-limiter.js';
import { clientAddress, connectionLimitKey } from './client-address.js';
import type { NodeConfig } from './config.js';
import { parseHostPort, uriHostOf } from './host-port.js';
import { sendJson } from './http-responses.js';
import type { Logger } from './logger.js';
import type { NodeStats } from './metrics.js';

export const ICE_PATH = '/ice';

export interface TurnCredential {
  /** `<unix expiry seconds>:<16 random bytes, base64url>` */
  readonly username: string;
  /** base64(HMAC-SHA1(secret, username)) */
  readonly credential: string;
}

export interface IceServer {
  readonly urls: readonly string[];
  readonly username?: string;
  readonly credential?: string;
}

export interface IceResponse {
  readonly iceServers: readonly IceServer[];
  /** Seconds the TURN credential stays valid; fetch again before then. */
  readonly ttlSeconds: number;
}

/** Size of the random part of a TURN username. */
export const TURN_RANDOM_BYTES = 16;

/**
 * Mints a TURN REST credential valid until `nowMs` + `ttlSeconds` (whole seconds, rounded down).
 * Pure given its inputs: the clock and the random bytes are passed in.
 */
export function mintTurnCredential(secret: string, ttlSeconds: number, nowMs: number, random: Uint8Array): TurnCredential {
  const expiry = Math.floor(nowMs / 1000) + ttlSeconds;
  const username = `${expiry}:${Buffer.from(random.buffer, random.byteOffset, random.byteLength).toString('base64url')}`;
  const credential = createHmac('sha1', secret).update(username).digest('base64');
  return { username, credential };
}

/**
 * The host a browser should send STUN to: the request's Host header without its port, when it is
 * a well-formed host; otherwise the local address the request arrived on. Null if neither is usable.
 */
export function stunHostOf(hostHeader: string | undefined, localAddress: string | undefined): string | null {
  const parsed = hostHeader === undefined ? null : parseHostPort(hostHeader);
  if (parsed !== null) return parsed.host;
  return localAddress === undefined ? null : uriHostOf(localAddress);
}

export interface IceInputs {
  readonly stunUrls: readonly string[];
  /** The own STUN responder's port and the host to name it by, when it runs and STUN_URLS is empty. */
  readonly ownStun: { readonly host: string; readonly port: number } | undefined;
  readonly turnUrls: readonly string[];
  readonly turn: TurnCredential | undefined;
  readonly ttlSeconds: number;
}

/** The /ice body: STUN first (one entry), then TURN with its credential (one entry). */
export function buildIceResponse(inputs: IceInputs): IceResponse {
  const iceServers: IceServer[] = [];
  if (inputs.stunUrls.length > 0) iceServers.push({ urls: [...inputs.stunUrls] });
  else if (inputs.ownStun !== undefined) iceServers.push({ urls: [`stun:${inputs.ownStun.host}:${inputs.ownStun.port}`] });
  if (inputs.turn !== undefined && inputs.turnUrls.length > 0) {
    iceServers.push({ urls: [...inputs.turnUrls], username: inputs.turn.username, credential: inputs.turn.credential });
  }
  return { iceServers, ttlSeconds: inputs.ttlSeconds };
}

export interface IceHandlerDeps {
  readonly config: Pick<NodeConfig, 'stunUrls' | 'turnUrls' | 'turnSecret' | 'turnTtlSeconds' | 'trustProxy' | 'ipv6PrefixLength'>;
  readonly stats: NodeStats;
  readonly log: Logger;
  readonly limiter: AddressLimiter;
  /** The own STUN responder's port while it runs, else undefined. */
  readonly ownStunPort: () => number | undefined;
  /** Unix time in milliseconds (credential expiry). */
  readonly wallClock: () => number;
  readonly random?: (size: number) => Uint8Array;
}

/** Handles GET/HEAD /ice: per-address limit, then a fresh body. Logs counts only, never a credential. */
export function createIceHandler(deps: IceHandlerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { config, stats, log, limiter, ownStunPort, wallClock, random = randomBytes } = deps;
  return (req, res) => {
    const waitMs = limiter.take(connectionLimitKey(clientAddress(req, config.trustProxy), config.ipv6PrefixLength));
    if (waitMs > 0) {
      stats.iceRequests.limited++;
      log.debug('ice limited');
      res.setHeader('Retry-After', String(Math.max(1, Math.ceil(waitMs / 1000))));
      sendJson(res, 429, { error: 'too many requests' });
      return;
    }
    stats.iceRequests.served++;
    const port = ownStunPort();
    const host = port === undefined ? null : stunHostOf(req.headers.host, req.socket.localAddress);
    const turn = config.turnSecret === undefined ? undefined : mintTurnCredential(config.turnSecret, config.turnTtlSeconds, wallClock(), random(TURN_RANDOM_BYTES));
    sendJson(res, 200, buildIceResponse({
      stunUrls: config.stunUrls,
      ownStun: port === undefined || host === null ? undefined : { host, port },
      turnUrls: config.turnUrls,
      turn,
      ttlSeconds: config.turnTtlSeconds,
    }));
  };
}
