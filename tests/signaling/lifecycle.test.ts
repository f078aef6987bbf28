import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { TestClient, metric, startNode, until, wsUrl } from '../helpers/node.js';

describe('heartbeat and shutdown', () => {
  it('terminates a client that stops answering pings, and keeps one that answers', async () => {
    // Long enough that a busy test machine still answers pings in time, short enough to keep the test quick.
    const node = await startNode({ heartbeatMs: 300 });
    try {
      const silent = await TestClient.connect(wsUrl(node), { autoPong: false });
      const lively = await TestClient.connect(wsUrl(node));
      silent.subscribe('room');
      lively.subscribe('room');
      await Promise.all([silent.roundTrip(), lively.roundTrip()]);
      const { code } = await silent.closed;
      expect(code).toBe(1006); // terminated: the TCP connection is cut without a close frame
      expect(await metric(node, 'parley_connections_terminated_total{reason="heartbeat"}')).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 1000)); // three more heartbeat rounds
      lively.publish('room', 'still here');
      expect((await lively.waitFor((frame) => frame.type === 'publish')).clients).toBe(1);
      lively.close();
    } finally {
      await node.close();
    }
  });

  it('on SIGTERM closes every WebSocket with 1001 (going away) and exits 0', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'signaling/main.ts', '--port', '0', '--host', '127.0.0.1', '--stun-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const lines = createInterface({ input: child.stdout });
      let port = 0;
      const logs: Array<Record<string, unknown>> = [];
      lines.on('line', (line) => logs.push(JSON.parse(line) as Record<string, unknown>));
      await until(() => logs.some((entry) => entry['msg'] === 'listening'), 20_000, 'the node to listen');
      port = Number(logs.find((entry) => entry['msg'] === 'listening')?.['port']);
      const client = await TestClient.connect(`ws://127.0.0.1:${port}/signal`);
      client.subscribe('room');
      await client.roundTrip();
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect((await client.closed).code).toBe(1001);
      expect(await exited).toBe(0);
      expect(logs.map((entry) => entry['msg'])).toEqual(['listening', 'shutting down', 'closed']);
      expect(logs.every((entry) => typeof entry['time'] === 'string' && typeof entry['level'] === 'string')).toBe(true);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('refuses to start on an invalid option, naming it', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'signaling/main.ts', '--max-frame-bytes', 'lots'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
    expect(code).toBe(2);
    expect(stderr).toContain('MAX_FRAME_BYTES (--max-frame-bytes) must be a whole number');
  });
});
