/**
 * One unmodified y-webrtc client in a child process (compat/y-webrtc-peer.ts), for the
 * compatibility tests on one node and across nodes sharing Redis.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isPeerReport, type ParentCommand, type PeerConfig, type PeerReport } from './messages.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PEER_SCRIPT = fileURLToPath(new URL('./y-webrtc-peer.ts', import.meta.url));
/** Bound on every wait, so a broken node or a stuck native module fails the test instead of hanging it. */
export const WAIT_MS = 30_000;

export type Converged = Extract<PeerReport, { type: 'converged' }>;

/** Rejects after `ms` with a message naming what was awaited. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** One y-webrtc client in a child process, with its output kept for failure reports. */
export class Peer {
  readonly output: string[] = [];
  readonly converged: Promise<Converged>;
  /** Resolves with the exit code, or the signal's name if the child was killed or crashed. */
  readonly exited: Promise<number | string>;
  private readonly child: ChildProcess;

  constructor(readonly config: PeerConfig) {
    this.child = spawn(process.execPath, ['--import', 'tsx', PEER_SCRIPT], {
      cwd: REPO_ROOT,
      env: { ...process.env, PARLEY_PEER: JSON.stringify(config) },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.child.stdout?.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    this.child.stderr?.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
    this.converged = new Promise<Converged>((resolve, reject) => {
      this.child.on('message', (message: unknown) => {
        if (!isPeerReport(message)) return;
        if (message.type === 'converged') resolve(message);
        else reject(new Error(`peer ${message.name} failed: ${message.message}`));
      });
      this.child.once('error', reject);
      void this.exited.then((code) => reject(new Error(`peer ${config.name} exited with ${code} before converging`)));
    });
    // Settled elsewhere; keep an early rejection from counting as unhandled.
    this.converged.catch(() => undefined);
  }

  /** Asks the child to destroy its provider and exit; resolves with its exit code. */
  async stop(): Promise<number | string> {
    if (this.child.connected) this.child.send({ type: 'exit' } satisfies ParentCommand);
    return within(this.exited, 10_000, `peer ${this.config.name} to exit`);
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  dump(): string {
    return `--- ${this.config.name} (pid ${this.child.pid}) ---\n${this.output.join('') || '(no output)'}`;
  }
}

