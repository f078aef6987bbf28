/**
 * createSignalingServer: one HTTP(S) server carrying the WebSocket relay at /signal,
 * /ice, /healthz, /metrics and (optionally) the built client, plus the STUN responder on UDP.
 * Returns a handle so tests can listen on port 0 and close it.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { createAddressLimiter } from './address-limiter.js';
import { checkClusterConfig, checkEmbedOrigins, checkIceConfig, defaultConfig, type NodeConfig } from './config.js';
import { ICE_PATH, createIceHandler } from './ice.js';
import { createStunResponder, type StunResponder } from './stun-responder.js';
import { createStaticHandler, securityHeaders, sendJson, type StaticHandler } from './http-responses.js';
import { silentLogger, type Logger } from './logger.js';
import { SERVICE_WORKER_OFF, SERVICE_WORKER_PATH } from './service-worker-off.js';
import { createMetricsRegistry, createStats, type NodeStats, type RefuseReason } from './metrics.js';
import { PeerSocket, SINGLE_NODE, createRelay, type Clock } from './relay.js';
import { createCluster, type Cluster } from './cluster.js';
import { createRedisBus } from './redis-bus.js';
import { randomBytes } from 'node:crypto';
import { clientAddress, connectionLimitKey } from './client-address.js';

export const SIGNAL_PATH = '/signal';
/** WebSocket close code 1001: the endpoint is going away (server shutdown). */
export const CLOSE_GOING_AWAY = 1001;
const SHUTDOWN_GRACE_MS = 2000;
const LISTEN_BACKLOG = 4096;
/** Addresses each per-address limiter (/ice, STUN answers) remembers at most. */
const LIMITER_MAX_KEYS = 16_384;
const LIMITER_SWEEP_MS = 60_000;

export interface SignalingServerOptions extends Partial<NodeConfig> {
  logger?: Logger;
  /** Export Node process metrics (memory, CPU, event loop) in /metrics. Default true. */
  processMetrics?: boolean;
  /** The clock the rate and byte budgets refill by (ms, monotonic); tests move it by hand. Default performance.now. */
  now?: Clock;
  /** Unix time in ms, for TURN credential expiry; tests pin it. Default Date.now. */
  wallClock?: () => number;
}

export interface SignalingServer {
  /** Resolves once the server is listening. */
  readonly ready: Promise<void>;
  /** Listening address; valid after `ready`. */
  address(): AddressInfo;
  /** Base URL like `http://127.0.0.1:8787`; valid after `ready`. */
  url(): string;
  /** UDP port of the own STUN responder while it runs (after `ready`), else undefined. */
  stunPort(): number | undefined;
  /** Live counters, also exported in /metrics. */
  readonly stats: NodeStats;
  /** NODE_ID, or the random one it was given. */
  readonly nodeId: string;
  /** The Redis side when REDIS_URL is set. */
  readonly cluster: Cluster | undefined;
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
  const { logger = silentLogger, processMetrics = true, now, wallClock = Date.now, ...overrides } = options;
  const config: NodeConfig = { ...defaultConfig(), ...stripUndefined(overrides) };
  checkIceConfig(config);
  config.embedOrigins = checkEmbedOrigins(config.embedOrigins);
  checkClusterConfig(config);
  const clock: Clock = now ?? (() => performance.now());
  const log = logger;
  const stats = createStats();
  const nodeId = config.nodeId ?? `node-${randomBytes(6).toString('hex')}`;
  const cluster: Cluster | undefined = config.redisUrl === undefined ? undefined : createCluster({
    nodeId,
    bus: createRedisBus(config.redisUrl, log),
    log,
    maxTopicLength: config.maxTopicLength,
    maxFrameBytes: config.maxFrameBytes,
    bytesPerSecond: config.redisBytesPerSecond,
    now: clock,
  });
  const relay = createRelay(config, stats, log, now, cluster ?? SINGLE_NODE);
  cluster?.start(relay.deliverRemote);
  const registry = createMetricsRegistry(stats, { connections: relay.connectionCount, topics: relay.topicCount }, processMetrics, cluster);
  const serveStatic: StaticHandler | undefined = config.staticDir ? createStaticHandler(config.staticDir) : undefined;
  const tls = config.tlsCert !== undefined && config.tlsKey !== undefined;
  const allowedOrigins = new Set(config.allowedOrigins);
  const connectionsPerIp = new Map<string, number>();
  let openSockets = 0;
  let closing = false;
  const startedAt = Date.now();
  // The own STUN responder runs only when no STUN server is configured; it starts once HTTP listens.
  const wantsStun = config.stunPort > 0 && config.stunUrls.length === 0;
  let stun: StunResponder | undefined;
  const iceLimiter = createAddressLimiter({ perSecond: config.iceRequestsPerMinute / 60, burst: config.iceRequestsBurst, maxKeys: LIMITER_MAX_KEYS, now: clock });
  const stunLimiter = createAddressLimiter({ perSecond: config.stunResponsesPerSecond, burst: config.stunResponsesPerSecond, maxKeys: LIMITER_MAX_KEYS, now: clock });
  const serveIce = createIceHandler({ config, stats, log, limiter: iceLimiter, ownStunPort: () => stun?.port(), wallClock });

