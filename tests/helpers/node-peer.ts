/** A Parley peer in Node: Y.Doc + awareness + our room provider, WebRTC through @roamhq/wrtc. */
import wrtc from '@roamhq/wrtc';
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import { Awareness } from 'y-protocols/awareness';
import { deriveRoomKeys } from '../../src/crypto/keys.js';
import type { SocketLike } from '../../src/transport/signaling-client.js';
import { createPeerFactory } from '../../src/transport/simple-peer-factory.js';
import { createRoomProvider, type ProviderStatus, type RoomProvider } from '../../src/transport/room-provider.js';

export interface NodePeer {
  readonly doc: Y.Doc;
  readonly awareness: Awareness;
  readonly provider: RoomProvider;
  readonly drops: string[];
  status(): ProviderStatus;
  destroy(): void;
}

export function createNodePeer(signalingUrl: string, secret: Uint8Array, options: { doc?: Y.Doc; maxConnections?: number; adminKey?: Uint8Array } = {}): NodePeer {
  const keys = deriveRoomKeys(secret, options.adminKey);
  const doc = options.doc ?? new Y.Doc();
  const awareness = new Awareness(doc);
  const drops: string[] = [];
  const provider = createRoomProvider({
    doc,
    awareness,
    signalingUrl,
    topic: keys.topic,
    signalKey: keys.signalKey,
    wireKey: keys.wireKey,
    createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
    createPeer: createPeerFactory({ wrtc }),
    createTabChannel: null,
    isValidPresence: (state) => typeof state === 'object' && state !== null,
    onDrop: (source, reason) => drops.push(`${source}:${reason}`),
    ...(options.maxConnections === undefined ? {} : { maxConnections: options.maxConnections }),
  });
  return {
    doc,
    awareness,
    provider,
    drops,
    status: () => provider.status(),
    destroy() {
      provider.destroy();
      awareness.destroy();
    },
  };
}
