/**
 * The pub/sub core: topics, subscriptions, per-connection rate and byte budgets, and fan-out.
 * Knows nothing of HTTP; it is handed open WebSockets by server.ts.
 */
import type { Socket } from 'node:net';
import { WebSocket } from 'ws';
import type { Logger } from './logger.js';
import type { NodeStats, TerminateReason } from './metrics.js';
import { createWriteBatcher, encodeTextFrame, encodeTextFrameAround, writeTextFrame, type TextFrame } from './frame-writer.js';
import { PONG, encodePublishJson, parseClientFrame, publishFrameAround, type FrameLimits, type RejectReason } from './protocol.js';

export interface RelayLimits extends FrameLimits {
  readonly maxSubscribersPerTopic: number;
  readonly rateLimitPerSecond: number;
  readonly rateLimitBurst: number;
  readonly deliveredBytesPerSecond: number;
  readonly deliveredBytesBurst: number;
  readonly maxBufferedBytes: number;
}

/**
 * The other nodes sharing this node's topics (cluster.ts, over Redis); `SINGLE_NODE` when alone.
 * Publishes here are delivered here first, then handed over for the others.
 */
export interface TopicBridge {
  /** Subscribers of `topic` on the other nodes. */
  remoteCount(topic: string): number;
  /** This node's subscriber count of `topic` changed; 0 means it has none left. */
  localCountChanged(topic: string, count: number): void;
  /** A publish from a local client (`dataJson` is its data, serialised), for the other nodes' subscribers. */
  publish(topic: string, dataJson: string, localCount: number): void;
}

export const SINGLE_NODE: TopicBridge = { remoteCount: () => 0, localCountChanged: () => undefined, publish: () => undefined };

/** A monotonic clock in milliseconds; tests inject one to move time by hand. */
export type Clock = () => number;

export interface Relay {
  /** Takes ownership of an open socket created by a WebSocketServer with `{ WebSocket: PeerSocket }`, and its TCP socket. */
  accept(socket: PeerSocket, tcp: Socket): void;
  connectionCount(): number;
  topicCount(): number;
  /** A publish from another node (`data`: one JSON value, as UTF-8): delivered to this node's subscribers of `topic`; returns how many. */
  deliverRemote(topic: string, data: Buffer): number;
  /** One heartbeat round: terminates connections that missed the last ping, pings the rest. */
  heartbeat(): void;
  /** Closes every connection with `code`; resolves once all have closed or `graceMs` passed. */
  closeAll(code: number, reason: string, graceMs: number): Promise<void>;
}

/**
 * A WebSocket carrying the relay's per-connection state in its own fields, so an idle
 * connection costs no extra object, map entry or closure (thousands of idle ones are normal).
 */
export class PeerSocket extends WebSocket {
  readonly topics = new Set<string>();
  /** Answered the last heartbeat ping, or sent something since. */
  alive = true;
  /** Frame token bucket: frames this connection may still send now. */
  tokens = Number.POSITIVE_INFINITY;
  /**
   * Delivered-bytes token bucket: what it may still publish, counted as frame bytes × receivers,
   * since one frame to a full room costs the node hundreds of times its size in output.
   */
  byteTokens = Number.POSITIVE_INFINITY;
  /** When (clock ms) both buckets were last refilled; they refill together. */
  refilledAt = 0;
  /** The TCP socket under this WebSocket, written to directly by the fan-out; set by accept(). */
  tcp!: Socket;
}

/** ws error codes for frames it refuses before we see them; the connection is closed by ws. */
const WS_ERROR_REASONS: Readonly<Record<string, RejectReason>> = {
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: 'oversized',
  WS_ERR_INVALID_UTF8: 'invalid_utf8',
};

const PONG_FRAME = encodeTextFrame(PONG);