  // perMessageDeflate must stay off: frame-writer.ts relies on ws never queueing frames.
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.maxFrameBytes, perMessageDeflate: false, clientTracking: false, WebSocket: PeerSocket });
  // A malformed handshake (bad key, version...) is answered 400 and counted.
  wss.on('wsClientError', (_error, socket) => refuse(socket, 400, 'handshake'));

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    for (const [name, value] of Object.entries(securityHeaders(req.headers.host, tls, config.embedOrigins))) res.setHeader(name, value);
    const path = pathOf(req);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      sendJson(res, 405, { error: 'method not allowed' });
    } else if (path === '/healthz') {
      // Degraded, not failing: the node still serves every room whose members are all on it, so a
      // load balancer should keep sending it clients (every node loses the same Redis at once).
      const redis = cluster === undefined ? 'off' : cluster.redisUp() ? 'up' : 'down';
      const nodeIdInUse = cluster?.nodeIdConflict() === true;
      sendJson(res, 200, { status: redis === 'down' || nodeIdInUse ? 'degraded' : 'ok', node: nodeId, redis, ...(nodeIdInUse ? { nodeIdInUse } : {}), uptimeSeconds: Math.round((Date.now() - startedAt) / 1000), connections: relay.connectionCount(), topics: relay.topicCount(), stun: stun?.port() === undefined ? 'off' : 'on' });
    } else if (path === ICE_PATH) {
      serveIce(req, res);
    } else if (path === '/metrics') {
      registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'Content-Type': registry.contentType, 'Cache-Control': 'no-store' });
          res.end(text);
        },
        () => sendJson(res, 500, { error: 'metrics unavailable' }),
      );
    } else if (path === SERVICE_WORKER_PATH && !config.serviceWorker) {
      res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Content-Length': Buffer.byteLength(SERVICE_WORKER_OFF), 'Cache-Control': 'no-cache' });
      res.end(SERVICE_WORKER_OFF);
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
  const sweeper = setInterval(() => {
    iceLimiter.sweep();
    stunLimiter.sweep();
  }, LIMITER_SWEEP_MS);
  sweeper.unref();

  const ready = new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // A deep accept queue: when a node dies its clients arrive here at once, and a full queue makes
    // the kernel drop them into SYN retries of 1, 3, 7, 15 s (the reconnect-storm bench saw 4,634
    // drops with Node's default of 511). The kernel caps it at net.core.somaxconn.
    server.listen(config.port, config.host, LISTEN_BACKLOG, () => {
      server.off('error', reject);
      const { address, port } = server.address() as AddressInfo;
      if (wantsStun && !closing) {
        stun = createStunResponder({ port: config.stunPort, host: config.stunHost, ipv6PrefixLength: config.ipv6PrefixLength, limiter: stunLimiter, stats, log });
      }
      void (stun?.ready ?? Promise.resolve(undefined)).then((stunPort) => {
        log.info('listening', { address, port, tls, static: serveStatic !== undefined, stunPort: stunPort ?? 'off', node: nodeId, redis: cluster === undefined ? 'off' : 'on' });
        resolve();
      });
    });
  });

  let closed: Promise<void> | undefined;
  return {
    ready,
    stats,
    nodeId,
    cluster,
    address: () => server.address() as AddressInfo,
    stunPort: () => stun?.port(),
    url() {
      const { address, port, family } = server.address() as AddressInfo;
      const host = family === 'IPv6' ? `[${address}]` : address;
      return `${tls ? 'https' : 'http'}://${host === '[::]' || host === '0.0.0.0' ? 'localhost' : host}:${port}`;
    },
    close() {
      closed ??= (async () => {
        closing = true;
        clearInterval(heartbeat);
        clearInterval(sweeper);
        await stun?.close();
        const listening = new Promise<void>((resolve) => server.close(() => resolve()));
        await relay.closeAll(CLOSE_GOING_AWAY, 'server shutting down', SHUTDOWN_GRACE_MS);
        server.closeAllConnections();
        // After every socket: their unsubscribes are told to the other nodes before the connections close.
        await cluster?.close();
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
