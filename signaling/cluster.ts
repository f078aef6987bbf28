/**
 * Several nodes as one: a topic's publishes reach its subscribers on every node through one Redis
 * channel per topic, which a node subscribes to only while it has a local subscriber. Each node
 * keeps the other nodes' subscriber counts of its topics (told by `c`/`a` messages and carried by
 * every publish), so `clients` counts the whole cluster and a publish skips Redis when nobody
 * else is in the room. A node's counts vanish when its liveness key expires: a killed node leaves
 * no ghosts (node-liveness.ts). See cluster-envelope.ts for the messages.
 */
import type { Logger } from './logger.js';
import type { RedisBus } from './redis-bus.js';
import type { TopicBridge } from './relay.js';
import { createNodeLiveness } from './node-liveness.js';
import { channelOf, encodeCountEnvelope, encodePublishEnvelope, parseEnvelope, topicOf } from './cluster-envelope.js';

/** What became of a message from Redis; labels of parley_redis_messages_total. */
export const REDIS_MESSAGE_RESULTS = ['delivered', 'count', 'own_echo', 'no_subscribers', 'malformed', 'over_budget', 'too_many_nodes'] as const;
export type RedisMessageResult = (typeof REDIS_MESSAGE_RESULTS)[number];

export interface ClusterStats {
  readonly messages: Record<RedisMessageResult, number>;
  /** Publishes handed to Redis, and those lost (Redis away, or too many waiting for it). */
  publishesSent: number;
  publishesLost: number;
}

export interface Cluster extends TopicBridge {
  readonly nodeId: string;
  readonly stats: ClusterStats;
  redisUp(): boolean;
  /** Another running node was seen using this NODE_ID: /healthz says degraded until this process restarts. */
  nodeIdConflict(): boolean;
  /** Channels this node is subscribed to (its topics with a local subscriber). */
  channels(): number;
  reconnects(): number;
  /** Connects the relay's local delivery; call once, before the first message can arrive. */
  start(deliver: (topic: string, data: Buffer) => number): void;
  /** Tells the other nodes this one is gone, unsubscribes, and closes the connections. */
  close(): Promise<void>;
}

export interface ClusterOptions {
  readonly nodeId: string;
  readonly bus: RedisBus;
  readonly log: Logger;
  readonly maxTopicLength: number;
  readonly maxFrameBytes: number;
  readonly bytesPerSecond: number;
  /** Monotonic ms, for the byte budget. */
  readonly now: () => number;
}

/** How long after asking a node publishes a room's messages to Redis even when no answer came. */
export const SETTLE_MS = 5_000;
/** Other nodes one topic may count; more are refused (a forged flood of node names). */
export const MAX_NODES_PER_TOPIC = 64;
/** Publishes waiting for Redis at once; more are lost and counted rather than queued. */
export const MAX_PENDING_PUBLISHES = 10_000;

