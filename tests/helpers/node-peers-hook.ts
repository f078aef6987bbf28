/** A test file's signaling node and Node peers, torn down after each test: every peer destroyed, the last node started closed. */
import { afterEach } from 'vitest';
import type { SignalingServer, SignalingServerOptions } from '../../signaling/server.js';
import type { NodePeer } from './node-peer.js';
import { startNode } from './node.js';

export interface NodePeersHook {
  /** Peers to destroy after the test. */
  readonly peers: NodePeer[];
  /** Starts a node (on 127.0.0.1) that is closed after the test; closing it earlier is allowed. */
  startNode(options?: SignalingServerOptions): Promise<SignalingServer>;
}

export function useNodePeers(): NodePeersHook {
  const peers: NodePeer[] = [];
  let node: SignalingServer | undefined;
  afterEach(async () => {
    for (const peer of peers.splice(0)) peer.destroy();
    await node?.close();
    node = undefined;
  });
  return {
    peers,
    async startNode(options) {
      node = await startNode(options);
      return node;
    },
  };
}
