/**
 * /ice throughput: responses per second from our node (its own process, one event loop), each
 * minting a TURN credential (HMAC-SHA1 over 16 fresh random bytes), beside /healthz in the same run
 * as the anchor: the cost of the same HTTP path without the ICE work. Clients are keep-alive
 * TCP connections in this process, each sending its next request when the previous answer is whole
 * (a closed loop, like autocannon), with pre-built requests and a minimal response reader.
 * The bench connects from one address, so it raises the per-address /ice limit through the env.
 */
import { createHmac } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { loadavg } from 'node:os';
import type { IceResponse } from '../../signaling/ice.js';
import { formatRate, median, type Row, type Section } from './report.js';
import { startServer, type ServerProcess } from './servers.js';
import type { BenchOptions } from './signaling.js';

const CONNECTIONS = 32;
const SECRET = 'bench-secret';
const TURN_URLS = 'turn:turn.example.org:3478?transport=udp,turns:turn.example.org:443?transport=tcp';
const FLOOR_PER_SECOND = 5000;
type Path = '/ice' | '/healthz';

/** One closed-loop client connection: counts whole 200 responses, keeps the first body it saw. */
class LoopClient {
  responses = 0;
  errors = 0;
  firstBody: string | undefined;
  private buffered: Buffer = Buffer.alloc(0);
  private running = false;
  private inFlight = false;
  private request = Buffer.alloc(0);

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
  }

  static open(port: number): Promise<LoopClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new LoopClient(socket)));
      socket.once('error', reject);
    });
  }

  start(path: Path, port: number): void {
    this.request = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
    this.responses = 0;
    this.errors = 0;
    this.firstBody = undefined;
    this.running = true;
    this.inFlight = true;
    this.socket.write(this.request);
  }

  /** Stops after the response in flight; resolves when it is in. */
  stop(): Promise<void> {
    this.running = false;
    return new Promise((resolve) => {
      const check = (): void => (this.inFlight ? void setTimeout(check, 5) : resolve());
      check();
    });
  }

  private onData(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    for (;;) {
      const headerEnd = this.buffered.indexOf('\r\n\r\n');
      if (headerEnd === -1) return;
      const head = this.buffered.subarray(0, headerEnd).toString('latin1');
      const length = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1] ?? 0);
      const end = headerEnd + 4 + length;
      if (this.buffered.length < end) return;
      if (head.startsWith('HTTP/1.1 200 ')) this.responses++;
      else this.errors++;
      this.firstBody ??= this.buffered.subarray(headerEnd + 4, end).toString();
      this.buffered = this.buffered.subarray(end);
      this.inFlight = this.running;
      if (this.running) this.socket.write(this.request);
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

interface Round {
  perSecond: number;
  perServerCpuSecond: number;
  serverCpu: number;
}

async function round(server: ServerProcess, clients: readonly LoopClient[], path: Path, seconds: number): Promise<Round> {
  const cpuBefore = server.cpuSeconds();
  const start = performance.now();
  for (const client of clients) client.start(path, server.port);
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const elapsed = (performance.now() - start) / 1000;
  const counted = clients.reduce((sum, client) => sum + client.responses, 0);
  const cpu = server.cpuSeconds() - cpuBefore;
  await Promise.all(clients.map((client) => client.stop()));
  const errors = clients.reduce((sum, client) => sum + client.errors, 0);
  if (errors > 0) throw new Error(`${path}: ${errors} responses were not 200`);
  checkBody(path, clients[0]?.firstBody);
  return { perSecond: counted / elapsed, perServerCpuSecond: counted / cpu, serverCpu: cpu / elapsed };
}

/** Every round proves it measured the real thing: /ice carries a credential that verifies. */
function checkBody(path: Path, body: string | undefined): void {
  if (path === '/healthz') {
    if (!body?.includes('"status":"ok"')) throw new Error(`unexpected /healthz body: ${body ?? 'none'}`);
    return;
  }
  const ice = JSON.parse(body ?? 'null') as IceResponse | null;
  const turn = ice?.iceServers.find((server) => server.username !== undefined);
  if (turn?.username === undefined || turn.credential !== createHmac('sha1', SECRET).update(turn.username).digest('base64')) {
    throw new Error(`unexpected /ice body: ${body ?? 'none'}`);
  }
}

