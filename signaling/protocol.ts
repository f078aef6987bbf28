/**
 * The y-webrtc signaling protocol as this node accepts it. Every inbound frame goes
 * through `parseClientFrame`, which returns a typed message or the reason it was dropped.
 */

export type ClientMessage =
  | { readonly type: 'subscribe'; readonly topics: readonly string[] }
  | { readonly type: 'unsubscribe'; readonly topics: readonly string[] }
  | { readonly type: 'publish'; readonly topic: string; readonly data: unknown }
  | { readonly type: 'ping' };

/** Why a frame or connection was refused; each is a label of a /metrics counter. */
export const REJECT_REASONS = [
  'binary',
  'invalid_json',
  'not_object',
  'unknown_type',
  'bad_field',
  'topic_too_long',
  'too_many_topics',
  'topic_full',
  'not_subscribed',
  'rate_limited',
  'byte_budget',
  'oversized',
  'invalid_utf8',
  'protocol_error',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export type ParseResult =
  | { readonly ok: true; readonly message: ClientMessage }
  | { readonly ok: false; readonly reason: RejectReason };

export interface FrameLimits {
  readonly maxTopicLength: number;
  readonly maxTopicsPerConnection: number;
}

const reject = (reason: RejectReason): ParseResult => ({ ok: false, reason });

function parseTopicList(value: unknown, limits: FrameLimits): readonly string[] | RejectReason {
  if (!Array.isArray(value)) return 'bad_field';
  if (value.length > limits.maxTopicsPerConnection) return 'too_many_topics';
  for (const topic of value) {
    const reason = checkTopic(topic, limits);
    if (reason) return reason;
  }
  return value as string[];
}

function checkTopic(topic: unknown, limits: FrameLimits): RejectReason | null {
  if (typeof topic !== 'string' || topic.length === 0) return 'bad_field';
  if (topic.length > limits.maxTopicLength) return 'topic_too_long';
  return null;
}

/** Parses one WebSocket frame. Never throws. */
export function parseClientFrame(frame: Buffer | string, isBinary: boolean, limits: FrameLimits): ParseResult {
  if (isBinary) return reject('binary');
  let value: unknown;
  try {
    value = JSON.parse(typeof frame === 'string' ? frame : frame.toString('utf8'));
  } catch {
    return reject('invalid_json');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return reject('not_object');
  const fields = value as Record<string, unknown>;
  switch (fields['type']) {
    case 'publish': {
      const topic = fields['topic'];
      const topicProblem = checkTopic(topic, limits);
      if (topicProblem) return reject(topicProblem);
      if (fields['data'] === undefined) return reject('bad_field');
      return { ok: true, message: { type: 'publish', topic: topic as string, data: fields['data'] } };
    }
    case 'subscribe':
    case 'unsubscribe': {
      // y-webrtc always sends `topics`; a missing list is treated as empty, like the reference server.
      const topics = fields['topics'] === undefined ? [] : parseTopicList(fields['topics'], limits);
      if (typeof topics === 'string') return reject(topics);
      return { ok: true, message: { type: fields['type'], topics } };
    }
    case 'ping':
      return { ok: true, message: { type: 'ping' } };
    default:
      return reject(typeof fields['type'] === 'string' ? 'unknown_type' : 'bad_field');
  }
}

/** Serialises a relayed publish once, for every receiver. `clients` is the topic's subscriber count on every node. */
export function encodePublish(topic: string, data: unknown, clients: number): string {
  return encodePublishJson(topic, JSON.stringify(data), clients);
}

/**
 * The same from data already serialised (or, from another node, text proven to be one JSON
 * value): byte for byte what JSON.stringify({ type, topic, data, clients }) gives.
 */
export function encodePublishJson(topic: string, dataJson: string, clients: number): string {
  const [before, after] = publishFrameAround(topic, clients);
  return before + dataJson + after;
}

/** What goes before and after the data in a relayed publish. */
export function publishFrameAround(topic: string, clients: number): readonly [string, string] {
  return [`{"type":"publish","topic":${JSON.stringify(topic)},"data":`, `,"clients":${clients}}`];
}

export const PONG: string = JSON.stringify({ type: 'pong' });