export function createCluster(options: ClusterOptions): Cluster {
  const { nodeId, bus, log, now } = options;
  const stats: ClusterStats = { messages: Object.fromEntries(REDIS_MESSAGE_RESULTS.map((result) => [result, 0])) as Record<RedisMessageResult, number>, publishesSent: 0, publishesLost: 0 };
  /** Local subscriber count of every topic this node has subscribers of. */
  const local = new Map<string, number>();
  /** Other nodes' subscriber counts, per local topic. */
  const remote = new Map<string, Map<string, number>>();
  /**
   * Topics whose ask is not answered yet (just opened here, or Redis just came back): until then
   * this node cannot know it is alone, so their publishes go to Redis anyway. Without it, a joining
   * member's announce, its first publish, is dropped while the answer is on its way.
   */
  const unsettledUntil = new Map<string, number>();
  /** Topics whose count changed this turn; told to the others once, at the end of the turn. */
  const dirty = new Set<string>();
  let flushScheduled = false;
  let deliver: (topic: string, data: Buffer) => number = () => 0;
  const burst = options.bytesPerSecond * 2;
  let budget = burst;
  let budgetAt = now();

  /** Publishes Redis has not answered yet; close() waits for them. */
  const waiting = new Set<Promise<void>>();
  const send = (topic: string, message: string): void => {
    if (waiting.size >= MAX_PENDING_PUBLISHES) {
      stats.publishesLost++;
      return;
    }
    const sent: Promise<void> = bus.publish(channelOf(topic), message).then(
      () => {
        waiting.delete(sent);
        stats.publishesSent++;
      },
      () => {
        waiting.delete(sent);
        stats.publishesLost++;
      },
    );
    waiting.add(sent);
  };

  const unsettled = (topic: string): boolean => {
    const until = unsettledUntil.get(topic);
    if (until === undefined) return false;
    if (now() < until) return true;
    unsettledUntil.delete(topic);
    return false;
  };

  const remoteTotal = (topic: string): number => {
    const counts = remote.get(topic);
    if (counts === undefined) return 0;
    let total = 0;
    for (const count of counts.values()) total += count;
    return total;
  };

  const subscribeAndAsk = (topics: readonly string[]): void => {
    const until = now() + SETTLE_MS;
    for (const topic of topics) unsettledUntil.set(topic, until);
    void bus.subscribe(topics.map(channelOf)).then(
      () => {
        // Asked only once subscribed: the answers (and publishes) must find the subscription there.
        for (const topic of topics) {
          const count = local.get(topic);
          if (count !== undefined && bus.isUp()) send(topic, encodeCountEnvelope(nodeId, count, true));
        }
      },
      () => undefined,
    );
  };

  const flush = (): void => {
    flushScheduled = false;
    const opened: string[] = [];
    const closed: string[] = [];
    for (const topic of dirty) {
      const count = local.get(topic) ?? 0;
      if (count === 0) {
        closed.push(topic);
        if (bus.isUp()) send(topic, encodeCountEnvelope(nodeId, 0, false));
        remote.delete(topic);
        unsettledUntil.delete(topic);
      } else if (!remote.has(topic)) {
        remote.set(topic, new Map());
        opened.push(topic);
      } else if (bus.isUp()) {
        // Told even when this node knows of nobody else: another node may know of this one (from its
        // ask) while its answer is still on the way, and would keep the old count.
        send(topic, encodeCountEnvelope(nodeId, count, false));
      }
    }
    dirty.clear();
    bus.unsubscribe(closed.map(channelOf));
    if (opened.length > 0) subscribeAndAsk(opened);
  };

  const takeBudget = (bytes: number): boolean => {
    const at = now();
    budget = Math.min(burst, budget + ((at - budgetAt) * options.bytesPerSecond) / 1000);
    budgetAt = at;
    if (budget < bytes) return false;
    budget -= bytes;
    return true;
  };

  const setRemote = (topic: string, node: string, count: number): boolean => {
    const counts = remote.get(topic);
    if (counts === undefined) return false;
    if (count === 0) counts.delete(node);
    else if (counts.has(node) || counts.size < MAX_NODES_PER_TOPIC) counts.set(node, count);
    else {
      stats.messages.too_many_nodes++;
      return false;
    }
    return true;
  };

  const receive = (channel: Buffer, message: Buffer): void => {
    if (!takeBudget(message.length + channel.length)) {
      stats.messages.over_budget++;
      return;
    }
    const topic = topicOf(channel.toString(), options.maxTopicLength);
    const envelope = topic === null ? null : parseEnvelope(message, options.maxFrameBytes);
    if (topic === null || envelope === null) {
      stats.messages.malformed++;
      return;
    }
    if (envelope.node === nodeId) {
      stats.messages.own_echo++;
      return;
    }
    if (!local.has(topic)) {
      // Unsubscribed while this was on its way.
      stats.messages.no_subscribers++;
      return;
    }
    if (!setRemote(topic, envelope.node, envelope.count)) return;
    if (envelope.kind === 'count') {
      stats.messages.count++;
      // A node that just subscribed asks; it learns this node's count from the answer.
      if (envelope.ask) send(topic, encodeCountEnvelope(nodeId, local.get(topic) ?? 0, false));
      return;
    }
    deliver(topic, envelope.data);
    stats.messages.delivered++;
  };

  const liveness = createNodeLiveness({
    nodeId,
    bus,
    log,
    knownNodes: function* () {
      for (const counts of remote.values()) yield* counts.keys();
    },
    forget(gone) {
      for (const counts of remote.values()) for (const node of gone) counts.delete(node);
    },
  });

  bus.onMessage((channel, message) => {
    try {
      receive(channel, message);
    } catch (error: unknown) {
      // Parsing cannot throw; this keeps a bug from taking the node down with every room on it.
      stats.messages.malformed++;
      log.error('redis message handler failed', { error: error instanceof Error ? error.message : String(error) });
    }
  });
  bus.onReady(() => {
    liveness.refresh();
    // After an outage every count may be stale: subscribe again and ask everyone afresh.
    if (local.size > 0) subscribeAndAsk([...local.keys()]);
  });

  return {
    nodeId,
    stats,
    redisUp: () => bus.isUp(),
    nodeIdConflict: liveness.conflict,
    channels: () => local.size,
    reconnects: () => bus.reconnects(),
    start(deliverLocally) {
      deliver = deliverLocally;
    },
    remoteCount: remoteTotal,
    localCountChanged(topic, count) {
      // Unsettled from the first member on, not from the ask at the end of the turn: that member may
      // publish in this very turn.
      if (count > 0 && !local.has(topic)) unsettledUntil.set(topic, now() + SETTLE_MS);
      if (count === 0) local.delete(topic);
      else local.set(topic, count);
      dirty.add(topic);
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flush);
      }
    },
    publish(topic, dataJson, localCount) {
      // Nobody else in the room, as far as this node has been told: Redis is skipped, and nothing is lost.
      if (remoteTotal(topic) === 0 && !unsettled(topic)) return;
      if (!bus.isUp()) {
        stats.publishesLost++;
        return;
      }
      send(topic, encodePublishEnvelope(nodeId, localCount, dataJson));
    },
    async close() {
      liveness.stop();
      if (flushScheduled) flush();
      // Whatever is still subscribed (close is normally after every socket closed) is let go.
      for (const topic of local.keys()) if (bus.isUp()) send(topic, encodeCountEnvelope(nodeId, 0, false));
      await Promise.all([...waiting]);
      bus.unsubscribe([...local.keys()].map(channelOf));
      local.clear();
      remote.clear();
      unsettledUntil.clear();
      await bus.close(liveness.key);
    },
  };
}
