/**
 * The ICE servers this page uses, as the node that served it hands them out (`GET /ice`):
 * STUN for server-reflexive candidates, TURN with short-lived credentials minted per request.
 * The answer is parsed like any other input (a node or a proxy in front of it may be broken or
 * hostile): anything out of shape is dropped, and the page falls back to no servers (host
 * candidates only, which still connect one LAN) and asks again later.
 *
 * The source refreshes the set before its credentials expire and tells its listeners, who pass it
 * to their live connections with setConfiguration (ICE restarts then use fresh credentials).
 */

export interface IceConfig {
  readonly iceServers: RTCIceServer[];
  /** Seconds the TURN credentials stay valid from when they were fetched. */
  readonly ttlSeconds: number;
  /** The node offers a TURN relay: relay-only is possible, and people behind symmetric NATs can meet. */
  readonly hasRelay: boolean;
}

/** No servers: host candidates only. What a page uses until the node answers, or when it cannot. */
export const NO_ICE: IceConfig = { iceServers: [], ttlSeconds: 0, hasRelay: false };

const MAX_SERVERS = 8;
const MAX_URLS = 16;
const MAX_TEXT = 512;
const MIN_TTL_SECONDS = 60;
const MAX_TTL_SECONDS = 7 * 24 * 3600;
const ICE_URL = /^(stun|stuns|turn|turns):[^\s]+$/;
/** Refresh when this share of the lifetime has passed, so no connection ever holds an expired credential. */
const REFRESH_AT = 0.8;
const RETRY_MIN_MS = 5_000;
const RETRY_MAX_MS = 5 * 60_000;

const isText = (value: unknown): value is string => typeof value === 'string' && value.length > 0 && value.length <= MAX_TEXT;

function parseServer(value: unknown): RTCIceServer | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const fields = value as Record<string, unknown>;
  const rawUrls = typeof fields['urls'] === 'string' ? [fields['urls']] : fields['urls'];
  if (!Array.isArray(rawUrls) || rawUrls.length === 0 || rawUrls.length > MAX_URLS) return null;
  const urls = rawUrls.filter((url): url is string => isText(url) && ICE_URL.test(url));
  if (urls.length !== rawUrls.length) return null;
  const needsCredential = urls.some((url) => url.startsWith('turn'));
  if (!needsCredential) return { urls };
  const { username, credential } = fields;
  if (!isText(username) || !isText(credential)) return null;
  return { urls, username, credential };
}

/** The node's `/ice` answer as an IceConfig, or null when it is not one. */
export function parseIceConfig(value: unknown): IceConfig | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const fields = value as Record<string, unknown>;
  const servers = fields['iceServers'];
  const ttl = fields['ttlSeconds'];
  if (!Array.isArray(servers) || servers.length > MAX_SERVERS) return null;
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 0 || ttl > MAX_TTL_SECONDS) return null;
  const iceServers: RTCIceServer[] = [];
  for (const server of servers) {
    const parsed = parseServer(server);
    if (parsed === null) return null;
    iceServers.push(parsed);
  }
  const hasRelay = iceServers.some((server) => (Array.isArray(server.urls) ? server.urls : [server.urls]).some((url) => url.startsWith('turn')));
  if (hasRelay && ttl < MIN_TTL_SECONDS) return null;
  return { iceServers, ttlSeconds: ttl, hasRelay };
}

/** The RTCConfiguration a new connection gets: the node's servers, and the relay-only policy when asked. */
export function rtcConfiguration(config: IceConfig, relayOnly: boolean): RTCConfiguration {
  return { iceServers: config.iceServers, iceTransportPolicy: relayOnly ? 'relay' : 'all' };
}

export interface IceSourceOptions {
  /** One request to the node (`fetch('/ice')` in the page); resolves to the parsed JSON body, or rejects. */
  readonly load: () => Promise<unknown>;
  /** The first answer, when a request was made before the app's code ran (public/early-socket.js). */
  readonly early?: Promise<unknown> | undefined;
  readonly setTimeout?: (callback: () => void, ms: number) => unknown;
  readonly clearTimeout?: (handle: unknown) => void;
}

export interface IceSource {
  /** The servers to use now (NO_ICE until the node has answered). */
  current(): IceConfig;
  /** Resolves once the node has answered (or failed to) the first time. */
  readonly ready: Promise<IceConfig>;
  /** Calls `listener` with each new set; returns the unsubscribe. */
  onChange(listener: (config: IceConfig) => void): () => void;
  stop(): void;
}

/** Fetches the node's ICE servers now and again before they expire. */
export function createIceSource(options: IceSourceOptions): IceSource {
  const schedule = options.setTimeout ?? ((callback, ms) => setTimeout(callback, ms));
  const cancel = options.clearTimeout ?? ((handle) => clearTimeout(handle as ReturnType<typeof setTimeout>));
  const listeners = new Set<(config: IceConfig) => void>();
  let config = NO_ICE;
  let timer: unknown;
  let stopped = false;
  let failures = 0;

  const plan = (ms: number): void => {
    if (stopped) return;
    timer = schedule(() => void fetchOnce(options.load()), ms);
  };
  const fetchOnce = async (request: Promise<unknown>): Promise<IceConfig> => {
    let parsed: IceConfig | null = null;
    try {
      parsed = parseIceConfig(await request);
    } catch {
      parsed = null;
    }
    if (stopped) return config;
    if (parsed === null) {
      // Keep what we had (it may still be valid) and ask again, backing off.
      plan(Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** failures++));
      return config;
    }
    failures = 0;
    config = parsed;
    for (const listener of [...listeners]) listener(config);
    if (parsed.ttlSeconds > 0) plan(parsed.ttlSeconds * 1000 * REFRESH_AT);
    return config;
  };
  const ready = fetchOnce(options.early ?? options.load());

  return {
    current: () => config,
    ready,
    onChange(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    stop() {
      stopped = true;
      if (timer !== undefined) cancel(timer);
    },
  };
}
