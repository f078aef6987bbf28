/**
 * The memory of the Chromium renderer processes this test process started: what the issue asks to
 * watch (the JS heap barely moves while the renderer grows by hundreds of MiB). Chromium runs as a
 * child of this Node process; its renderers are descendants with --type=renderer. RSS from /proc.
 */
import { readdirSync, readFileSync } from 'node:fs';

function children(): Map<number, number[]> {
  const byParent = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces, so read after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      byParent.set(ppid, [...(byParent.get(ppid) ?? []), Number(name)]);
    } catch {
      // the process ended meanwhile
    }
  }
  return byParent;
}

/** PIDs of Chromium renderer processes under this process. */
export function rendererPids(): number[] {
  const tree = children();
  const found: number[] = [];
  const walk = (pid: number): void => {
    for (const child of tree.get(pid) ?? []) {
      try {
        if (readFileSync(`/proc/${child}/cmdline`, 'utf8').includes('--type=renderer')) found.push(child);
      } catch {
        // gone
      }
      walk(child);
    }
  };
  walk(process.pid);
  return found;
}

/** Resident memory of a process in bytes (0 if it is gone). */
export function rssBytes(pid: number): number {
  try {
    const line = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return line === null ? 0 : Number(line[1]) * 1024;
  } catch {
    return 0;
  }
}
