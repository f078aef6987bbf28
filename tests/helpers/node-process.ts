/**
 * Test helper: a signaling node as its own process (signaling/main.ts under tsx), as a self-hoster
 * runs it: for what only a process can show (SIGKILL, SIGTERM, its CPU time in benches). It listens
 * on 127.0.0.1 and a port of its choosing, read back from its "listening" log line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface NodeProcess {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Every stdout/stderr line so far (JSON log lines), for failure reports. */
  readonly output: string[];
  /** Resolves with the exit code or signal name. */
  readonly exited: Promise<number | string>;
  kill(signal?: NodeJS.Signals): Promise<number | string>;
}

/**
 * Starts a node; `env` adds options by their environment names (REDIS_URL, NODE_ID...). `port`
 * picks the port (to restart a node where it was); default: a free one. `nodeArgs`: flags for
 * node itself, e.g. `--cpu-prof` in benches (not allowed in NODE_OPTIONS).
 */
export async function startNodeProcess(env: Record<string, string> = {}, options: { port?: number; timeoutMs?: number; nodeArgs?: readonly string[] } = {}): Promise<NodeProcess> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', 'signaling/main.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: String(options.port ?? 0), HOST: '127.0.0.1', STUN_PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node did not listen in time:\n${output.join('')}`)), options.timeoutMs ?? 30_000);
    const read = (chunk: Buffer): void => {
      const text = chunk.toString();
      output.push(text);
      for (const line of text.split('\n')) {
        if (!line.includes('"msg":"listening"')) continue;
        const parsed = JSON.parse(line) as { port?: number };
        clearTimeout(timer);
        if (typeof parsed.port === 'number') resolve(parsed.port);
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`node exited with ${code} before listening:\n${output.join('')}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid ?? -1,
    child,
    output,
    exited,
    kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
