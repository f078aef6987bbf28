import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSignalingClient, type SocketLike } from '../../src/transport/signaling-client.js';

/** A socket that records what is sent and answers only when told (a network that vanished answers nothing). */
class QuietSocket implements SocketLike {
  readyState = 1;
  readonly sent: string[] = [];
  closed = false;
  onopen: ((event: unknown) => void) | null = null;
  onclose: ((event: unknown) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  send(data: string): void {
    this.sent.push(data);
  }
  close(): void {
    this.closed = true;
    this.readyState = 3;
  }
}

afterEach(() => void vi.useRealTimers());

function client() {
  const sockets: QuietSocket[] = [];
  const signaling = createSignalingClient({
    url: 'ws://node.example/signal',
    topic: 't',
    signalKey: new Uint8Array(32),
    createSocket: () => {
      const socket = new QuietSocket();
      sockets.push(socket);
      return socket;
    },
    onPayload: () => undefined,
    onStatus: () => undefined,
    onDrop: () => undefined,
  });
  return { signaling, sockets };
}

describe('checking the signaling socket after a network change', () => {
  it('replaces a socket that no longer hears the node, at once rather than after the 40 s silence limit', () => {
    vi.useFakeTimers();
    const { signaling, sockets } = client();
    expect(sockets).toHaveLength(1);
    signaling.probe();
    expect(sockets[0]?.sent.at(-1)).toBe('{"type":"ping"}');
    vi.advanceTimersByTime(1199);
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sockets[0]?.closed).toBe(true);
    expect(sockets).toHaveLength(2);
    // The new socket subscribes again.
    expect(sockets[1]?.sent[0]).toContain('"subscribe"');
    signaling.close();
  });

  it('keeps a socket that answers', () => {
    vi.useFakeTimers();
    const { signaling, sockets } = client();
    signaling.probe();
    vi.advanceTimersByTime(100);
    sockets[0]?.onmessage?.({ data: '{"type":"pong"}' });
    vi.advanceTimersByTime(5000);
    expect(sockets).toHaveLength(1);
    expect(sockets[0]?.closed).toBe(false);
    signaling.close();
  });
});
