/**
 * One unmodified y-webrtc client, run as its own child process by y-webrtc-compat.test.ts:
 * `node --import tsx tests/signaling/compat/y-webrtc-peer.ts` with PARLEY_PEER=<PeerConfig JSON>
 * and an IPC channel.
 *
 * Why a process per client: Node 20 has a global BroadcastChannel, and y-webrtc syncs providers of
 * one process over it (lib0/broadcastchannel), with no WebRTC and no signaling involved. Separate
 * processes share no BroadcastChannel, so the only way the two docs can meet is signaling through
 * our node followed by a WebRTC data channel (@roamhq/wrtc). The child also reports `bcConns` so the
 * test can assert that nothing arrived over BroadcastChannel.
 */
import { WebSocket } from 'ws';
import wrtc from '@roamhq/wrtc';
import * as Y from 'yjs';
// Type-only (erased): y-webrtc itself is imported below, once the global WebSocket is in place.
import type { SignalingConn } from 'y-webrtc';
import { ackKey, entryKey, isParentCommand, type PeerConfig, type PeerReport } from './messages.js';

const started = Date.now();
const rawConfig = process.env['PARLEY_PEER'];
if (rawConfig === undefined || typeof process.send !== 'function') {
  console.error('y-webrtc-peer: needs PARLEY_PEER and an IPC channel; it is started by y-webrtc-compat.test.ts');
  process.exit(64);
}
// The parent writes this JSON from a PeerConfig.
const config = JSON.parse(rawConfig) as PeerConfig;

const log = (...parts: unknown[]): void => {
  console.error(`[${config.name} +${Date.now() - started}ms]`, ...parts);
};

const report = (message: PeerReport): void => {
  process.send?.(message);
};

const fail = (error: unknown): void => {
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  log('error:', message);
  report({ type: 'error', name: config.name, message });
  // Let the IPC message go out before exiting.
  setTimeout(() => process.exit(1), 100);
};
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);

// Never outlive the test: exit when the parent goes away or after the configured lifetime.
process.on('disconnect', () => process.exit(3));
setTimeout(() => fail(new Error(`no convergence within ${config.lifetimeMs} ms`)), config.lifetimeMs).unref();

// lib0/websocket (y-webrtc's signaling client) does `new WebSocket(url)` with the global, which
// Node 20 lacks; install `ws` before y-webrtc is loaded (hence the dynamic import below).
Object.assign(globalThis, { WebSocket });
const { WebrtcProvider } = await import('y-webrtc');

const doc = new Y.Doc();
const entries = doc.getMap<string>('entries');
// Written before connecting: travels in sync step 1/2 when the data channel opens.
entries.set(entryKey(config.name), `hello from ${config.name}`);

const provider = new WebrtcProvider(config.room, doc, {
  signaling: [config.signalingUrl],
  // simple-peer takes its RTCPeerConnection implementation from `wrtc`.
  peerOpts: { wrtc },
  ...(config.password === undefined ? {} : { password: config.password }),
});
provider.on('peers', ({ added, removed, webrtcPeers, bcPeers }) => {
  log('peers', { added, removed, webrtcPeers: webrtcPeers.length, bcPeers: bcPeers.length });
});
provider.on('synced', ({ synced }) => log('synced', synced));

let reported = false;
const check = (): void => {
  if (entries.has(entryKey(config.other)) && !entries.has(ackKey(config.name))) {
    // Written after the peers met: travels as a live update over the data channel.
    entries.set(ackKey(config.name), `${config.name} saw ${config.other}`);
  }
  if (reported || !entries.has(ackKey(config.other)) || !entries.has(ackKey(config.name))) return;
  reported = true;
  const room = provider.room;
  const conns = room === null ? [] : [...room.webrtcConns.values()];
  report({
    type: 'converged',
    name: config.name,
    entries: entries.toJSON() as Record<string, string>, // Y.Map<string>.toJSON() holds only strings.
    webrtcConns: conns.length,
    webrtcConnected: conns.filter((conn) => conn.connected).length,
    bcConns: room === null ? 0 : room.bcConns.size,
    elapsedMs: Date.now() - started,
  });
  log('converged', entries.toJSON());
};
entries.observe(check);

process.on('message', (command: unknown) => {
  if (!isParentCommand(command)) return;
  log('exiting');
  // Not provider.destroy(): that closes the RTCPeerConnections, and @roamhq/wrtc 0.10 segfaults
  // in RTCPeerConnection close now and then (measured here: 5 of 160 child exits died of SIGSEGV
  // when closing them first, 0 of 80 when leaving them to the OS; cf. WonderInventions/node-webrtc#35).
  // So: close the signaling WebSocket cleanly (the node sees an orderly close and drops the room),
  // then exit explicitly; wrtc's threads would otherwise keep the process alive.
  // `signalingConns` is typed any[] in y-webrtc's declarations; it holds SignalingConn instances.
  const conns = provider.signalingConns as SignalingConn[];
  const closed = conns.map(
    (conn) =>
      new Promise<void>((resolve) => {
        if (!conn.connected) return resolve();
        conn.on('disconnect', () => resolve());
        conn.disconnect();
      }),
  );
  const deadline = new Promise<void>((resolve) => setTimeout(resolve, 1000));
  void Promise.race([Promise.all(closed), deadline]).then(() => process.exit(0));
});
