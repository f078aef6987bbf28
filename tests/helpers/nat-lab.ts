/**
 * A NAT lab made of Linux network namespaces (needs root, `ip`, `nft` and `conntrack`):
 *
 *   inet   bridge br0, 203.0.113.1 (signaling node, pages) and 203.0.113.2 (coturn)
 *   nat-a  wan 203.0.113.10 (then .11, .12… after changePublicAddress), lan 198.51.100.1/25
 *   nat-b  wan 203.0.113.20 (then .21…),                                  lan 198.51.100.129/25
 *   lan-a  198.51.100.10/25, default route via nat-a
 *   lan-b  198.51.100.138/25, default route via nat-b
 *
 * Only documentation ranges, and nothing leaves the lab: inet's and the routers' default route is a
 * device that discards every packet. Every interface lives inside a lab namespace (none in the host's), so
 * deleting the namespaces deletes every link. Names are `plab<pid>n<k>-<host>`: parallel test
 * files never collide, and a crashed run's leftovers are swept by the next lab made on the machine.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_FLAGS } from './browser.js';
// @ts-expect-error -- plain ESM helper shared with the test runner script, no type declarations.
import { findChromium } from '../../scripts/chromium.mjs';
import { startLabProcess, type LabProcess } from './nat-lab-process.js';

export type { LabProcess } from './nat-lab-process.js';
export type LabHost = 'inet' | 'nat-a' | 'nat-b' | 'lan-a' | 'lan-b';
export type Router = 'nat-a' | 'nat-b';
/**
 * `cone`: port-preserving masquerade, one public port per inside socket whatever the destination
 * (endpoint-independent mapping), inbound only on flows the inside opened. `symmetric`: masquerade
 * fully-random, a new random public port per destination (endpoint-dependent mapping).
 */
export type NatMode = 'cone' | 'symmetric';

export const LAB_ADDRESSES = {
  /** In inet: where the signaling node and the raw page server listen. */
  node: '203.0.113.1',
  /** In inet: coturn's listening and relay address. */
  turn: '203.0.113.2',
  /** Each router's first public address; changePublicAddress moves it up by one each time. */
  public: { 'nat-a': '203.0.113.10', 'nat-b': '203.0.113.20' },
  gateway: { 'nat-a': '198.51.100.1', 'nat-b': '198.51.100.129' },
  lan: { 'lan-a': '198.51.100.10', 'lan-b': '198.51.100.138' },
} as const;

/** Ports inside inet (the lab's own namespace: fixed ports cannot clash with anything). */
export const LAB_PORTS = { node: 8787, page: 8000, turn: 3478 } as const;

/** Origins the lab's Chromiums treat as secure (plain http on a lab address is not a secure context). */
export const LAB_ORIGINS = [`http://${LAB_ADDRESSES.node}:${LAB_PORTS.node}`, `http://${LAB_ADDRESSES.node}:${LAB_PORTS.page}`];

export interface NatLabOptions {
  natA?: NatMode;
  natB?: NatMode;
}

