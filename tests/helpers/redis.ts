/**
 * Test helper: a real redis-server (Debian's) on 127.0.0.1 and a free port, with no persistence,
 * that a test can stop and start again on the same port (a Redis restart), and a plain client
 * connection for what a test needs to do to Redis directly (inject, MONITOR).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** The redis-server process id while it runs (CPU time in benches). */
  pid(): number | undefined;
  /** Stops the server (SIGTERM, no save); resolves when it exited. */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
  /** A new client connection (closed by the caller). */
  client(): Redis;
}

export async function freeTcpPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startRedis(): Promise<RedisServer> {
  const port = await freeTcpPort();
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    const spawned = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes', '--loglevel', 'warning'], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = spawned;
    let failure: Error | undefined;
    spawned.once('error', (error) => (failure = new Error(`cannot run redis-server (${error.message}; Debian: apt-get install redis-server)`)));
    spawned.once('exit', (code) => (failure ??= new Error(`redis-server exited with ${code}`)));
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (failure !== undefined) throw failure;
      if (await answersPing(port)) return;
      if (Date.now() > deadline) throw new Error('redis-server did not answer PING in time');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    pid: () => child?.pid,
    async stop() {
      const running = child;
      child = undefined;
      if (running === undefined || running.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        running.once('exit', () => resolve());
        running.kill('SIGTERM');
      });
    },
    start,
    client() {
      const connection = new Redis(port, '127.0.0.1', { lazyConnect: false, maxRetriesPerRequest: 1 });
      // A test that stops Redis under an open client expects the refusals; its own commands still fail.
      connection.on('error', () => undefined);
      return connection;
    },
  };
}

async function answersPing(port: number): Promise<boolean> {
  const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, enableOfflineQueue: false });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}
