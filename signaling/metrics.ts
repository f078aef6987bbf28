/**
 * Counters of the node. The hot path bumps plain numbers in `NodeStats`; prom-client
 * reads them only when /metrics is scraped, so relaying a frame costs no metric bookkeeping.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { REJECT_REASONS, type RejectReason } from './protocol.js';
import type { Cluster } from './cluster.js';

export const REFUSE_REASONS = ['bad_path', 'origin', 'ip_limit', 'capacity', 'handshake', 'shutting_down'] as const;
export type RefuseReason = (typeof REFUSE_REASONS)[number];

export const TERMINATE_REASONS = ['heartbeat', 'slow_consumer', 'shutdown'] as const;
export type TerminateReason = (typeof TERMINATE_REASONS)[number];

/** What became of a request to /ice. */
export const ICE_RESULTS = ['served', 'limited'] as const;
export type IceResult = (typeof ICE_RESULTS)[number];

/**
 * What became of a datagram on the STUN port: answered, or dropped for the first reason found.
 * `not_stun`: too short, top bits set, or no magic cookie; `malformed`: a STUN header whose length
 * or attributes do not add up; `not_binding_request`: another class or method; `unknown_attribute`:
 * a comprehension-required attribute the responder does not handle (RFC 8489 would send 420, we
 * send nothing); `bad_fingerprint`; `oversized`: over 548 bytes; `bad_source`: port 0 or no
 * IP address; `rate_limited`: over STUN_RESPONSES_PER_SECOND for its source; `send_error`.
 */
export const STUN_RESULTS = ['answered', 'not_stun', 'malformed', 'not_binding_request', 'unknown_attribute', 'bad_fingerprint', 'oversized', 'bad_source', 'rate_limited', 'send_error'] as const;
export type StunResult = (typeof STUN_RESULTS)[number];

export interface NodeStats {
  framesIn: number;
  /** Frames written to receivers: one publish to a topic of N subscribers counts N. */
  framesOut: number;
  connectionsAccepted: number;
  readonly framesRejected: Record<RejectReason, number>;
  readonly connectionsRefused: Record<RefuseReason, number>;
  readonly connectionsTerminated: Record<TerminateReason, number>;
  readonly iceRequests: Record<IceResult, number>;
  readonly stunPackets: Record<StunResult, number>;
}

function zeroes<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;
}

export function createStats(): NodeStats {
  return {
    framesIn: 0,
    framesOut: 0,
    connectionsAccepted: 0,
    framesRejected: zeroes(REJECT_REASONS),
    connectionsRefused: zeroes(REFUSE_REASONS),
    connectionsTerminated: zeroes(TERMINATE_REASONS),
    iceRequests: zeroes(ICE_RESULTS),
    stunPackets: zeroes(STUN_RESULTS),
  };
}

export interface LiveGauges {
  connections(): number;
  topics(): number;
}

/** Builds a registry exposing `stats` and the live gauges in Prometheus text format. */
export function createMetricsRegistry(stats: NodeStats, live: LiveGauges, processMetrics: boolean, cluster?: Cluster): Registry {
  const registry = new Registry();
  const counter = (name: string, help: string, read: () => number): void => {
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  };
  const labelledCounter = <K extends string>(name: string, help: string, label: string, values: Record<K, number>): void => {
    new Counter({
      name,
      help,
      labelNames: [label],
      registers: [registry],
      collect() {
        this.reset();
        for (const [key, value] of Object.entries<number>(values)) this.inc({ [label]: key }, value);
      },
    });
  };
  new Gauge({ name: 'parley_connections', help: 'Open WebSocket connections.', registers: [registry], collect() { this.set(live.connections()); } });
  new Gauge({ name: 'parley_topics', help: 'Topics with at least one subscriber.', registers: [registry], collect() { this.set(live.topics()); } });
  counter('parley_connections_accepted_total', 'WebSocket connections accepted.', () => stats.connectionsAccepted);
  counter('parley_frames_in_total', 'Frames received from clients, valid or not.', () => stats.framesIn);
  counter('parley_frames_out_total', 'Frames sent to clients (one per receiver).', () => stats.framesOut);
  labelledCounter('parley_frames_rejected_total', 'Frames dropped, by reason.', 'reason', stats.framesRejected);
  labelledCounter('parley_connections_refused_total', 'Upgrade requests refused before the WebSocket opened, by reason.', 'reason', stats.connectionsRefused);
  labelledCounter('parley_connections_terminated_total', 'Open connections closed by the node, by reason.', 'reason', stats.connectionsTerminated);
  labelledCounter('parley_ice_requests_total', 'Requests to /ice, by result (served, or limited with 429).', 'result', stats.iceRequests);
  labelledCounter('parley_stun_packets_total', 'Datagrams on the STUN port, by result: answered, or the reason it was dropped.', 'result', stats.stunPackets);
  if (cluster !== undefined) {
    new Gauge({ name: 'parley_redis_up', help: 'Whether Redis is reachable (1) or not (0): 0 is the degraded state of /healthz.', registers: [registry], collect() { this.set(cluster.redisUp() ? 1 : 0); } });
    new Gauge({ name: 'parley_node_id_conflict', help: 'Another running node uses this NODE_ID (1): the two drop each other\'s messages; give each node its own.', registers: [registry], collect() { this.set(cluster.nodeIdConflict() ? 1 : 0); } });
    new Gauge({ name: 'parley_redis_channels', help: 'Redis channels subscribed: topics with a subscriber on this node.', registers: [registry], collect() { this.set(cluster.channels()); } });
    counter('parley_redis_reconnects_total', 'Times Redis came back after being unreachable.', () => cluster.reconnects());
    counter('parley_redis_publishes_total', 'Publishes handed to Redis for the other nodes.', () => cluster.stats.publishesSent);
    counter('parley_redis_publishes_lost_total', 'Publishes for other nodes lost: Redis was unreachable, or too many were waiting for it. Clients recover by announcing again.', () => cluster.stats.publishesLost);
    labelledCounter('parley_redis_messages_total', 'Messages from Redis, by result: delivered, count (subscriber counts), own_echo, no_subscribers, or dropped as malformed, over_budget (REDIS_BYTES_PER_SECOND), too_many_nodes.', 'result', cluster.stats.messages);
  }
  if (processMetrics) collectDefaultMetrics({ register: registry, prefix: 'parley_' });
  return registry;
}
