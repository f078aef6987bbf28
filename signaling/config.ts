/**
 * Every option of the signaling node, in one table: environment variable, CLI flag,
 * default and meaning. The README's configuration table is checked against this list
 * by a test, so the two cannot drift apart.
 */

import { parseHostPort } from './host-port.js';

export interface NodeConfig {
  port: number;
  host: string | undefined;
  staticDir: string | undefined;
  serviceWorker: boolean;
  tlsCert: string | undefined;
  tlsKey: string | undefined;
  allowedOrigins: string[];
  trustProxy: boolean;
  maxFrameBytes: number;
  maxTopicsPerConnection: number;
  maxTopicLength: number;
  maxSubscribersPerTopic: number;
  rateLimitPerSecond: number;
  rateLimitBurst: number;
  deliveredBytesPerSecond: number;
  deliveredBytesBurst: number;
  maxConnectionsPerIp: number;
  ipv6PrefixLength: number;
  maxConnections: number;
  maxBufferedBytes: number;
  heartbeatMs: number;
  logLevel: LogLevel;
  stunUrls: string[];
  turnUrls: string[];
  turnSecret: string | undefined;
  turnTtlSeconds: number;
  stunPort: number;
  stunHost: string | undefined;
  stunResponsesPerSecond: number;
  iceRequestsPerMinute: number;
  iceRequestsBurst: number;
  embedOrigins: string[];
  redisUrl: string | undefined;
  nodeId: string | undefined;
  redisBytesPerSecond: number;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

type Kind = 'port' | 'int' | 'string' | 'list' | 'bool' | 'level' | 'origins' | 'redis' | 'node';

export interface OptionSpec {
  key: keyof NodeConfig;
  env: string;
  flag: string;
  kind: Kind;
  /** Default as written in the README; `''` means unset. */
  defaultText: string;
  description: string;
}

export const OPTION_SPECS: readonly OptionSpec[] = [
  { key: 'port', env: 'PORT', flag: '--port', kind: 'port', defaultText: '8787', description: 'TCP port to listen on (0 picks a free one).' },
  { key: 'host', env: 'HOST', flag: '--host', kind: 'string', defaultText: '', description: 'Bind address. Unset: all interfaces (IPv6 and IPv4). Use `127.0.0.1` behind a reverse proxy.' },
  { key: 'staticDir', env: 'STATIC_DIR', flag: '--static', kind: 'string', defaultText: '', description: 'Directory of the built client to serve (`npm start` passes `dist/client`). Unset: signaling only.' },
  { key: 'serviceWorker', env: 'SERVICE_WORKER', flag: '--service-worker', kind: 'bool', defaultText: 'on', description: 'The client\'s service worker (offline app shell, `/sw.js`). `off` is the kill switch: `/sw.js` becomes a worker that deletes Parley\'s caches and unregisters itself, in every browser that visits again.' },
  { key: 'tlsCert', env: 'TLS_CERT', flag: '--tls-cert', kind: 'string', defaultText: '', description: 'PEM certificate chain file. With `TLS_KEY`, serves HTTPS and `wss://` directly.' },
  { key: 'tlsKey', env: 'TLS_KEY', flag: '--tls-key', kind: 'string', defaultText: '', description: 'PEM private key file for `TLS_CERT`.' },
  { key: 'allowedOrigins', env: 'ALLOWED_ORIGINS', flag: '--allowed-origins', kind: 'list', defaultText: '', description: 'Comma-separated Origins allowed to open `/signal` (e.g. `https://chat.example.org`). Unset: any. Requests without an Origin header (non-browser clients) are always allowed.' },
  { key: 'trustProxy', env: 'TRUST_PROXY', flag: '--trust-proxy', kind: 'bool', defaultText: 'false', description: 'Take the client address from the last `X-Forwarded-For` entry. Turn on only behind a reverse proxy that sets it, or per-IP limits see one address.' },
  { key: 'maxFrameBytes', env: 'MAX_FRAME_BYTES', flag: '--max-frame-bytes', kind: 'int', defaultText: '16384', description: 'Largest WebSocket frame accepted; a bigger one closes the connection (1009). Parley publishes at most ~1.5 KB; 16 KiB also fits a sealed audio+video+screen offer.' },
  { key: 'maxTopicsPerConnection', env: 'MAX_TOPICS_PER_CONNECTION', flag: '--max-topics-per-connection', kind: 'int', defaultText: '32', description: 'Topics (rooms) one connection may subscribe to at once.' },
  { key: 'maxTopicLength', env: 'MAX_TOPIC_LENGTH', flag: '--max-topic-length', kind: 'int', defaultText: '256', description: 'Longest topic name, in characters.' },
  { key: 'maxSubscribersPerTopic', env: 'MAX_SUBSCRIBERS_PER_TOPIC', flag: '--max-subscribers-per-topic', kind: 'int', defaultText: '256', description: 'Connections subscribed to one topic at once.' },
  { key: 'rateLimitPerSecond', env: 'RATE_LIMIT_PER_SECOND', flag: '--rate-limit-per-second', kind: 'int', defaultText: '50', description: 'Sustained frames per second per connection (token bucket refill). Frames over the limit are dropped and counted.' },
  { key: 'rateLimitBurst', env: 'RATE_LIMIT_BURST', flag: '--rate-limit-burst', kind: 'int', defaultText: '200', description: 'Token bucket size: frames a connection may send in a burst (a peer joining a full room sends one offer per peer).' },
  { key: 'deliveredBytesPerSecond', env: 'DELIVERED_BYTES_PER_SECOND', flag: '--delivered-bytes-per-second', kind: 'int', defaultText: '8388608', description: 'Sustained delivered bytes per second per connection (second token bucket, refill): a publish costs its frame\'s bytes × the subscribers it reaches. Publishes over the budget are dropped and counted (`byte_budget`).' },
  { key: 'deliveredBytesBurst', env: 'DELIVERED_BYTES_BURST', flag: '--delivered-bytes-burst', kind: 'int', defaultText: '104857600', description: 'Delivered bytes a connection may publish in a burst: `RATE_LIMIT_BURST` frames of 2 KiB to 256 subscribers (Parley\'s frames are 0.2–1.5 KB).' },
  { key: 'maxConnectionsPerIp', env: 'MAX_CONNECTIONS_PER_IP', flag: '--max-connections-per-ip', kind: 'int', defaultText: '64', description: 'Open connections from one IPv4 address, or one IPv6 network (see `IPV6_PREFIX_LENGTH`); more are refused with HTTP 429.' },
  { key: 'ipv6PrefixLength', env: 'IPV6_PREFIX_LENGTH', flag: '--ipv6-prefix-length', kind: 'int', defaultText: '64', description: 'IPv6 clients count against `MAX_CONNECTIONS_PER_IP` per network of this many leading bits (one /64 is one home or server); 128 counts each address alone. IPv4-mapped addresses count as IPv4.' },
  { key: 'maxConnections', env: 'MAX_CONNECTIONS', flag: '--max-connections', kind: 'int', defaultText: '10000', description: 'Open connections in total; more are refused with HTTP 503.' },
  { key: 'maxBufferedBytes', env: 'MAX_BUFFERED_BYTES', flag: '--max-buffered-bytes', kind: 'int', defaultText: '1048576', description: 'Unsent bytes queued for one connection before it is closed as a slow consumer.' },
  { key: 'heartbeatMs', env: 'HEARTBEAT_MS', flag: '--heartbeat-ms', kind: 'int', defaultText: '30000', description: 'Ping interval; a connection that has not answered the previous ping is terminated.' },
  { key: 'logLevel', env: 'LOG_LEVEL', flag: '--log-level', kind: 'level', defaultText: 'info', description: 'One of `debug`, `info`, `warn`, `error`, `silent`. Logs are JSON lines on stdout.' },
  { key: 'stunUrls', env: 'STUN_URLS', flag: '--stun-urls', kind: 'list', defaultText: '', description: 'Comma-separated `stun:`/`stuns:` URIs (e.g. `stun:stun.example.org:3478`) handed to browsers by `/ice`. Unset: the node\'s own STUN responder (`STUN_PORT`), if it runs.' },
  { key: 'turnUrls', env: 'TURN_URLS', flag: '--turn-urls', kind: 'list', defaultText: '', description: 'Comma-separated `turn:`/`turns:` URIs of your coturn (e.g. `turn:turn.example.org:3478?transport=udp,turns:turn.example.org:443?transport=tcp`). Needs `TURN_SECRET`. Unset: no relay, so people behind symmetric NATs cannot connect.' },
  { key: 'turnSecret', env: 'TURN_SECRET', flag: '--turn-secret', kind: 'string', defaultText: '', description: 'coturn\'s `static-auth-secret` (`use-auth-secret`, the TURN REST API scheme); `/ice` mints short-lived credentials from it. Needs `TURN_URLS`. Prefer the environment (an `EnvironmentFile`) to the flag, which other users can see in `ps`.' },
  { key: 'turnTtlSeconds', env: 'TURN_TTL_SECONDS', flag: '--turn-ttl-seconds', kind: 'int', defaultText: '21600', description: 'Lifetime of a minted TURN credential, 60 to 604800 seconds. coturn checks it when a relay is allocated (a running call keeps its relay past it), so it bounds how long a copied credential opens relays for others, while an ICE restart hours into a visit still finds it valid.' },
  { key: 'stunPort', env: 'STUN_PORT', flag: '--stun-port', kind: 'port', defaultText: '3478', description: 'UDP port of the node\'s own STUN responder (Binding requests only), used when `STUN_URLS` is unset; `0` turns it off. If the port is taken the node logs a warning and runs without it.' },
  { key: 'stunHost', env: 'STUN_HOST', flag: '--stun-host', kind: 'string', defaultText: '', description: 'Bind address of the STUN responder. Unset: all interfaces (IPv6 and IPv4), whatever `HOST` is, since a reverse proxy in front of the node does not carry UDP. Set it on a host with several public addresses.' },
  { key: 'stunResponsesPerSecond', env: 'STUN_RESPONSES_PER_SECOND', flag: '--stun-responses-per-second', kind: 'int', defaultText: '50', description: 'STUN answers per second to one IPv4 address or IPv6 network (burst: one second\'s worth); more requests are dropped and counted, so a spoofed source cannot turn the responder into a flood of someone else.' },
  { key: 'iceRequestsPerMinute', env: 'ICE_REQUESTS_PER_MINUTE', flag: '--ice-requests-per-minute', kind: 'int', defaultText: '30', description: 'Sustained `/ice` requests per minute from one IPv4 address or IPv6 network (`IPV6_PREFIX_LENGTH`, `TRUST_PROXY` apply); more get HTTP 429 with `Retry-After`.' },
  { key: 'iceRequestsBurst', env: 'ICE_REQUESTS_BURST', flag: '--ice-requests-burst', kind: 'int', defaultText: '20', description: 'Token bucket size for `/ice`: requests one address (a household, an office behind one NAT) may make at once.' },
  { key: 'embedOrigins', env: 'EMBED_ORIGINS', flag: '--embed-origins', kind: 'origins', defaultText: '', description: 'Comma-separated origins allowed to embed the app in a frame (`scheme://host[:port]`, e.g. `https://shop.example,http://localhost:3000`; no paths, no wildcards). Sets CSP `frame-ancestors` to them and drops `X-Frame-Options`. Unset: no site may frame it (`frame-ancestors \'none\'`). See Embedding.' },
  { key: 'redisUrl', env: 'REDIS_URL', flag: '--redis-url', kind: 'redis', defaultText: '', description: 'Redis shared by several nodes behind one load balancer (`redis://[:password@]host:port[/db]`, `rediss://` for TLS; Redis 7 or later for sharded pub/sub, 6 works with plain pub/sub). Unset: one node on its own. See Scale-out. Prefer the environment to the flag when it holds a password.' },
  { key: 'nodeId', env: 'NODE_ID', flag: '--node-id', kind: 'node', defaultText: '', description: 'This node\'s name among the nodes sharing `REDIS_URL`: 1–64 of `A-Z a-z 0-9 . _ -`, unique per node (it is how a node knows its own messages). Unset: a random one at each start. Shown in `/healthz`.' },
  { key: 'redisBytesPerSecond', env: 'REDIS_BYTES_PER_SECOND', flag: '--redis-bytes-per-second', kind: 'int', defaultText: '67108864', description: 'Node-wide budget for what arrives from Redis (other nodes\' publishes), in bytes per second, with a burst of two seconds\' worth; messages over it are dropped and counted (`parley_redis_messages_total{result="over_budget"}`).' },
];

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

/** A configuration problem a self-hoster must fix; the message names the option. */
export class ConfigError extends Error {
  readonly code = 'PARLEY_ERR_CONFIG';
}

function parseValue(spec: OptionSpec, raw: string): NodeConfig[keyof NodeConfig] {
  const name = `${spec.env} (${spec.flag})`;
  switch (spec.kind) {
    case 'port':
    case 'int': {
      if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
      const value = Number(raw);
      const max = spec.kind === 'port' ? 65535 : Number.MAX_SAFE_INTEGER;
      const min = spec.kind === 'port' ? 0 : 1;
      if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${raw}`);
      return value;
    }
    case 'bool': {
      const lowered = raw.toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(lowered)) return true;
      if (['0', 'false', 'no', 'off', ''].includes(lowered)) return false;
      throw new ConfigError(`${name} must be true or false, got "${raw}"`);
    }
    case 'list':
      return raw.split(',').map((item) => item.trim()).filter((item) => item.length > 0);
    case 'origins':
      return parseOriginList(raw, name);
    case 'redis':
      if (raw === '') return undefined;
      if (parseRedisUrl(raw) === null) throw new ConfigError(`${name} must be a URL like redis://host:6379 or rediss://:password@host:6380/0`);
      return raw;
    case 'node':
      if (raw === '') return undefined;
      if (!NODE_ID.test(raw)) throw new ConfigError(`${name} must be 1 to 64 of A-Z a-z 0-9 . _ -, got "${raw}"`);
      return raw;
    case 'level':
      if (!(LEVELS as readonly string[]).includes(raw)) throw new ConfigError(`${name} must be one of ${LEVELS.join(', ')}, got "${raw}"`);
      return raw as LogLevel;
    case 'string':
      return raw === '' ? undefined : raw;
  }
}

/** Defaults for every option, as documented. */
export function defaultConfig(): NodeConfig {
  const config: Record<string, unknown> = {};
  for (const spec of OPTION_SPECS) config[spec.key] = parseValue(spec, spec.defaultText);
  return config as unknown as NodeConfig;
}

/**
 * Reads options from CLI flags (`--port 80` or `--port=80`, bare `--trust-proxy`),
 * then environment variables, then defaults. Throws ConfigError on anything unknown or invalid.
 */
export function loadConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): NodeConfig {
  const fromFlags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag = '', inline] = arg.split(/=(.*)/s, 2);
    const spec = OPTION_SPECS.find((candidate) => candidate.flag === flag);
    if (!spec) throw new ConfigError(`unknown option "${arg}"; see the configuration table in README.md`);
    if (inline !== undefined) fromFlags.set(spec.key, inline);
    else if (spec.kind === 'bool' && (argv[i + 1] === undefined || argv[i + 1]?.startsWith('--'))) fromFlags.set(spec.key, 'true');
    else if (argv[i + 1] === undefined) throw new ConfigError(`option ${flag} needs a value`);
    else fromFlags.set(spec.key, argv[++i] ?? '');
  }
  const config = defaultConfig() as unknown as Record<string, unknown>;
  for (const spec of OPTION_SPECS) {
    const raw = fromFlags.get(spec.key) ?? env[spec.env];
    if (raw !== undefined) config[spec.key] = parseValue(spec, raw);
  }
  const result = config as unknown as NodeConfig;
  if ((result.tlsCert === undefined) !== (result.tlsKey === undefined)) {
    throw new ConfigError('TLS_CERT and TLS_KEY must be set together');
  }
  if (result.rateLimitBurst < 1 || result.rateLimitPerSecond < 1) throw new ConfigError('rate limits must be at least 1');
  if (result.ipv6PrefixLength > 128) throw new ConfigError(`IPV6_PREFIX_LENGTH (--ipv6-prefix-length) must be between 1 and 128, got ${result.ipv6PrefixLength}`);
  checkIceConfig(result);
  return result;
}

