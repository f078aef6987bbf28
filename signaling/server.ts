/**
 * createSignalingServer: one HTTP(S) server carrying the WebSocket relay at /signal,
 * /healthz, /metrics and (optionally) the built client. Returns a handle so tests can
 * listen on port 0 and close it.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { defaultConfig, type NodeConfig } from './config.js';
import { createStaticHandler, securityHeaders, sendJson, type StaticHandler } from './http-responses.js';
import { silentLogger, type Logger } from './logger.js';
import { createMetricsRegistry, createStats, type NodeStats, type RefuseReason } from './metrics.js';
import { PeerSocket, createRelay, type Clock } from './relay.js';
import { clientAddress, connectionLimitKey } from './client-address.js';

export const SIGNAL_PATH = '/signal';
/** WebSocket close code 1001: the endpoint is going away (server shutdown). */
export const CLOSE_GOING_AWAY = 1001;
const SHUTDOWN_GRACE_MS = 2000;

export interface SignalingServerOptions extends Partial<NodeConfig> {
  logger?: Logger;
  /** Export Node process metrics (memory, CPU, event loop) in /metrics. Default true. */
  processMetrics?: boolean;
  /** The clock the rate and byte budgets refill by (ms, monotonic); tests move it by hand. Default performance.now. */
  now?: Clock;
}

export interface SignalingServer {
  /** Resolves once the server is listening. */
  readonly ready: Promise<void>;
  /** Listening address; valid after `ready`. */
  address(): AddressInfo;
  /** Base URL like `http://127.0.0.1:8787`; valid after `ready`. */
  url(): string;
  /** Live counters, also exported in /metrics. */
  readonly stats: NodeStats;
  /** Closes every WebSocket with 1001 (going away), stops listening, resolves when done. */
  close(): Promise<void>;
}

const HTTP_STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  429: 'Too Many Requests',
  503: 'Service Unavailable',
};

/** The key (address, or IPv6 network) a TCP socket's per-IP slot was counted against. */
const CLIENT_ADDRESS = Symbol('parley.clientAddress');

function destroySocket(this: Duplex): void {
  this.destroy();
}