/** Starts our node with TURN configured and the /ice limit out of the way (env, as a self-hoster would). */
async function startIceNode(): Promise<ServerProcess> {
  const env: Record<string, string> = {
    TURN_URLS, TURN_SECRET: SECRET, STUN_PORT: '0', STUN_URLS: 'stun:stun.example.org:3478',
    ICE_REQUESTS_PER_MINUTE: '1000000000', ICE_REQUESTS_BURST: '1000000000',
  };
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  Object.assign(process.env, env);
  try {
    return await startServer('parley');
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

export async function runIceBench(options: BenchOptions): Promise<Section> {
  const { log } = options;
  const rounds = options.quick ? 3 : 5;
  const seconds = options.quick ? 2 : 3;
  const loadAtStart = loadavg().map((load) => load.toFixed(2)).join(', ');
  const server = await startIceNode();
  const clients: LoopClient[] = [];
  const results: Record<Path, Round[]> = { '/ice': [], '/healthz': [] };
  try {
    for (let i = 0; i < CONNECTIONS; i++) clients.push(await LoopClient.open(server.port));
    log(`${CONNECTIONS} keep-alive connections, ${rounds} rounds of ${seconds} s per path (+1 warm-up each), paths alternating`);
    for (let r = 0; r <= rounds; r++) {
      const order: Path[] = r % 2 === 0 ? ['/ice', '/healthz'] : ['/healthz', '/ice'];
      for (const path of order) {
        const result = await round(server, clients, path, r === 0 ? 1 : seconds);
        log(`  ${r === 0 ? 'warm-up' : `round ${r}`} ${path}: ${formatRate(result.perSecond)} (server CPU ${(result.serverCpu * 100).toFixed(0)}%)`);
        if (r > 0) results[path].push(result);
      }
    }
  } finally {
    for (const client of clients) client.close();
    await server.stop();
  }

  const pick = (path: Path, f: (r: Round) => number): number => median(results[path].map(f));
  const ice = pick('/ice', (r) => r.perSecond);
  const health = pick('/healthz', (r) => r.perSecond);
  const iceCpu = pick('/ice', (r) => r.perServerCpuSecond);
  const healthCpu = pick('/healthz', (r) => r.perServerCpuSecond);
  const runs = (path: Path): string => results[path].map((r) => Math.round(r.perSecond).toLocaleString('en-US')).join(', ');
  const rows: Row[] = [
    {
      measure: `\`/ice\` responses/s, each with a fresh TURN credential, beside \`/healthz\` (median of ${rounds})`,
      ours: formatRate(ice), reference: `${formatRate(health)} (\`/healthz\`)`,
      ratio: ice / health, floor: `≥ ${FLOOR_PER_SECOND.toLocaleString('en-US')}/s`, met: ice >= FLOOR_PER_SECOND,
    },
    {
      measure: `… per CPU-second of the node process (median of ${rounds}; informational)`,
      ours: formatRate(iceCpu).replace('/s', ''), reference: `${formatRate(healthCpu).replace('/s', '')} (\`/healthz\`)`,
      ratio: iceCpu / healthCpu, floor: '—', met: undefined,
    },
  ];
  const notes = [
    `Our node (signaling/main.ts under tsx, one process, one event loop) with \`TURN_URLS\` (2 URIs), \`TURN_SECRET\` and \`STUN_URLS\` set, so every \`/ice\` answer mints a credential (16 random bytes, HMAC-SHA1, base64) and lists STUN and TURN; \`ICE_REQUESTS_PER_MINUTE\` and \`ICE_REQUESTS_BURST\` raised to 10⁹ through the environment because every request comes from 127.0.0.1 (the limiter still runs: one bucket lookup per request).`,
    `Load: ${CONNECTIONS} keep-alive TCP connections from this process, each a closed loop (next request when the previous response is whole), for ${seconds} s per round; \`/ice\` and \`/healthz\` alternate, first one and then the other, after a 1 s warm-up of each. Every non-200 answer fails the bench; each round's first \`/ice\` body is parsed and its credential checked against the secret.`,
    `Rounds (responses/s): \`/ice\` ${runs('/ice')}; \`/healthz\` ${runs('/healthz')}. Median node CPU during a round: \`/ice\` ${(pick('/ice', (r) => r.serverCpu) * 100).toFixed(0)}%, \`/healthz\` ${(pick('/healthz', (r) => r.serverCpu) * 100).toFixed(0)}% (of one core). The client shares the machine's other core, so wall-clock rates are bounded by both; the per-CPU-second row is the node's own cost.`,
    `Load average when the bench started (1, 5, 15 min): ${loadAtStart}. The machine may be shared.`,
  ];
  return { title: 'ICE endpoint', rows, notes, columns: { ours: '`/ice`', reference: 'Anchor (same run)' } };
}