export const NODE_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** `text` as a redis:// or rediss:// URL with a host, or null. The password is never logged. */
export function parseRedisUrl(text: string): URL | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if ((url.protocol !== 'redis:' && url.protocol !== 'rediss:') || url.hostname === '') return null;
  if (url.pathname !== '' && url.pathname !== '/' && !/^\/\d{1,2}$/.test(url.pathname)) return null;
  return url;
}

/** REDIS_URL and NODE_ID's rules, also applied by createSignalingServer to options given in code. */
export function checkClusterConfig(config: Pick<NodeConfig, 'redisUrl' | 'nodeId'>): void {
  if (config.redisUrl !== undefined && parseRedisUrl(config.redisUrl) === null) throw new ConfigError('REDIS_URL (--redis-url) must be a URL like redis://host:6379');
  if (config.nodeId !== undefined && !NODE_ID.test(config.nodeId)) throw new ConfigError('NODE_ID (--node-id) must be 1 to 64 of A-Z a-z 0-9 . _ -');
}

/** Longest origin accepted: a host name is at most 253 characters, plus scheme and port. */
const MAX_ORIGIN_CHARS = 300;
const MAX_EMBED_ORIGINS = 64;

/**
 * `text` as a serialized origin (`https://shop.example`, `http://localhost:3000`, lower-cased
 * by the URL parser), or null: only http(s), no path, query, fragment, credentials or wildcard,
 * and it must already be in the form browsers compare against (no trailing slash, no default port).
 */
