/**
 * Test helpers: a real coturn (Debian's `turnserver`) with the TURN REST API scheme
 * (`use-auth-secret`), started on given addresses, optionally inside a network namespace; and a
 * minimal TURN client that tries one UDP Allocate with long-term credentials (RFC 8656, RFC 8489
 * §9.2), to check a username/password against it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isIPv6 } from 'node:net';

export interface CoturnOptions {
  /** coturn's static-auth-secret. */
  secret: string;
  realm?: string;
  /** Address coturn listens on (UDP and TCP). Default 127.0.0.1. */
  listeningIp?: string;
  /** Address relayed traffic leaves from. Default: the listening address. */
  relayIp?: string;
  /** Listening port. Default: a free one (3478 inside a namespace, which starts empty). */
  port?: number;
  /** Relay port range. Default: 64 ports from a random base in 20000–59000. */
  minPort?: number;
  maxPort?: number;
  /** Run under `ip netns exec <netns>` (root only). */
  netns?: string;
  /** Allow relaying to loopback peers; default true when listening on loopback. */
  allowLoopbackPeers?: boolean;
  extraArgs?: readonly string[];
  timeoutMs?: number;
}

export interface Coturn {
  readonly port: number;
  readonly listeningIp: string;
  readonly realm: string;
  /** Everything coturn logged so far (the last 256 KiB). `--verbose` logs `ALLOCATE processed, success` per allocation. */
  log(): string;
  /** Stops coturn (SIGTERM, then SIGKILL) and removes its temporary directory. Safe to call twice. */
  stop(): Promise<void>;
}

const LOG_LIMIT = 256 * 1024;
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** A port free for both UDP and TCP on `host`. */
export async function freeUdpTcpPort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const udp = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    const port = await new Promise<number>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(0, host, () => resolve(udp.address().port));
    });
    const tcpFree = await new Promise<boolean>((resolve) => {
      const tcp = createServer();
      tcp.once('error', () => resolve(false));
      tcp.listen(port, host, () => tcp.close(() => resolve(true)));
    });
    await new Promise<void>((resolve) => udp.close(() => resolve()));
    if (tcpFree) return port;
  }
  throw new Error(`no port free for both UDP and TCP on ${host}`);
}