export interface NatLab {
  /** Prefix of every namespace of this lab, e.g. `plab4242n1`. */
  readonly prefix: string;
  /** Directory removed on dispose (wrapper scripts, coturn's files). */
  readonly tempDir: string;
  /** The namespace name of a lab host, for `ip netns exec`. */
  namespace(host: LabHost): string;
  /** Starts a process inside a host's namespace (env added to this process's, cwd this process's unless given); stopped on dispose. */
  spawn(host: LabHost, command: string, args?: readonly string[], options?: { env?: Readonly<Record<string, string>>; cwd?: string }): LabProcess;
  /** Runs a command inside a host's namespace to completion and returns its stdout; throws on failure. */
  exec(host: LabHost, command: string, args?: readonly string[], input?: string): string;
  /** A script running Debian's Chromium inside a host's namespace, for playwright-core's executablePath. */
  chromiumPath(host: LabHost): string;
  /** Launches Chromium inside a host's namespace (flags of tests/helpers/browser.ts plus LAB_ORIGINS as secure); closed on dispose. */
  launchChromium(host: LabHost, extraArgs?: readonly string[]): Promise<Browser>;
  mode(router: Router): NatMode;
  /** Replaces the router's NAT rules and forgets its mappings. */
  setNatMode(router: Router, mode: NatMode): void;
  /** Forgets every mapping of the router (its conntrack table is flushed): the next packet out gets a fresh one. */
  forgetMappings(router: Router): void;
  /** The router's current public address. */
  publicAddress(router: Router): string;
  /** Moves the router to the next public address (Wi-Fi → mobile) and forgets its mappings; returns the new address. */
  changePublicAddress(router: Router): string;
  /** The router's conntrack table, one flow a line (for diagnostics). */
  mappings(router: Router): string[];
  /** Runs `cleanup` first thing on dispose (for services started by other helpers). */
  onDispose(cleanup: () => Promise<unknown> | void): void;
  /** Runs the onDispose cleanups, closes browsers, stops processes, deletes every namespace; safe to call twice. */
  dispose(): Promise<void>;
}

/**
 * tests/helpers/browser.ts's flags without the fake media ones: with --use-fake-ui-for-media-stream
 * Chromium gathered raw host addresses (198.51.100.x) instead of mDNS names here, as for a page granted
 * the camera; a real user who has not granted it keeps mDNS. Pass them in extraArgs for calls.
 */
const LAB_CHROMIUM_FLAGS = CHROMIUM_FLAGS.filter((flag) => !flag.includes('-media-stream'));

const HOSTS: readonly LabHost[] = ['inet', 'nat-a', 'nat-b', 'lan-a', 'lan-b'];
const PREFIX_PATTERN = /^plab(\d+)n\d+-/;
let labsMade = 0;

const run = (command: string, args: readonly string[], input?: string): string => {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], ...(input === undefined ? {} : { input }) });
  } catch (error: unknown) {
    const stderr = (error as { stderr?: unknown }).stderr;
    throw new Error(`${command} ${args.join(' ')} failed: ${typeof stderr === 'string' && stderr !== '' ? stderr.trim() : String(error)}`);
  }
};
const ip = (...args: string[]): string => run('ip', args);

/** The nft ruleset of a router. Unsolicited inbound packets are dropped at prerouting, before conntrack
 * confirms an entry for them: a recorded inbound flow would make masquerade give the inside's later
 * outgoing flow to that peer another port (a clash of tuples), and hole punching would fail. */
function natRules(mode: NatMode): string {
  return `flush ruleset
table ip plab {
  chain unsolicited {
    type filter hook prerouting priority mangle; policy accept;
    iifname "wan" ct state new drop
  }
  chain forward {
    type filter hook forward priority filter; policy drop;
    iifname "lan" oifname "wan" accept
    iifname "wan" oifname "lan" ct state established,related accept
  }
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "wan" masquerade${mode === 'symmetric' ? ' fully-random' : ''}
  }
}
`;
}

/** Names of the namespaces on this machine that start with `prefix`. */
export function labNamespaces(prefix = 'plab'): string[] {
  return ip('netns', 'list')
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name.startsWith(prefix));
}

/** Kills every process left in the namespaces, then deletes them (synchronous: also runs on process exit). */
function deleteNamespaces(names: readonly string[]): void {
  for (const name of names) {
    let pids: string[] = [];
    try {
      pids = ip('netns', 'pids', name).split('\n').filter((pid) => /^\d+$/.test(pid));
    } catch {
      // already gone
    }
    for (const pid of pids) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // exited meanwhile
      }
    }
    try {
      ip('netns', 'delete', name);
    } catch {
      // already gone
    }
  }
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error: unknown) {
    return (error as { code?: unknown }).code === 'EPERM';
  }
};

