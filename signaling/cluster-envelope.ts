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
import { isUtf8 } from 'node:buffer';
import { NODE_ID } from './config.js';
import { isJsonValue } from './json-check.js';

/** Channels are `parley:1:t:<topic>`; the 1 changes when this format does, so versions never mix. */
export const CHANNEL_PREFIX = 'parley:1:t:';
/** Liveness keys `parley:1:node:<node id>`, refreshed while the node runs, expire when it dies. */
export const NODE_KEY_PREFIX = 'parley:1:node:';
/** More subscribers than any node admits (MAX_CONNECTIONS is ~10k in practice); bounds a forged count. */
export const MAX_COUNT = 1_000_000;

export type Envelope =
  | { readonly kind: 'publish'; readonly node: string; readonly count: number; readonly data: Buffer }
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

const BAR = 0x7c;
/** The longest header: a kind, a 64-character node id, a 7-digit count and three bars. */
const MAX_HEADER_BYTES = 1 + 1 + 64 + 1 + 7 + 1;

/** Reads a count: 0, or up to 7 digits without a leading zero; -1 if it is not one. */
function readCount(bytes: Buffer, start: number, end: number): number {
  const length = end - start;
  if (length < 1 || length > 7 || (length > 1 && bytes[start] === 0x30)) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = (bytes[i] as number) - 0x30;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * Parses one channel message as the bytes Redis delivered; `maxDataBytes` bounds the relayed data
 * (the node's MAX_FRAME_BYTES). The data of a publish is proven to be UTF-8 and exactly one JSON
 * value, and is then relayed as these same bytes. Never throws.
 */
export function parseEnvelope(message: Buffer, maxDataBytes: number): Envelope | null {
  if (message.length < 6 || message.length > maxDataBytes + MAX_HEADER_BYTES || message[1] !== BAR) return null;
  const kind = message[0];
  const nodeEnd = message.indexOf(BAR, 2);
  if (nodeEnd === -1 || nodeEnd > 2 + 64) return null;
  const node = message.toString('latin1', 2, nodeEnd);
  if (!NODE_ID.test(node)) return null;
  const countEnd = message.indexOf(BAR, nodeEnd + 1);
  if (countEnd === -1) return null;
  const count = readCount(message, nodeEnd + 1, countEnd);
  if (count < 0 || count > MAX_COUNT) return null;
  const dataStart = countEnd + 1;
  if (kind === 0x63 || kind === 0x61) return dataStart === message.length ? { kind: 'count', node, count, ask: kind === 0x61 } : null;
  const data = message.subarray(dataStart);
  if (kind !== 0x70 || data.length === 0 || data.length > maxDataBytes || !isUtf8(data) || !isJsonValue(data)) return null;
  return { kind: 'publish', node, count, data };
}
