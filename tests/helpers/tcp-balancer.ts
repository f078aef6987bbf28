/**
 * Test helper: a TCP load balancer on 127.0.0.1, in front of several nodes, as nginx's or Caddy's
 * stream proxy with passive health checks: each new connection goes to the preferred upstream,
 * and to the next one when that connect fails (a killed node refuses it). Bytes are piped as they
 * are (HTTP, WebSocket upgrades), so every node is one origin to the browser. A test chooses where
 * new connections go with `prefer`; connections already open stay where they are until either
 * end closes.
 */
import { createConnection, createServer, type Socket } from 'node:net';

export interface TcpBalancer {
  readonly port: number;
  /** http://127.0.0.1:port — the one origin pages load from. */
  readonly url: string;
  /** New connections try upstream `index` first, then the others in order. */
  prefer(index: number): void;
  /** The upstream index each accepted connection was piped to, in order; -1 when none answered. */
  readonly routed: readonly number[];
  /** Connect attempts an upstream refused (a dead node skipped). */
  readonly refused: readonly number[];
  close(): Promise<void>;
}

export async function startTcpBalancer(upstreamPorts: readonly number[]): Promise<TcpBalancer> {
  let preferred = 0;
  const routed: number[] = [];
  const refused: number[] = [];
  const open = new Set<Socket>();
  const track = (socket: Socket): void => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  };

  const pipeTo = (client: Socket, order: readonly number[]): void => {
    const [index, ...rest] = order;
    if (index === undefined || client.destroyed) {
      routed.push(-1);
      client.destroy();
      return;
    }
    const upstream = createConnection({ host: '127.0.0.1', port: upstreamPorts[index] as number });
    track(upstream);
    const failedToConnect = (): void => {
      refused.push(index);
      pipeTo(client, rest);
    };
    upstream.once('error', failedToConnect);
    upstream.once('connect', () => {
      upstream.off('error', failedToConnect);
      routed.push(index);
      // Either end going away takes the other with it: a killed node's sockets close at the browser.
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
      upstream.once('close', () => client.destroy());
      client.once('close', () => upstream.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
    });
  };

  // Paused until an upstream is connected: what the client sent first waits in its buffer.
  const server = createServer({ pauseOnConnect: true }, (client) => {
    track(client);
    const order = upstreamPorts.map((_port, i) => (preferred + i) % upstreamPorts.length);
    pipeTo(client, order);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    prefer(index) {
      if (index < 0 || index >= upstreamPorts.length) throw new Error(`no upstream ${index}`);
      preferred = index;
    },
    routed,
    refused,
    async close() {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
