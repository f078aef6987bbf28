/**
 * Spawning the benchmarked signaling servers as child processes, each with the memory probe
 * preloaded (`memory-probe.cjs`, asked over IPC for a post-GC `process.memoryUsage()`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PROBE = fileURLToPath(new URL('./memory-probe.cjs', import.meta.url));

export type ServerKind = 'parley' | 'reference' | 'fair';

export const SERVER_LABELS: Readonly<Record<ServerKind, string>> = {
  parley: 'Parley node',
  reference: 'y-webrtc bin/server.js',
  fair: 'fair relay',
};

export interface MemoryUsage {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

export interface ServerProcess {
  readonly kind: ServerKind;
  readonly port: number;
  readonly pid: number | undefined;
  /** Path clients upgrade on (the reference server accepts any). */
  readonly path: string;
  memory(timeoutMs?: number): Promise<MemoryUsage>;
  /** CPU seconds (user + system) the process has used so far, from /proc (Linux). */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/** Every running server, so none outlives the bench even when it fails. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** CPU seconds (user + system) process `pid` has used so far, from /proc (Linux). */
export function procCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  // /proc/<pid>/stat: fields after the ")" closing the command name; utime and stime are fields 14 and 15.
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / 100; // USER_HZ is 100 on Linux
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function commandFor(kind: ServerKind, port: number): { args: string[]; env: NodeJS.ProcessEnv } {
  const preload = ['--expose-gc', '--require', PROBE];
  if (kind === 'parley') {
    // Every limit at its default: nothing but port, host and log level is passed.
    return {
      args: [...preload, '--import', 'tsx', process.env['BENCH_PARLEY_ENTRY'] ?? 'signaling/main.ts', '--port', String(port), '--host', '127.0.0.1', '--log-level', 'warn'],
      env: { ...process.env },
    };
  }
  if (kind === 'fair') return { args: [...preload, '--import', 'tsx', 'tests/bench/fair-relay.ts'], env: { ...process.env, PORT: String(port) } };
  return { args: [...preload, 'node_modules/y-webrtc/bin/server.js'], env: { ...process.env, PORT: String(port) } };
}

export async function startServer(kind: ServerKind, extraNodeArgs: readonly string[] = [], timeoutMs = 20_000): Promise<ServerProcess> {
  const port = await freePort();
  const { args, env } = commandFor(kind, port);
  const child: ChildProcess = spawn(process.execPath, [...extraNodeArgs, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  live.add(child);
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => {
    exited = true;
    live.delete(child);
    resolve();
  }));

  const deadline = Date.now() + timeoutMs;
  while (!(await canConnect(port))) {
    if (exited) throw new Error(`${kind} server exited during start-up:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${kind} server did not listen on ${port} within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  let nextId = 0;
  return {
    kind,
    port,
    pid: child.pid,
    path: '/signal',
    memory(memoryTimeoutMs = 10_000) {
      const id = ++nextId;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          child.off('message', onMessage);
          reject(new Error(`${kind} server did not answer the memory probe`));
        }, memoryTimeoutMs);
        const onMessage = (message: unknown): void => {
          const m = message as Partial<MemoryUsage> & { type?: string; id?: number; gc?: boolean };
          if (m.type !== 'bench:memory' || m.id !== id) return;
          clearTimeout(timer);
          child.off('message', onMessage);
          if (m.gc !== true) return reject(new Error('memory probe has no gc(); is --expose-gc set?'));
          resolve({ rss: m.rss ?? 0, heapUsed: m.heapUsed ?? 0, external: m.external ?? 0, arrayBuffers: m.arrayBuffers ?? 0 });
        };
        child.on('message', onMessage);
        child.send({ type: 'bench:memory', id });
      });
    },
    cpuSeconds: () => procCpuSeconds(child.pid),
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exit;
      clearTimeout(timer);
    },
  };
}
