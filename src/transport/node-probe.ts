/**
 * Checks that the signaling node answers: opens /signal, sends a y-webrtc `ping`, waits for `pong`.
 * Resolves with the round trip in milliseconds, or rejects with a reason a person can read.
 */
export function probeSignalingNode(url: string, timeoutMs = 5000): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const started = performance.now();
    const finish = (outcome: () => void): void => {
      clearTimeout(timer);
      socket.close();
      outcome();
    };
    const timer = setTimeout(() => finish(() => reject(new Error('no answer from the signaling node'))), timeoutMs);
    socket.addEventListener('open', () => socket.send(JSON.stringify({ type: 'ping' })));
    socket.addEventListener('message', (event: MessageEvent<unknown>) => {
      if (typeof event.data === 'string' && event.data.includes('"pong"')) finish(() => resolve(performance.now() - started));
    });
    socket.addEventListener('error', () => finish(() => reject(new Error('cannot reach the signaling node'))));
  });
}
