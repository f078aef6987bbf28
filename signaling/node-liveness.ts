/**
 * Which nodes are alive: each node keeps a key `parley:1:node:<id>` in Redis that expires 15 s after
 * its last refresh, so a killed node's members stop being counted without anyone telling. The key
 * holds a mark of this process: finding another process's mark there later means a second node
 * runs with the same NODE_ID (a copied env file), and the two would drop each other's messages.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from './logger.js';
import type { RedisBus } from './redis-bus.js';
import { NODE_KEY_PREFIX } from './cluster-envelope.js';

/** A node's liveness key lives this long and is refreshed three times as often. */
export const NODE_TTL_MS = 15_000;
const NODE_REFRESH_MS = 5_000;

export interface NodeLiveness {
  /** This node's key. */
  readonly key: string;
  /** Refreshes the key now (on every reconnect: a restarted Redis has lost it). */
  refresh(): void;
  /** Another running node was seen using this NODE_ID. */
  conflict(): boolean;
  stop(): void;
}

export interface NodeLivenessOptions {
  readonly nodeId: string;
  readonly bus: RedisBus;
  readonly log: Logger;
  /** The other nodes this node counts members of. */
  readonly knownNodes: () => Iterable<string>;
  /** Called with the nodes whose key expired: forget their members. */
  readonly forget: (gone: ReadonlySet<string>) => void;
}

export function createNodeLiveness({ nodeId, bus, log, knownNodes, forget }: NodeLivenessOptions): NodeLiveness {
  const key = NODE_KEY_PREFIX + nodeId;
  const mark = randomBytes(8).toString('hex');
  let refreshedOnce = false;
  let conflict = false;

  const refresh = (): void => {
    void bus.refreshKey(key, mark, NODE_TTL_MS).then((previous) => {
      // The first refresh may find the key of this node's previous life (killed less than 15 s ago).
      if (refreshedOnce && previous !== null && previous !== mark && !conflict) {
        conflict = true;
        log.error('another node runs with this NODE_ID; give each node its own', { node: nodeId });
      }
      refreshedOnce = true;
    });
  };

  const checkOthers = (): void => {
    const names = [...new Set(knownNodes())];
    if (names.length === 0 || !bus.isUp()) return;
    bus.existing(names.map((node) => NODE_KEY_PREFIX + node)).then(
      (alive) => {
        const gone = new Set(names.filter((_node, i) => !alive[i]));
        if (gone.size === 0) return;
        log.info('nodes gone', { nodes: [...gone].join(',') });
        forget(gone);
      },
      () => undefined,
    );
  };

  const timer = setInterval(() => {
    refresh();
    checkOthers();
  }, NODE_REFRESH_MS);
  timer.unref();

  return { key, refresh, conflict: () => conflict, stop: () => clearInterval(timer) };
}
