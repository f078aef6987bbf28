/**
 * Talks to a signaling node with the y-webrtc protocol (subscribe / publish / ping), carrying
 * only sealed payloads: the node sees the derived topic and ciphertext, never an SDP, a
 * candidate or a peer id, and cannot forge one (it lacks the signal key).
 */
import { BOX_NONCE_BYTES, openBox, sealBox } from '../crypto/box.js';
import { compressPayload, decompressPayload, isCompressed, shouldCompress } from './signal-compression.js';
import { fromBase64Url, fromUtf8, toBase64Url, utf8 } from '../crypto/encoding.js';

/** The subset of the browser WebSocket API used here; `ws` provides it in Node. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  onopen: ((event: unknown) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
}

export type SignalPayload =
  /** `key`: the announcer's public key (base64url), so a member who cannot be reached can be named; a hint, not a proof. */
  | { readonly kind: 'announce'; readonly from: string; readonly to?: string; readonly key?: string; readonly call?: true }
  | { readonly kind: 'signal'; readonly from: string; readonly to: string; readonly signal: unknown };

export interface SignalingClientOptions {
  readonly url: string;
  readonly topic: string;
  readonly signalKey: Uint8Array;
  readonly createSocket: (url: string) => SocketLike;
  readonly onPayload: (payload: SignalPayload) => void;
  readonly onStatus: (connected: boolean) => void;
  readonly onDrop: (reason: 'decrypt' | 'decode' | 'shape') => void;
  readonly now?: () => number;
}

export interface SignalingClient {
  publish(payload: SignalPayload): void;
  /**
   * Checks that the node still hears us (the network may have changed under the socket): a ping,
   * and a reconnect at once, without backoff, if nothing comes back within PROBE_TIMEOUT_MS.
   */
  probe(): void;
  connected(): boolean;
  close(): void;
}

/**
 * Payloads stamped further than this from our clock are dropped, so a node cannot replay
 * yesterday's offers; and a payload seen once is dropped if it comes again (REMEMBERED_SEEN).
 * Wide, because it is compared with the other person's clock: with two minutes, as before,
 * two people whose clocks were three minutes apart could never connect.
 */
const MAX_CLOCK_SKEW_MS = 24 * 60 * 60_000;
/** Nonces of payloads received, remembered to drop a replay within the skew window (each payload's nonce is random). */
const REMEMBERED_SEEN = 4096;
const PING_EVERY_MS = 15_000;
const SILENCE_LIMIT_MS = 40_000;
const MAX_BACKOFF_MS = 30_000;
/** Our own recent publishes, recognised when the node echoes them back (it sends to every subscriber). */
const MAX_REMEMBERED_SENT = 64;
const OPEN = 1;
/** A public key as base64url (32 bytes: 43 characters). */
const KEY_TEXT = /^[A-Za-z0-9_-]{43}$/;
/**
 * After a probe, a socket that has heard nothing in this long is taken for dead: a device that
 * changed networks keeps a TCP connection that leads nowhere until its own timeouts, minutes later.
 */
const PROBE_TIMEOUT_MS = 1200;

/** Adds `value` to a set kept to `max` entries, forgetting the oldest. */
function remember(set: Set<string>, value: string, max: number): void {
  if (set.size >= max) set.delete(set.values().next().value as string);
  set.add(value);
}

function parsePayload(value: unknown): SignalPayload | null {
  if (typeof value !== 'object' || value === null) return null;
  const fields = value as Record<string, unknown>;
  const from = fields['from'];
  const to = fields['to'];
  if (typeof from !== 'string' || from.length === 0 || from.length > 64) return null;
  if (to !== undefined && (typeof to !== 'string' || to.length > 64)) return null;
  if (fields['kind'] === 'announce') {
    const key = fields['key'];
    const named = typeof key === 'string' && KEY_TEXT.test(key) ? { key } : {};
    // In a call: members of the call connect to each other beyond the connection cap (peer-mesh.ts).
    const call = fields['call'] === true ? { call: true as const } : {};
    return to === undefined ? { kind: 'announce', from, ...named, ...call } : { kind: 'announce', from, to, ...named, ...call };
  }
  if (fields['kind'] === 'signal' && typeof to === 'string' && typeof fields['signal'] === 'object' && fields['signal'] !== null) {
    return { kind: 'signal', from, to, signal: fields['signal'] };
  }
  return null;
}

