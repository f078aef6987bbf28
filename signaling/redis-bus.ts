/**
 * The node's two Redis connections (a subscriber connection can do nothing else), with backoff
 * and jitter on reconnect. It keeps no queue of its own: while Redis is away, publishes fail at
 * once (the caller counts them lost) and subscriptions are restored by the caller on `onReady`,
 * from its own set of what it wants, so nothing grows while Redis is down.
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from './logger.js';

export interface RedisBus {
  /** Both connections are ready. */
  isUp(): boolean;
  /** SSUBSCRIBE/SPUBLISH (Redis 7+), else SUBSCRIBE/PUBLISH; decided on each (re)connect. */
  sharded(): boolean;
  subscribe(channels: readonly string[]): Promise<void>;
  unsubscribe(channels: readonly string[]): void;
  /** Rejects at once while Redis is down. */
  publish(channel: string, message: string): Promise<unknown>;
  /** SET key value PX ms GET: resolves with the value it replaced (null if none, or on failure). */
  refreshKey(key: string, value: string, ms: number): Promise<string | null>;
  /** MGET; rejects while Redis is down. */
  existing(keys: readonly string[]): Promise<boolean[]>;
  /** Messages as the bytes Redis delivered (no string is made of them here). */
  onMessage(listener: (channel: Buffer, message: Buffer) => void): void;
  /** Both connections became ready (first connect, or after Redis came back): subscribe again. */
  onReady(listener: () => void): void;
  onDown(listener: () => void): void;
  /** Reconnections after the first connect, for /metrics. */
  reconnects(): number;
  /** Deletes `key`, then closes both connections. */
  close(deleteKey: string): Promise<void>;
}

/** Exponential from 100 ms up to 5 s, with jitter, so the nodes of a cluster do not reconnect in step. */
export function redisRetryDelay(attempt: number, random: () => number = Math.random): number {
  return Math.round(Math.min(5000, 100 * 2 ** Math.min(attempt, 10)) * (0.5 + random() / 2));
}

const SUBSCRIBE_BATCH = 500;

export function createRedisBus(url: string, log: Logger): RedisBus {
  const options: RedisOptions = {
    retryStrategy: (times) => redisRetryDelay(times - 1),
    // Fail fast while disconnected: a publish is then lost and counted, never queued without bound.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResubscribe: false,
    connectTimeout: 5000,
    lazyConnect: false,
  };
  const pub = new Redis(url, { ...options, enableAutoPipelining: true, connectionName: 'parley-pub' });
  const sub = new Redis(url, { ...options, connectionName: 'parley-sub' });
  const messageListeners: Array<(channel: Buffer, message: Buffer) => void> = [];
  const readyListeners: Array<() => void> = [];
  const downListeners: Array<() => void> = [];
  let up = false;
  let sharded = false;
  let everUp = false;
  let reconnects = 0;
  let closing = false;
  const where = safeLocation(url);

  const checkReady = (): void => {
    if (up || closing || pub.status !== 'ready' || sub.status !== 'ready') return;
    void pub.info('server').then(
      (info) => {
        if (up || closing || pub.status !== 'ready' || sub.status !== 'ready') return;
        const major = Number(/redis_version:(\d+)/.exec(info)?.[1] ?? '0');
        sharded = major >= 7;
        up = true;
        if (everUp) reconnects++;
        everUp = true;
        log.info('redis up', { redis: where, sharded });
        for (const listener of readyListeners) listener();
      },
      () => undefined,
    );
  };
  const wentDown = (): void => {
    if (!up) return;
    up = false;
    if (!closing) log.warn('redis down', { redis: where });
    for (const listener of downListeners) listener();
  };
  for (const connection of [pub, sub]) {
    connection.on('ready', checkReady);
    connection.on('close', wentDown);
    connection.on('end', wentDown);
    // ioredis reports every failed attempt here; the state change is logged once, above.
    connection.on('error', (error: Error) => log.debug('redis error', { redis: where, error: error.message }));
  }
  const deliver = (channel: Buffer, message: Buffer): void => {
    for (const listener of messageListeners) listener(channel, message);
  };
  // The Buffer events: ioredis decodes a string for the plain ones only while they have listeners.
  sub.on('messageBuffer', deliver);
  sub.on('smessageBuffer', deliver);

  const inBatches = (channels: readonly string[], run: (batch: string[]) => Promise<unknown>): Promise<void> => {
    const batches: Promise<unknown>[] = [];
    for (let start = 0; start < channels.length; start += SUBSCRIBE_BATCH) batches.push(run(channels.slice(start, start + SUBSCRIBE_BATCH)));
    return Promise.all(batches).then(() => undefined);
  };

  return {
    isUp: () => up,
    sharded: () => sharded,
    subscribe(channels) {
      if (!up || channels.length === 0) return Promise.resolve();
      return inBatches(channels, (batch) => (sharded ? sub.ssubscribe(...batch) : sub.subscribe(...batch)));
    },
    unsubscribe(channels) {
      if (!up || channels.length === 0) return;
      void inBatches(channels, (batch) => (sharded ? sub.sunsubscribe(...batch) : sub.unsubscribe(...batch))).catch(() => undefined);
    },
    publish(channel, message) {
      if (!up) return Promise.reject(new Error('redis down'));
      return sharded ? pub.spublish(channel, message) : pub.publish(channel, message);
    },
    refreshKey(key, value, ms) {
      if (!up) return Promise.resolve(null);
      return pub.call('SET', key, value, 'PX', String(ms), 'GET').then(
        (old) => (typeof old === 'string' ? old : null),
        () => null,
      );
    },
    async existing(keys) {
      if (!up) throw new Error('redis down');
      const values = await pub.mget(...keys);
      return values.map((value) => value !== null);
    },
    onMessage: (listener) => void messageListeners.push(listener),
    onReady: (listener) => void readyListeners.push(listener),
    onDown: (listener) => void downListeners.push(listener),
    reconnects: () => reconnects,
    async close(deleteKey) {
      if (up) await pub.del(deleteKey).catch(() => undefined);
      closing = true;
      up = false;
      // QUIT lets Redis drop the subscriptions at once; disconnect() stops a reconnect in progress.
      await Promise.all([pub, sub].map((connection) => (connection.status === 'ready' ? connection.quit().catch(() => connection.disconnect()) : connection.disconnect())));
    },
  };
}

/** host:port of a Redis URL, for logs: never its password. */
function safeLocation(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '6379'}`;
  } catch {
    return 'redis';
  }
}
