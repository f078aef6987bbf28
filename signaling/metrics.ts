/**
 * Counters of the node. The hot path bumps plain numbers in `NodeStats`; prom-client
 * reads them only when /metrics is scraped, so relaying a frame costs no metric bookkeeping.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { REJECT_REASONS, type RejectReason } from './protocol.js';

export const REFUSE_REASONS = ['bad_path', 'origin', 'ip_limit', 'capacity', 'handshake', 'shutting_down'] as const;
export type RefuseReason = (typeof REFUSE_REASONS)[number];

export const TERMINATE_REASONS = ['heartbeat', 'slow_consumer', 'shutdown'] as const;
export type TerminateReason = (typeof TERMINATE_REASONS)[number];

export interface NodeStats {
  framesIn: number;
  /** Frames written to receivers: one publish to a topic of N subscribers counts N. */
  framesOut: number;
  connectionsAccepted: number;
  readonly framesRejected: Record<RejectReason, number>;
  readonly connectionsRefused: Record<RefuseReason, number>;
  readonly connectionsTerminated: Record<TerminateReason, number>;
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
  };
}

export interface LiveGauges {
  connections(): number;
  topics(): number;
}

/** Builds a registry exposing `stats` and the live gauges in Prometheus text format. */
export function createMetricsRegistry(stats: NodeStats, live: LiveGauges, processMetrics: boolean): Registry {
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
  if (processMetrics) collectDefaultMetrics({ register: registry, prefix: 'parley_' });
  return registry;
}
