/** Test helpers: a signaling node on 127.0.0.1:0 and a WebSocket client that records what it receives. */
import { createSocket } from 'node:dgram';
import { request } from 'node:http';
import { WebSocket, type ClientOptions } from 'ws';
import { createSignalingServer, type SignalingServer, type SignalingServerOptions } from '../../signaling/server.js';

/**
 * A node on 127.0.0.1, a free TCP port, no process metrics. Its STUN responder is off unless
 * `stunPort` is given: test files run in parallel and would all want UDP 3478.
 */
export async function startNode(options: SignalingServerOptions = {}): Promise<SignalingServer> {
  const node = createSignalingServer({ host: '127.0.0.1', port: 0, processMetrics: false, stunPort: 0, ...options });
  await node.ready;
  return node;
}

export function wsUrl(node: SignalingServer, path = '/signal'): string {
  return `${node.url().replace(/^http/, 'ws')}${path}`;
}

export interface Received {
  type?: unknown;
  topic?: unknown;
  data?: unknown;
  clients?: unknown;
}

/** A client speaking the signaling protocol; keeps every JSON frame it receives. */
export class TestClient {
  readonly received: Received[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      this.received.push(JSON.parse(data.toString()) as Received);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  static async connect(url: string, options: ClientOptions = {}): Promise<TestClient> {
    const socket = new WebSocket(url, options);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
      socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
    return new TestClient(socket);
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  subscribe(...topics: string[]): void {
    this.send({ type: 'subscribe', topics });
  }

  publish(topic: string, data: unknown): void {
    this.send({ type: 'publish', topic, data });
  }

  /** Waits until a received frame matches, failing after `timeoutMs`. */
  async waitFor(predicate: (frame: Received) => boolean, timeoutMs = 5000): Promise<Received> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.find(predicate);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.received.slice(-3))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Sends a ping and waits for its pong: everything sent before it has been processed. */
  async roundTrip(): Promise<void> {
    const before = this.received.filter((frame) => frame.type === 'pong').length;
    this.send({ type: 'ping' });
    await this.waitFor(() => this.received.filter((frame) => frame.type === 'pong').length > before);
  }

  close(): void {
    this.socket.close();
  }
}

/** Reads one series from the node's /metrics text, e.g. `parley_frames_rejected_total{reason="binary"}`. */
export async function metric(node: SignalingServer, series: string): Promise<number> {
  const text = await (await fetch(`${node.url()}/metrics`)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  if (line === undefined) throw new Error(`metric ${series} not found`);
  return Number(line.slice(series.length + 1));
}

export const rejected = (reason: string): string => `parley_frames_rejected_total{reason="${reason}"}`;
export const refused = (reason: string): string => `parley_connections_refused_total{reason="${reason}"}`;

export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A UDP port free on `host` right now (for a STUN responder under test; the server reads 0 as "off"). */
export async function freeUdpPort(host = '127.0.0.1'): Promise<number> {
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  const port = await new Promise<number>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, host, () => resolve(socket.address().port));
  });
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

export interface PlainResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * GET (or another method) with node:http, for what fetch cannot do: a chosen source address
 * (`localAddress`, e.g. 127.0.0.2), a forged Host header.
 */
export function httpGet(url: string, options: { localAddress?: string; headers?: Record<string, string>; method?: string } = {}): Promise<PlainResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers ?? {}, agent: false, ...(options.localAddress !== undefined ? { localAddress: options.localAddress } : {}) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
