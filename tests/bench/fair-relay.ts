/**
 * The "fair relay" anchor of the signaling benchmark: y-webrtc's protocol done plainly, as a careful
 * relay on `ws` would do it. Unlike y-webrtc's bin/server.js it serialises each publish once (to a
 * Buffer) and only then hands it to `ws.send` for every receiver, which frames it and writes it to
 * that receiver's socket. No limits of any kind. Against it, the Parley node's margin is what its
 * own fan-out path buys (one complete frame for all receivers, one batched writev per receiver and
 * event-loop turn), with every limit and budget of the node on.
 * Run as its own process: PORT=8788 node --import tsx tests/bench/fair-relay.ts
 */
import { WebSocketServer, type WebSocket } from 'ws';

const topics = new Map<string, Set<WebSocket>>();
const PONG = Buffer.from(JSON.stringify({ type: 'pong' }));

function parse(raw: Buffer): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(raw.toString());
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const topicList = (value: unknown): string[] => (Array.isArray(value) ? value.filter((topic): topic is string => typeof topic === 'string') : []);

const wss = new WebSocketServer({ port: Number(process.env['PORT'] ?? 0), host: '127.0.0.1', perMessageDeflate: false, clientTracking: false });
wss.on('connection', (ws) => {
  const subscribed = new Set<string>();
  ws.on('message', (raw: Buffer, isBinary: boolean) => {
    const message = isBinary ? null : parse(raw);
    switch (message?.['type']) {
      case 'subscribe':
        for (const topic of topicList(message['topics'])) {
          let receivers = topics.get(topic);
          if (receivers === undefined) topics.set(topic, (receivers = new Set()));
          receivers.add(ws);
          subscribed.add(topic);
        }
        break;
      case 'unsubscribe':
        for (const topic of topicList(message['topics'])) {
          topics.get(topic)?.delete(ws);
          subscribed.delete(topic);
        }
        break;
      case 'publish': {
        const receivers = typeof message['topic'] === 'string' ? topics.get(message['topic']) : undefined;
        if (receivers === undefined) break;
        const frame = Buffer.from(JSON.stringify({ type: 'publish', topic: message['topic'], data: message['data'], clients: receivers.size }));
        for (const receiver of receivers) receiver.send(frame, { binary: false });
        break;
      }
      case 'ping':
        ws.send(PONG, { binary: false });
        break;
    }
  });
  ws.on('close', () => {
    for (const topic of subscribed) {
      const receivers = topics.get(topic);
      receivers?.delete(ws);
      if (receivers?.size === 0) topics.delete(topic);
    }
  });
});
process.once('SIGTERM', () => wss.close(() => process.exit(0)));
