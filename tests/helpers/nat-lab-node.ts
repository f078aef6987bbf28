/**
 * The signaling node in the NAT lab: signaling/main.ts run from source (tsx) in inet on
 * http://203.0.113.1:8787, its own STUN responder on 203.0.113.1:3478/udp. Pass STATIC_DIR (e.g.
 * dist/client) to serve the app, TURN_URLS and TURN_SECRET (see startLabCoturn) to hand out TURN.
 */
import { fileURLToPath } from 'node:url';
import { LAB_ADDRESSES, LAB_PORTS, type LabProcess, type NatLab } from './nat-lab.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface LabNode {
  /** http://203.0.113.1:8787 (no trailing slash): one of LAB_ORIGINS, so a secure context in the lab's Chromiums. */
  readonly url: string;
  readonly process: LabProcess;
  stop(): Promise<void>;
}

/** Starts the node in inet with these environment variables over the lab's defaults; waits until it listens. */
export async function startLabNode(lab: NatLab, env: Readonly<Record<string, string>> = {}): Promise<LabNode> {
  const node = lab.spawn('inet', process.execPath, ['--import', 'tsx', 'signaling/main.ts'], {
    cwd: ROOT,
    env: {
      HOST: LAB_ADDRESSES.node,
      PORT: String(LAB_PORTS.node),
      // Only on the node's address: coturn holds the same port on 203.0.113.2.
      STUN_HOST: LAB_ADDRESSES.node,
      STUN_PORT: String(LAB_PORTS.turn),
      LOG_LEVEL: 'info',
      ...env,
    },
  });
  await node.waitForOutput(/"msg":"listening"/, 20_000);
  return { url: `http://${LAB_ADDRESSES.node}:${LAB_PORTS.node}`, process: node, stop: () => node.stop() };
}
