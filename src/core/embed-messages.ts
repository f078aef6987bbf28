/**
 * The postMessage protocol between a host page's loader (embed.js) and the embedded room. Small on
 * purpose: the frame says it is ready, how many messages the visitor has not seen, and that the
 * visitor closed it; the host says whether the panel is open. Every event is accepted only from
 * the expected window and origin, and parsed into one of these values or dropped. Plain TS, no DOM.
 */
import { hasExactFields, isPlainObject } from './strict-json.js';

export const EMBED_PROTOCOL = 'parley-embed';
export const EMBED_PROTOCOL_VERSION = 1;
/** More unread messages than this show as this many ("99+"): a count, not a channel for data. */
export const MAX_UNREAD = 999;

/** From the embedded room to the host page. */
export type WidgetMessage = { type: 'ready' } | { type: 'unread'; count: number } | { type: 'close' };
/** From the host page to the embedded room. */
export type HostMessage = { type: 'open' } | { type: 'close' };

type Wire<M> = M & { protocol: typeof EMBED_PROTOCOL; v: typeof EMBED_PROTOCOL_VERSION };

/** The message as sent: the protocol's name and version around it. */
export function wrap<M extends WidgetMessage | HostMessage>(message: M): Wire<M> {
  return { protocol: EMBED_PROTOCOL, v: EMBED_PROTOCOL_VERSION, ...message };
}

const BASE = ['protocol', 'v', 'type'] as const;

function envelope(data: unknown): Record<string, unknown> | null {
  if (!isPlainObject(data) || data['protocol'] !== EMBED_PROTOCOL || data['v'] !== EMBED_PROTOCOL_VERSION) return null;
  return typeof data['type'] === 'string' ? data : null;
}

/** What the host page's loader accepts from the frame. */
export function parseWidgetMessage(data: unknown): WidgetMessage | null {
  const message = envelope(data);
  if (message === null) return null;
  switch (message['type']) {
    case 'ready':
    case 'close':
      return hasExactFields(message, BASE) ? { type: message['type'] } : null;
    case 'unread': {
      const count = message['count'];
      if (!hasExactFields(message, [...BASE, 'count']) || typeof count !== 'number' || !Number.isInteger(count) || count < 0 || count > MAX_UNREAD) return null;
      return { type: 'unread', count };
    }
    default:
      return null;
  }
}

/** What the frame accepts from the host page. */
export function parseHostMessage(data: unknown): HostMessage | null {
  const message = envelope(data);
  if (message === null || !hasExactFields(message, BASE)) return null;
  return message['type'] === 'open' || message['type'] === 'close' ? { type: message['type'] } : null;
}

/** The parts of a MessageEvent this protocol looks at. */
export interface ReceivedEvent {
  readonly origin: string;
  readonly source: unknown;
  readonly data: unknown;
}

/**
 * The event's message if it came from `expectedSource` (the other window) at `expectedOrigin`, else
 * null: another frame, another tab, or the same window at another origin (after it navigated) is dropped.
 */
export function receive<M>(event: ReceivedEvent, expectedOrigin: string, expectedSource: unknown, parse: (data: unknown) => M | null): M | null {
  if (event.origin !== expectedOrigin || expectedSource === null || expectedSource === undefined || event.source !== expectedSource) return null;
  return parse(event.data);
}