export function createRelay(limits: RelayLimits, stats: NodeStats, log: Logger, now: Clock = () => performance.now(), bridge: TopicBridge = SINGLE_NODE): Relay {
  const topics = new Map<string, Set<PeerSocket>>();
  const connections = new Set<PeerSocket>();
  const framesPerMs = limits.rateLimitPerSecond / 1000;
  const bytesPerMs = limits.deliveredBytesPerSecond / 1000;
  const corkForThisTurn = createWriteBatcher();

  const rejectFrame = (reason: RejectReason): void => {
    stats.framesRejected[reason]++;
  };

  const terminate = (conn: PeerSocket, reason: TerminateReason): void => {
    stats.connectionsTerminated[reason]++;
    log.debug('connection terminated', { reason });
    conn.terminate();
  };

  /**
   * Refills both buckets for the time since the last frame, then takes one frame token. Frames
   * refill at rateLimitPerSecond up to rateLimitBurst; delivered bytes at deliveredBytesPerSecond
   * up to deliveredBytesBurst.
   */
  const takeFrameToken = (conn: PeerSocket): boolean => {
    const at = now();
    const elapsed = at - conn.refilledAt;
    conn.refilledAt = at;
    conn.tokens = Math.min(limits.rateLimitBurst, conn.tokens + elapsed * framesPerMs);
    conn.byteTokens = Math.min(limits.deliveredBytesBurst, conn.byteTokens + elapsed * bytesPerMs);
    if (conn.tokens < 1) return false;
    conn.tokens -= 1;
    return true;
  };

  const send = (conn: PeerSocket, frame: TextFrame): boolean => {
    if (conn.readyState !== WebSocket.OPEN) return false;
    // Judged on the first write of a turn, when what is still buffered is what the kernel would not
    // take in earlier turns (corking does not change it). Later in the turn it also counts this
    // turn's frames, which leave together at its end: a fast receiver of a busy room would be cut
    // off for no fault of its own. A socket terminated while corked is uncorked harmlessly.
    if (corkForThisTurn(conn.tcp) && conn.bufferedAmount > limits.maxBufferedBytes) {
      terminate(conn, 'slow_consumer');
      return false;
    }
    writeTextFrame(conn, conn.tcp, frame);
    return true;
  };

  const subscribe = (conn: PeerSocket, topicNames: readonly string[]): void => {
    for (const name of topicNames) {
      if (conn.topics.has(name)) continue;
      if (conn.topics.size >= limits.maxTopicsPerConnection) {
        rejectFrame('too_many_topics');
        return;
      }
      let subscribers = topics.get(name);
      if (subscribers === undefined) {
        subscribers = new Set();
        topics.set(name, subscribers);
      } else if (subscribers.size + bridge.remoteCount(name) >= limits.maxSubscribersPerTopic) {
        // Counted across nodes: a room is as full behind a load balancer as on one node (a node
        // with no member of it yet knows no count, so a full room may take one more per node).
        rejectFrame('topic_full');
        continue;
      }
      subscribers.add(conn);
      conn.topics.add(name);
      bridge.localCountChanged(name, subscribers.size);
    }
  };

  const unsubscribe = (conn: PeerSocket, topicNames: Iterable<string>): void => {
    for (const name of topicNames) {
      if (!conn.topics.delete(name)) continue;
      const subscribers = topics.get(name);
      if (subscribers === undefined) continue;
      subscribers.delete(conn);
      if (subscribers.size === 0) topics.delete(name);
      bridge.localCountChanged(name, subscribers.size);
    }
  };

  const publish = (conn: PeerSocket, topic: string, data: unknown, frameBytes: number): void => {
    // Only subscribers may publish, so a stranger cannot inject into a room it has not joined.
    const receivers = conn.topics.has(topic) ? topics.get(topic) : undefined;
    if (receivers === undefined) {
      rejectFrame('not_subscribed');
      return;
    }
    // Charged at the size received (the relayed frame is a few bytes longer), before it is framed
    // and sent, for every receiver on every node.
    const clients = receivers.size + bridge.remoteCount(topic);
    const cost = frameBytes * clients;
    if (conn.byteTokens < cost) {
      rejectFrame('byte_budget');
      return;
    }
    conn.byteTokens -= cost;
    // Serialise once for all receivers (the reference server re-serialises per receiver).
    const dataJson = JSON.stringify(data);
    fanOut(receivers, encodeTextFrame(encodePublishJson(topic, dataJson, clients)));
    bridge.publish(topic, dataJson, receivers.size);
  };

  const fanOut = (receivers: ReadonlySet<PeerSocket>, frame: TextFrame): number => {
    let delivered = 0;
    for (const receiver of receivers) if (send(receiver, frame)) delivered++;
    stats.framesOut += delivered;
    return delivered;
  };

  const handleFrame = (conn: PeerSocket, data: Buffer, isBinary: boolean): void => {
    stats.framesIn++;
    conn.alive = true;
    if (!takeFrameToken(conn)) {
      rejectFrame('rate_limited');
      return;
    }
    const parsed = parseClientFrame(data, isBinary, limits);
    if (!parsed.ok) {
      rejectFrame(parsed.reason);
      return;
    }
    const message = parsed.message;
    switch (message.type) {
      case 'publish':
        publish(conn, message.topic, message.data, data.length);
        break;
      case 'subscribe':
        subscribe(conn, message.topics);
        break;
      case 'unsubscribe':
        unsubscribe(conn, message.topics);
        break;
      case 'ping':
        if (send(conn, PONG_FRAME)) stats.framesOut++;
        break;
    }
  };

  // Shared listeners (`this` is the socket) rather than closures per connection: less memory per idle client.
  // ws types `this` as WebSocket; these listeners are only ever attached to PeerSockets by accept().
  function onMessage(this: WebSocket, data: Buffer, isBinary: boolean): void {
    try {
      handleFrame(this as PeerSocket, data, isBinary);
    } catch (error: unknown) {
      // Parsing cannot throw; this guards the relay against a bug taking the process down.
      rejectFrame('protocol_error');
      log.error('frame handler failed', { error: error instanceof Error ? error.message : String(error) });
    }
  }
  function onPong(this: WebSocket): void {
    (this as PeerSocket).alive = true;
  }
  function onError(this: WebSocket, error: Error & { code?: string }): void {
    rejectFrame(WS_ERROR_REASONS[error.code ?? ''] ?? 'protocol_error');
  }
  function onClose(this: WebSocket): void {
    const conn = this as PeerSocket;
    if (!connections.delete(conn)) return;
    unsubscribe(conn, [...conn.topics]);
  }

  return {
    accept(socket, tcp) {
      socket.tcp = tcp;
      socket.tokens = limits.rateLimitBurst;
      socket.byteTokens = limits.deliveredBytesBurst;
      socket.refilledAt = now();
      connections.add(socket);
      stats.connectionsAccepted++;
      socket.on('message', onMessage);
      socket.on('pong', onPong);
      socket.on('error', onError);
      socket.on('close', onClose);
    },
    deliverRemote(topic, data) {
      const receivers = topics.get(topic);
      if (receivers === undefined) return 0;
      // The data's bytes go into the frame as they came: no string is made of them.
      const [before, after] = publishFrameAround(topic, receivers.size + bridge.remoteCount(topic));
      return fanOut(receivers, encodeTextFrameAround(before, data, after));
    },
    connectionCount: () => connections.size,
    topicCount: () => topics.size,
    heartbeat() {
      for (const conn of connections) {
        if (!conn.alive) {
          terminate(conn, 'heartbeat');
          continue;
        }
        conn.alive = false;
        conn.ping();
      }
    },
    closeAll(code, reason, graceMs) {
      if (connections.size === 0) return Promise.resolve();
      return new Promise((resolve) => {
        const pending = new Set(connections);
        const timer = setTimeout(() => {
          for (const socket of pending) terminate(socket, 'shutdown');
          resolve();
        }, graceMs);
        for (const socket of pending) {
          socket.once('close', () => {
            pending.delete(socket);
            if (pending.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          });
          socket.close(code, reason);
        }
      });
    },
  };
}