/** Deletes the namespaces of labs whose process is gone (a crashed or killed earlier run); returns their names. */
export function sweepStaleLabs(): string[] {
  const stale = labNamespaces().filter((name) => {
    const pid = Number(PREFIX_PATTERN.exec(name)?.[1] ?? NaN);
    return Number.isInteger(pid) && pid !== process.pid && !isAlive(pid);
  });
  deleteNamespaces(stale);
  return stale;
}

function requireTools(): void {
  if (process.getuid?.() !== 0) throw new Error('the NAT lab needs root (network namespaces, nftables)');
  for (const tool of ['ip', 'nft', 'conntrack']) {
    try {
      run('sh', ['-c', `command -v ${tool}`]);
    } catch {
      throw new Error(`the NAT lab needs "${tool}": apt-get install -y iproute2 nftables conntrack (.ci/run installs them)`);
    }
  }
}

/** Builds a lab; dispose() it (useNatLab does so in afterAll). */
export function createNatLab(options: NatLabOptions = {}): NatLab {
  requireTools();
  sweepStaleLabs();
  const prefix = `plab${process.pid}n${++labsMade}`;
  const ns = (host: LabHost): string => `${prefix}-${host}`;
  const names = HOSTS.map(ns);
  const tempDir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const teardown = (): void => {
    deleteNamespaces(names);
    rmSync(tempDir, { recursive: true, force: true });
  };
  process.on('exit', teardown);
  const processes = new Set<LabProcess>();
  const browsers = new Set<Browser>();
  const cleanups: Array<() => Promise<unknown> | void> = [];
  const modes: Record<Router, NatMode> = { 'nat-a': options.natA ?? 'cone', 'nat-b': options.natB ?? 'cone' };
  const publicAddresses: Record<Router, string> = { ...LAB_ADDRESSES.public };
  const exec = (host: LabHost, command: string, args: readonly string[] = [], input?: string): string => run('ip', ['netns', 'exec', ns(host), command, ...args], input);

  try {
    for (const host of HOSTS) {
      ip('netns', 'add', ns(host));
      // No IPv6 at all: no link-local addresses for Chromium to gather, nothing to leak.
      exec(host, 'sysctl', ['-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
      ip('-n', ns(host), 'link', 'set', 'lo', 'up');
    }
    // The internet drops what it cannot route without telling the sender; a host with no route
    // would get ENETUNREACH instead (coturn ends an allocation on that error). So inet and the routers
    // route everything outside the lab into `void`, a veth without ARP whose other end (in the same
    // namespace, no address) discards every frame as meant for another host. (No `dummy` device:
    // not every kernel has it. A blackhole route or an nft drop would fail the send instead.)
    for (const host of ['inet', 'nat-a', 'nat-b'] as const) {
      ip('-n', ns(host), 'link', 'add', 'void', 'type', 'veth', 'peer', 'name', 'void-end');
      ip('-n', ns(host), 'link', 'set', 'void', 'arp', 'off', 'up');
      ip('-n', ns(host), 'link', 'set', 'void-end', 'up');
      ip('-n', ns(host), 'route', 'add', 'default', 'dev', 'void');
    }
    ip('-n', ns('inet'), 'link', 'add', 'br0', 'type', 'bridge');
    ip('-n', ns('inet'), 'link', 'set', 'br0', 'up');
    for (const address of [LAB_ADDRESSES.node, LAB_ADDRESSES.turn]) ip('-n', ns('inet'), 'addr', 'add', `${address}/24`, 'dev', 'br0');
    for (const [router, lan, side] of [['nat-a', 'lan-a', 'a'], ['nat-b', 'lan-b', 'b']] as const) {
      ip('link', 'add', 'wan', 'netns', ns(router), 'type', 'veth', 'peer', 'name', `to-${side}`, 'netns', ns('inet'));
      ip('-n', ns('inet'), 'link', 'set', `to-${side}`, 'master', 'br0', 'up');
      ip('-n', ns(router), 'addr', 'add', `${publicAddresses[router]}/24`, 'dev', 'wan');
      ip('-n', ns(router), 'link', 'set', 'wan', 'up');
      ip('link', 'add', 'lan', 'netns', ns(router), 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns(lan));
      ip('-n', ns(router), 'addr', 'add', `${LAB_ADDRESSES.gateway[router]}/25`, 'dev', 'lan');
      ip('-n', ns(router), 'link', 'set', 'lan', 'up');
      ip('-n', ns(lan), 'addr', 'add', `${LAB_ADDRESSES.lan[lan]}/25`, 'dev', 'eth0');
      ip('-n', ns(lan), 'link', 'set', 'eth0', 'up');
      ip('-n', ns(lan), 'route', 'add', 'default', 'via', LAB_ADDRESSES.gateway[router]);
      exec(router, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
      exec(router, 'nft', ['-f', '-'], natRules(modes[router]));
    }
  } catch (error: unknown) {
    process.off('exit', teardown);
    teardown();
    throw error;
  }

  let disposed: Promise<void> | undefined;
  const lab: NatLab = {
    prefix,
    tempDir,
    namespace: ns,
    exec,
    spawn(host, command, args = [], options = {}) {
      const child = startLabProcess(['netns', 'exec', ns(host), command, ...args], options);
      processes.add(child);
      return child;
    },
    chromiumPath(host) {
      const executable = (findChromium as () => string | undefined)();
      if (executable === undefined) throw new Error('no Chromium found: set CHROMIUM_PATH or install Debian\'s "chromium"');
      const path = join(tempDir, `chromium-${host}`);
      // Playwright talks to the browser over a pipe (fds 3 and 4), which `ip netns exec` passes on.
      writeFileSync(path, `#!/bin/sh\nexec ip netns exec '${ns(host)}' '${executable}' "$@"\n`);
      chmodSync(path, 0o755);
      return path;
    },
    async launchChromium(host, extraArgs = []) {
      const browser = await chromium.launch({
        executablePath: lab.chromiumPath(host),
        args: [...LAB_CHROMIUM_FLAGS, `--unsafely-treat-insecure-origin-as-secure=${LAB_ORIGINS.join(',')}`, ...extraArgs],
      });
      browsers.add(browser);
      browser.on('disconnected', () => browsers.delete(browser));
      return browser;
    },
    mode: (router) => modes[router],
    setNatMode(router, mode) {
      modes[router] = mode;
      exec(router, 'nft', ['-f', '-'], natRules(mode));
      lab.forgetMappings(router);
    },
    forgetMappings(router) {
      exec(router, 'conntrack', ['-F']);
    },
    publicAddress: (router) => publicAddresses[router],
    changePublicAddress(router) {
      const old = publicAddresses[router];
      const next = old.replace(/\d+$/, (last) => String(Number(last) + 1));
      // Ten addresses per router: nat-a .10–.19, nat-b .20–.29.
      if (next.endsWith('0')) throw new Error(`${router} has run out of public addresses`);
      // Removing the address also drops the masquerade flows that used it; the flush forgets the rest.
      ip('-n', ns(router), 'addr', 'del', `${old}/24`, 'dev', 'wan');
      ip('-n', ns(router), 'addr', 'add', `${next}/24`, 'dev', 'wan');
      publicAddresses[router] = next;
      lab.forgetMappings(router);
      return next;
    },
    mappings: (router) => exec(router, 'conntrack', ['-L']).split('\n').filter((line) => line !== ''),
    onDispose: (cleanup) => void cleanups.push(cleanup),
    dispose() {
      disposed ??= (async () => {
        for (const cleanup of cleanups.splice(0)) await Promise.resolve(cleanup()).catch(() => undefined);
        // A browser that does not close in 5 s is killed with the namespace's other processes below.
        await Promise.all([...browsers].map((browser) => Promise.race([browser.close(), new Promise((resolve) => setTimeout(resolve, 5000).unref())])));
        await Promise.all([...processes].map((child) => child.stop()));
        process.off('exit', teardown);
        teardown();
      })();
      return disposed;
    },
  };
  return lab;
}