export function parseOrigin(text: string): string | null {
  if (text.length === 0 || text.length > MAX_ORIGIN_CHARS || /[\s*'";,]/.test(text)) return null;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  return url.origin === text.toLowerCase() ? url.origin : null;
}

function parseOriginList(raw: string, name: string): string[] {
  const items = raw.split(',').map((item) => item.trim()).filter((item) => item.length > 0);
  return checkEmbedOrigins(items, name);
}

/** The EMBED_ORIGINS rules, also applied by createSignalingServer to options given in code. */
export function checkEmbedOrigins(items: readonly string[], name = 'EMBED_ORIGINS (--embed-origins)'): string[] {
  if (items.length > MAX_EMBED_ORIGINS) throw new ConfigError(`${name} lists ${items.length} origins; at most ${MAX_EMBED_ORIGINS}`);
  return items.map((item) => {
    const origin = parseOrigin(item);
    if (origin === null) throw new ConfigError(`${name} entry "${item}" is not an origin like https://shop.example or http://localhost:3000 (no path, no wildcard)`);
    return origin;
  });
}

export const MIN_TURN_TTL_SECONDS = 60;
export const MAX_TURN_TTL_SECONDS = 604_800;

/**
 * The ICE options' rules, also applied by createSignalingServer to options given in code:
 * URI schemes, TURN_URLS and TURN_SECRET together, the credential lifetime's range.
 */
export function checkIceConfig(config: Pick<NodeConfig, 'stunUrls' | 'turnUrls' | 'turnSecret' | 'turnTtlSeconds'>): void {
  for (const url of config.stunUrls) {
    if (!isStunUri(url)) throw new ConfigError(`STUN_URLS (--stun-urls) entry "${url}" is not a stun: or stuns: URI (stun:host[:port])`);
  }
  for (const url of config.turnUrls) {
    if (!isTurnUri(url)) throw new ConfigError(`TURN_URLS (--turn-urls) entry "${url}" is not a turn: or turns: URI (turn:host[:port][?transport=udp|tcp])`);
  }
  if (config.turnUrls.length > 0 && config.turnSecret === undefined) throw new ConfigError('TURN_URLS needs TURN_SECRET (coturn\'s static-auth-secret)');
  if (config.turnUrls.length === 0 && config.turnSecret !== undefined) throw new ConfigError('TURN_SECRET needs TURN_URLS (the relays it is a secret for)');
  if (config.turnTtlSeconds < MIN_TURN_TTL_SECONDS || config.turnTtlSeconds > MAX_TURN_TTL_SECONDS) {
    throw new ConfigError(`TURN_TTL_SECONDS (--turn-ttl-seconds) must be between ${MIN_TURN_TTL_SECONDS} and ${MAX_TURN_TTL_SECONDS}, got ${config.turnTtlSeconds}`);
  }
}

const STUN_URI = /^stuns?:(.*)$/;
const TURN_URI = /^turns?:([^?]*)(?:\?transport=(?:udp|tcp))?$/;

/** RFC 7064: `stun:host[:port]`, `stuns:host[:port]`. */
export function isStunUri(url: string): boolean {
  const rest = STUN_URI.exec(url)?.[1];
  return rest !== undefined && parseHostPort(rest) !== null;
}

/** RFC 7065: `turn:host[:port][?transport=udp|tcp]`, `turns:` likewise. */
export function isTurnUri(url: string): boolean {
  const rest = TURN_URI.exec(url)?.[1];
  return rest !== undefined && parseHostPort(rest) !== null;
}