export async function startCoturn(options: CoturnOptions): Promise<Coturn> {
  const listeningIp = options.listeningIp ?? '127.0.0.1';
  const relayIp = options.relayIp ?? listeningIp;
  const realm = options.realm ?? 'parley.test';
  const port = options.port ?? (options.netns !== undefined ? 3478 : await freeUdpTcpPort(listeningIp));
  const minPort = options.minPort ?? 20_000 + Math.floor(Math.random() * 39_000);
  const maxPort = options.maxPort ?? minPort + 63;
  const loopback = /^127\.|^::1$/.test(listeningIp);
  const dir = mkdtempSync(join(tmpdir(), 'parley-coturn-'));
  const args = [
    '-n', // ignore /etc/turnserver.conf
    '--use-auth-secret', `--static-auth-secret=${options.secret}`, `--realm=${realm}`,
    `--listening-ip=${listeningIp}`, `--relay-ip=${relayIp}`, `--listening-port=${port}`,
    `--min-port=${minPort}`, `--max-port=${maxPort}`,
    '--no-tls', '--no-dtls', '--no-cli',
    `--pidfile=${join(dir, 'turnserver.pid')}`, `--userdb=${join(dir, 'turndb')}`,
    '--log-file=stdout', '--simple-log', '--verbose',
    ...((options.allowLoopbackPeers ?? loopback) ? ['--allow-loopback-peers'] : []),
    ...(options.extraArgs ?? []),
  ];
  const [command, commandArgs] = options.netns !== undefined ? ['ip', ['netns', 'exec', options.netns, 'turnserver', ...args]] as const : ['turnserver', args] as const;
  const child = spawn(command, commandArgs, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-LOG_LIMIT);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = false;
  let spawnError: Error | undefined;
  child.once('error', (error) => (spawnError = error));
  const exit = new Promise<void>((resolve) => child.once('close', () => {
    exited = true;
    live.delete(child);
    resolve();
  }));

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      if (!exited) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
        await exit;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    })();
    return stopped;
  };

  // coturn logs this once its UDP listener on the address is open (one line per listener thread).
  const escaped = listeningIp.replace(/[.[\]]/g, '\\$&');
  const listening = new RegExp(`UDP listener opened on: ?\\[?${escaped}\\]?:${port}\\b`);
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  while (!listening.test(output)) {
    if (spawnError !== undefined || exited || Date.now() > deadline) {
      await stop();
      const why = spawnError !== undefined ? `cannot run ${command} (${spawnError.message}; Debian: apt-get install coturn)` : exited ? 'coturn exited' : 'coturn did not open its UDP listener in time';
      throw new Error(`${why}:\n${output.slice(-4000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { port, listeningIp, realm, log: () => output, stop };
}

// --- A minimal TURN Allocate client -------------------------------------------------------

const COOKIE = 0x2112a442;
const ALLOCATE_REQUEST = 0x0003;
const ALLOCATE_SUCCESS = 0x0103;
const ALLOCATE_ERROR = 0x0113;
const ATTR = { USERNAME: 0x0006, MESSAGE_INTEGRITY: 0x0008, ERROR_CODE: 0x0009, REALM: 0x0014, NONCE: 0x0015, XOR_RELAYED_ADDRESS: 0x0016, REQUESTED_TRANSPORT: 0x0019 } as const;

export type AllocateResult =
  | { ok: true; relayedPort: number }
  | { ok: false; errorCode: number; reason: string };

function attribute(type: number, value: Uint8Array): Buffer {
  const out = Buffer.alloc(4 + ((value.length + 3) & ~3));
  out.writeUInt16BE(type, 0);
  out.writeUInt16BE(value.length, 2);
  out.set(value, 4);
  return out;
}

function message(type: number, transactionId: Buffer, attributes: readonly Buffer[]): Buffer {
  const body = Buffer.concat(attributes);
  const header = Buffer.alloc(20);
  header.writeUInt16BE(type, 0);
  header.writeUInt16BE(body.length, 2);
  header.writeUInt32BE(COOKIE, 4);
  transactionId.copy(header, 8);
  return Buffer.concat([header, body]);
}

/** Appends MESSAGE-INTEGRITY: HMAC-SHA1 over the message with its length already counting the attribute. */
function withIntegrity(unsigned: Buffer, key: Buffer): Buffer {
  const signed = Buffer.from(unsigned);
  signed.writeUInt16BE(unsigned.length - 20 + 24, 2);
  const mac = createHmac('sha1', key).update(signed).digest();
  return Buffer.concat([signed, attribute(ATTR.MESSAGE_INTEGRITY, mac)]);
}

function attributesOf(packet: Buffer): Map<number, Buffer> {
  const found = new Map<number, Buffer>();
  for (let offset = 20; offset + 4 <= packet.length;) {
    const type = packet.readUInt16BE(offset);
    const length = packet.readUInt16BE(offset + 2);
    if (!found.has(type)) found.set(type, packet.subarray(offset + 4, offset + 4 + length));
    offset += 4 + ((length + 3) & ~3);
  }
  return found;
}

/**
 * Asks the TURN server at host:port for a UDP relay with `username`/`password` (a REST credential:
 * username `<expiry>:<anything>`, password base64(HMAC-SHA1(secret, username))). The first request
 * goes without credentials to learn the realm and nonce, as a browser does.
 */
export async function turnAllocate(target: { host: string; port: number; username: string; password: string; timeoutMs?: number }): Promise<AllocateResult> {
  const socket = createSocket(isIPv6(target.host) ? 'udp6' : 'udp4');
  const exchange = (request: Buffer, transactionId: Buffer): Promise<Buffer> => new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off('message', onMessage);
      reject(new Error(`no answer from TURN server ${target.host}:${target.port}`));
    }, target.timeoutMs ?? 3000);
    const onMessage = (packet: Buffer): void => {
      if (packet.length < 20 || !packet.subarray(8, 20).equals(transactionId)) return;
      clearTimeout(timer);
      socket.off('message', onMessage);
      resolve(packet);
    };
    socket.on('message', onMessage);
    socket.send(request, target.port, target.host);
  });
  const transport = attribute(ATTR.REQUESTED_TRANSPORT, Uint8Array.of(17, 0, 0, 0)); // 17: UDP
  const outcome = (packet: Buffer): AllocateResult => {
    const type = packet.readUInt16BE(0);
    const attributes = attributesOf(packet);
    if (type === ALLOCATE_SUCCESS) return { ok: true, relayedPort: (attributes.get(ATTR.XOR_RELAYED_ADDRESS)?.readUInt16BE(2) ?? 0) ^ (COOKIE >>> 16) };
    const error = attributes.get(ATTR.ERROR_CODE);
    if (type !== ALLOCATE_ERROR || error === undefined) throw new Error(`unexpected TURN answer of type 0x${type.toString(16)}`);
    return { ok: false, errorCode: (error[2] ?? 0) * 100 + (error[3] ?? 0), reason: error.subarray(4).toString() };
  };
  try {
    await new Promise<void>((resolve) => socket.bind(0, resolve));
    const firstId = randomBytes(12);
    const first = await exchange(message(ALLOCATE_REQUEST, firstId, [transport]), firstId);
    const challenge = attributesOf(first);
    const realm = challenge.get(ATTR.REALM);
    const nonce = challenge.get(ATTR.NONCE);
    if (realm === undefined || nonce === undefined) return outcome(first);
    const key = createHash('md5').update(`${target.username}:${realm.toString()}:${target.password}`).digest();
    const secondId = randomBytes(12);
    const unsigned = message(ALLOCATE_REQUEST, secondId, [transport, attribute(ATTR.USERNAME, Buffer.from(target.username)), attribute(ATTR.REALM, realm), attribute(ATTR.NONCE, nonce)]);
    return outcome(await exchange(withIntegrity(unsigned, key), secondId));
  } finally {
    socket.close();
  }
}