/** Answers an upgrade request with a plain HTTP error before any WebSocket exists. */
function refuseUpgrade(socket: Duplex, status: number): void {
  const text = HTTP_STATUS_TEXT[status] ?? 'Error';
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\n\r\n${text}`);
}

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

export function createSignalingServer(options: SignalingServerOptions = {}): SignalingServer {
  const { logger = silentLogger, processMetrics = true, now, ...overrides } = options;
  const config: NodeConfig = { ...defaultConfig(), ...stripUndefined(overrides) };
  const log = logger;
  const stats = createStats();
  const relay = createRelay(config, stats, log, now);
  const registry = createMetricsRegistry(stats, { connections: relay.connectionCount, topics: relay.topicCount }, processMetrics);
  const serveStatic: StaticHandler | undefined = config.staticDir ? createStaticHandler(config.staticDir) : undefined;
  const tls = config.tlsCert !== undefined && config.tlsKey !== undefined;
  const allowedOrigins = new Set(config.allowedOrigins);
  const connectionsPerIp = new Map<string, number>();
  let openSockets = 0;
  let closing = false;
  const startedAt = Date.now();

  // perMessageDeflate must stay off: frame-writer.ts relies on ws never queueing frames.
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.maxFrameBytes, perMessageDeflate: false, clientTracking: false, WebSocket: PeerSocket });
  // A malformed handshake (bad key, version...) is answered 400 and counted.
  wss.on('wsClientError', (_error, socket) => refuse(socket, 400, 'handshake'));

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    for (const [name, value] of Object.entries(securityHeaders(req.headers.host, tls))) res.setHeader(name, value);
    const path = pathOf(req);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      sendJson(res, 405, { error: 'method not allowed' });
    } else if (path === '/healthz') {
      sendJson(res, 200, { status: 'ok', uptimeSeconds: Math.round((Date.now() - startedAt) / 1000), connections: relay.connectionCount(), topics: relay.topicCount() });
    } else if (path === '/metrics') {
      registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'Content-Type': registry.contentType, 'Cache-Control': 'no-store' });
          res.end(text);
        },
        () => sendJson(res, 500, { error: 'metrics unavailable' }),
      );
    } else if (path === SIGNAL_PATH) {
      res.setHeader('Upgrade', 'websocket');
      sendJson(res, 426, { error: 'this endpoint speaks WebSocket (y-webrtc signaling)' });
    } else if (serveStatic) {
      serveStatic(req, res, () => sendJson(res, 404, { error: 'not found' }));
    } else {
      sendJson(res, 404, { error: 'not found' });
    }
  };

  const refuse = (socket: Duplex, status: number, reason: RefuseReason): void => {
    stats.connectionsRefused[reason]++;
    log.debug('upgrade refused', { reason });
    refuseUpgrade(socket, status);
  };

  // Shared listeners (`this` is the TCP socket): no closures kept per connection.
  function releaseSlot(this: Socket & { [CLIENT_ADDRESS]?: string }): void {
    const ip = this[CLIENT_ADDRESS];
    if (ip === undefined) return;
    openSockets--;
    const remaining = (connectionsPerIp.get(ip) ?? 1) - 1;
    if (remaining === 0) connectionsPerIp.delete(ip);
    else connectionsPerIp.set(ip, remaining);
  }

  const onUpgrade = (req: IncomingMessage, socket: Socket & { [CLIENT_ADDRESS]?: string }, head: Buffer): void => {
    socket.on('error', destroySocket);
    if (closing) return refuse(socket, 503, 'shutting_down');
    if (pathOf(req) !== SIGNAL_PATH) return refuse(socket, 404, 'bad_path');
    const origin = req.headers.origin;
    if (allowedOrigins.size > 0 && origin !== undefined && !allowedOrigins.has(origin)) return refuse(socket, 403, 'origin');
    if (openSockets >= config.maxConnections) return refuse(socket, 503, 'capacity');
    const ip = connectionLimitKey(clientAddress(req, config.trustProxy), config.ipv6PrefixLength);
    const fromIp = connectionsPerIp.get(ip) ?? 0;
    if (fromIp >= config.maxConnectionsPerIp) return refuse(socket, 429, 'ip_limit');
    // Reserve the slot now and release it when the TCP socket closes, whether or not the handshake succeeds.
    connectionsPerIp.set(ip, fromIp + 1);
    openSockets++;
    socket[CLIENT_ADDRESS] = ip;
    socket.on('close', releaseSlot);
    wss.handleUpgrade(req, socket, head, (ws) => relay.accept(ws as PeerSocket, socket));
  };

  const server: Server = tls
    ? createHttpsServer({ cert: readFileSync(config.tlsCert as string), key: readFileSync(config.tlsKey as string) }, onRequest)
    : createHttpServer(onRequest);
  server.on('upgrade', onUpgrade);
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  const heartbeat = setInterval(() => relay.heartbeat(), config.heartbeatMs);
  heartbeat.unref();

  const ready = new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      const { address, port } = server.address() as AddressInfo;
      log.info('listening', { address, port, tls, static: serveStatic !== undefined });
      resolve();
    });
  });

  let closed: Promise<void> | undefined;
  return {
    ready,
    stats,
    address: () => server.address() as AddressInfo,
    url() {
      const { address, port, family } = server.address() as AddressInfo;
      const host = family === 'IPv6' ? `[${address}]` : address;
      return `${tls ? 'https' : 'http'}://${host === '[::]' || host === '0.0.0.0' ? 'localhost' : host}:${port}`;
    },
    close() {
      closed ??= (async () => {
        closing = true;
        clearInterval(heartbeat);
        const listening = new Promise<void>((resolve) => server.close(() => resolve()));
        await relay.closeAll(CLOSE_GOING_AWAY, 'server shutting down', SHUTDOWN_GRACE_MS);
        server.closeAllConnections();
        await listening;
        log.info('closed');
      })();
      return closed;
    },
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