export function createSignalingClient(options: SignalingClientOptions): SignalingClient {
  const now = options.now ?? Date.now;
  let socket: SocketLike | null = null;
  let closed = false;
  let attempt = 0;
  let lastHeard = 0;
  /** Frames received on any socket: a probe checks that this moved. */
  let framesHeard = 0;
  let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  let isConnected = false;
  // The node relays a publish to every subscriber, the sender included. Our own come back
  // byte-identical: skipping them unopened saves a joining page one decryption per message it
  // sent (its announce, answer and candidates), in the middle of its handshake.
  const sent = new Set<string>();
  const seen = new Set<string>();

  const setConnected = (value: boolean): void => {
    if (value === isConnected) return;
    isConnected = value;
    options.onStatus(value);
  };

  const seal = (bytes: Uint8Array): string => toBase64Url(sealBox(options.signalKey, bytes));
  /**
   * Set while a large payload is being deflated (on the way out) or inflated (on the way in):
   * everything after it waits its turn, so an offer is never overtaken by its own candidates.
   */
  let outgoing: Promise<void> | null = null;
  let incoming: Promise<void> | null = null;

  const send = (data: string): void => {
    if (socket === null || socket.readyState !== OPEN) return;
    remember(sent, data, MAX_REMEMBERED_SENT);
    socket.send(JSON.stringify({ type: 'publish', topic: options.topic, data }));
  };

  const deliver = (text: string | null): void => {
    let value: unknown;
    try {
      value = text === null ? undefined : JSON.parse(text);
    } catch {
      value = undefined;
    }
    const ts = (value as { ts?: unknown } | undefined)?.ts;
    const payload = parsePayload(value);
    if (payload === null || typeof ts !== 'number' || Math.abs(now() - ts) > MAX_CLOCK_SKEW_MS) return options.onDrop('shape');
    options.onPayload(payload);
  };

  const receive = (raw: unknown): void => {
    lastHeard = now();
    framesHeard++;
    if (typeof raw !== 'string') return;
    let frame: unknown;
    try {
      frame = JSON.parse(raw);
    } catch {
      return options.onDrop('decode');
    }
    const fields = (typeof frame === 'object' && frame !== null ? frame : {}) as Record<string, unknown>;
    if (fields['type'] !== 'publish' || fields['topic'] !== options.topic) return;
    const data = typeof fields['data'] === 'string' ? fields['data'] : null;
    if (data !== null && sent.delete(data)) return;
    const sealed = data === null ? null : fromBase64Url(data);
    // A replay carries the same random nonce; only nonces of payloads that opened are remembered,
    // so a forged frame cannot get a genuine one dropped by borrowing its nonce first.
    const nonce = sealed === null ? null : toBase64Url(sealed.subarray(0, BOX_NONCE_BYTES));
    if (nonce !== null && seen.has(nonce)) return options.onDrop('shape');
    const opened = sealed === null ? null : openBox(options.signalKey, sealed);
    if (opened === null || nonce === null) return options.onDrop('decrypt');
    remember(seen, nonce, REMEMBERED_SEEN);
    if (!isCompressed(opened) && incoming === null) return deliver(fromUtf8(opened));
    const step = (incoming ?? Promise.resolve()).then(async () => {
      const json = isCompressed(opened) ? await decompressPayload(opened) : opened;
      if (closed) return;
      if (json === null) return options.onDrop('decode');
      deliver(fromUtf8(json));
    });
    incoming = step;
    void step.finally(() => {
      if (incoming === step) incoming = null;
    });
  };

  const scheduleReconnect = (): void => {
    if (closed || reconnectTimer !== undefined) return;
    // Exponential backoff with jitter, so a restarted node is not hit by every client at once.
    const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** attempt) * (0.5 + Math.random() / 2);
    attempt++;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      connect();
    }, delay);
  };

  const connect = (): void => {
    if (closed) return;
    let current: SocketLike;
    try {
      current = options.createSocket(options.url);
    } catch {
      scheduleReconnect();
      return;
    }
    socket = current;
    const opened = (): void => {
      attempt = 0;
      lastHeard = now();
      current.send(JSON.stringify({ type: 'subscribe', topics: [options.topic] }));
      setConnected(true);
    };
    current.onopen = opened;
    current.onmessage = (event) => receive(event.data);
    current.onerror = () => current.close();
    current.onclose = () => {
      if (socket === current) socket = null;
      setConnected(false);
      scheduleReconnect();
    };
    // A socket opened ahead of time (signaling-socket.ts) fires no 'open': subscribe now.
    if (current.readyState === OPEN) opened();
  };

  let probeTimer: ReturnType<typeof setTimeout> | undefined;
  const probe = (): void => {
    if (closed || probeTimer !== undefined) return;
    if (socket === null || socket.readyState !== OPEN) {
      // Not connected: try now rather than when the backoff says.
      if (reconnectTimer !== undefined) {
        clearTimeout(reconnectTimer);
        reconnectTimer = undefined;
        attempt = 0;
        connect();
      }
      return;
    }
    const probed = socket;
    const heardBefore = framesHeard;
    probed.send(JSON.stringify({ type: 'ping' }));
    probeTimer = setTimeout(() => {
      probeTimer = undefined;
      if (socket !== probed || framesHeard !== heardBefore) return;
      attempt = 0;
      probed.onclose = null;
      probed.close();
      socket = null;
      setConnected(false);
      connect();
    }, PROBE_TIMEOUT_MS);
  };

  const heartbeat = setInterval(() => {
    if (socket === null || socket.readyState !== OPEN) return;
    if (now() - lastHeard > SILENCE_LIMIT_MS) socket.close();
    else socket.send(JSON.stringify({ type: 'ping' }));
  }, PING_EVERY_MS);

  connect();

  return {
    publish(payload) {
      if (socket === null || socket.readyState !== OPEN) return;
      const json = utf8(JSON.stringify({ ...payload, ts: now() }));
      if (!shouldCompress(json) && outgoing === null) return send(seal(json));
      const step = (outgoing ?? Promise.resolve()).then(async () => send(seal(shouldCompress(json) ? await compressPayload(json) : json)));
      outgoing = step;
      void step.finally(() => {
        if (outgoing === step) outgoing = null;
      });
    },
    connected: () => isConnected,
    probe,
    close() {
      closed = true;
      clearInterval(heartbeat);
      clearTimeout(probeTimer);
      clearTimeout(reconnectTimer);
      socket?.close();
      socket = null;
      setConnected(false);
    },
  };
}
