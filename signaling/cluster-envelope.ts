/**
 * What nodes say to each other through Redis, one message per topic channel. Text, so it can be
 * read with redis-cli MONITOR:
 *
 *   p|<node>|<count>|<data JSON>   a client's publish; <count> is the sender node's subscribers
 *   c|<node>|<count>|              the sender node's subscriber count of this topic changed
 *   a|<node>|<count>|              the same, from a node that just subscribed: others answer with c
 *
 * Anything else in a channel (another program, an older node, an attacker who reached Redis) is
 * parsed into one of these or dropped and counted; it is never relayed as it came.
 */
import { NODE_ID } from './config.js';

/** Channels are `parley:1:t:<topic>`; the 1 changes when this format does, so versions never mix. */
export const CHANNEL_PREFIX = 'parley:1:t:';
/** Liveness keys `parley:1:node:<node id>`, refreshed while the node runs, expire when it dies. */
export const NODE_KEY_PREFIX = 'parley:1:node:';
/** More subscribers than any node admits (MAX_CONNECTIONS is ~10k in practice); bounds a forged count. */
export const MAX_COUNT = 1_000_000;

export type Envelope =
  | { readonly kind: 'publish'; readonly node: string; readonly count: number; readonly dataJson: string }
  | { readonly kind: 'count'; readonly node: string; readonly count: number; readonly ask: boolean };

export const channelOf = (topic: string): string => CHANNEL_PREFIX + topic;

/** The topic of a channel name, or null if it is not one of ours or too long to be a topic. */
export function topicOf(channel: string, maxTopicLength: number): string | null {
  if (!channel.startsWith(CHANNEL_PREFIX)) return null;
  const topic = channel.slice(CHANNEL_PREFIX.length);
  return topic.length === 0 || topic.length > maxTopicLength ? null : topic;
}

export const encodePublishEnvelope = (node: string, count: number, dataJson: string): string => `p|${node}|${count}|${dataJson}`;
export const encodeCountEnvelope = (node: string, count: number, ask: boolean): string => `${ask ? 'a' : 'c'}|${node}|${count}|`;

const COUNT_TEXT = /^(0|[1-9]\d{0,6})$/;

/** Parses one channel message; `maxDataBytes` bounds the relayed data (the node's MAX_FRAME_BYTES). Never throws. */
export function parseEnvelope(message: string, maxDataBytes: number): Envelope | null {
  if (message.length < 6 || message.length > maxDataBytes + 96 || message[1] !== '|') return null;
  const kind = message[0];
  const nodeEnd = message.indexOf('|', 2);
  if (nodeEnd === -1) return null;
  const node = message.slice(2, nodeEnd);
  if (!NODE_ID.test(node)) return null;
  const countEnd = message.indexOf('|', nodeEnd + 1);
  if (countEnd === -1) return null;
  const countText = message.slice(nodeEnd + 1, countEnd);
  if (!COUNT_TEXT.test(countText)) return null;
  const count = Number(countText);
  if (count > MAX_COUNT) return null;
  const rest = message.slice(countEnd + 1);
  if (kind === 'c' || kind === 'a') return rest.length === 0 ? { kind: 'count', node, count, ask: kind === 'a' } : null;
  if (kind !== 'p' || rest.length === 0 || rest.length > maxDataBytes) return null;
  // Parsed only to prove it is one JSON value: the text itself is spliced into the relayed frame.
  try {
    if (JSON.parse(rest) === undefined) return null;
  } catch {
    return null;
  }
  return { kind: 'publish', node, count, dataJson: rest };
}
