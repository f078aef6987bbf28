/** A process the NAT lab started in one of its namespaces: its output kept, waited on, stopped. */
import { spawn } from 'node:child_process';

export interface LabProcess {
  readonly pid: number;
  /** stdout and stderr as they came, the last MAX_OUTPUT characters. */
  output(): string;
  /** Resolves with the output once it matches; rejects if the process exits first or after timeoutMs. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  readonly exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL after 3 s; resolves once it has ended. */
  stop(): Promise<void>;
}

const MAX_OUTPUT = 1 << 20;
const STOP_GRACE_MS = 3000;

/** Runs `ip <ipArgs>` (`netns exec <ns> <command> …`, which execs the command in place: same pid). */
export function startLabProcess(ipArgs: readonly string[], options: { env?: Readonly<Record<string, string>>; cwd?: string }): LabProcess {
  const child = spawn('ip', ipArgs, { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'], ...(options.cwd === undefined ? {} : { cwd: options.cwd }) });
  let output = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-MAX_OUTPUT);
    for (const listener of listeners) listener();
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
    child.on('error', (error) => {
      output += `\n${String(error)}`;
      resolve('spawn failed');
    });
  });
  let ended = false;
  void exited.then(() => {
    ended = true;
    for (const listener of listeners) listener();
  });
  const what = ipArgs.slice(3).join(' ');
  return {
    pid: child.pid ?? -1,
    output: () => output,
    exited,
    waitForOutput(pattern, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (pattern.test(output)) finish(() => resolve(output));
          else if (ended) finish(() => reject(new Error(`${what} exited before printing ${pattern}: ${output.slice(-2000)}`)));
        };
        const timer = setTimeout(() => finish(() => reject(new Error(`${what} did not print ${pattern} within ${timeoutMs} ms: ${output.slice(-2000)}`))), timeoutMs);
        const finish = (settle: () => void): void => {
          clearTimeout(timer);
          listeners.delete(check);
          settle();
        };
        listeners.add(check);
        check();
      });
    },
    async stop() {
      if (ended) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
