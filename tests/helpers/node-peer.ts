/**
 * A Parley peer in Node: Y.Doc, verified presence and our room provider, WebRTC through
 * @roamhq/wrtc. It holds a room identity, proves it on every connection, publishes signed presence
 * and admits every update through the room's schema (signatures checked) like a browser does. It
 * runs no moderation of its own, so it refuses every deletion a peer makes, unless told to accept them all. Tests of the provider's
 * sync mechanics alone may pass `admission: 'none'` and write plain values.
 */
import wrtc from '@roamhq/wrtc';
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import { compareMessages } from '../../src/core/hlc.js';
import { decodeMessageEntry } from '../../src/core/message-entry.js';
import { encodeTail } from '../../src/core/message-tail.js';
import type { MessageEntry } from '../../src/core/types.js';
import { MAX_PREVIEW_BYTES } from '../../src/transport/wire-messages.js';
import { createPresenceTable, presenceId, RENEW_MS, type PresenceTable } from '../../src/core/presence-table.js';
import { signPresence } from '../../src/core/presence-record.js';
import { toBase64Url } from '../../src/crypto/encoding.js';
import { createIdentity, type Identity } from '../../src/crypto/identity.js';
import { deriveRoomKeys } from '../../src/crypto/keys.js';
import { createRoomAdmission } from '../../src/state/room-admission.js';
import type { SocketLike } from '../../src/transport/signaling-client.js';
import { createPeerFactory } from '../../src/transport/simple-peer-factory.js';
import type { ConnectivityEvent } from '../../src/transport/connectivity.js';
import { createRoomProvider, type ProviderStatus, type RoomProvider } from '../../src/transport/room-provider.js';

export interface NodePeer {
  readonly doc: Y.Doc;
  readonly presence: PresenceTable;
  readonly provider: RoomProvider;
  readonly drops: string[];
  /** Resolves to this peer's identity once made. */
  readonly identity: Promise<Identity>;
  status(): ProviderStatus;
  /** Nicknames of the people this peer sees present (itself included). */
  nicks(): string[];
  destroy(): void;
}

export interface NodePeerOptions {
  readonly doc?: Y.Doc;
  readonly maxConnections?: number;
  readonly adminKey?: Uint8Array;
  readonly identity?: Identity;
  readonly nick?: string;
  /** 'room' (default): the room's schema and signatures, as browsers admit; 'none': apply updates as they come. */
  readonly admission?: 'room' | 'none';
  /** Hears the provider's connectivity events (connected, failed, ICE restarts). */
  readonly onConnectivity?: (event: ConnectivityEvent) => void;
  /** Accept deletions peers make (it runs no moderation to judge them); default false: they are stripped, as a browser strips what its own rules would not delete. */
  readonly acceptDeletes?: boolean;
}

/** The newest messages as a preview, as a browser sends ahead of a long history (state/session-sync.ts). */
const previews = new WeakMap<Y.Doc, { readonly state: string; readonly preview: Uint8Array | null }>();
export function previewOf(doc: Y.Doc): Uint8Array | null {
  const state = Y.encodeStateVector(doc).join();
  const cached = previews.get(doc);
  if (cached?.state === state) return cached.preview;
  const preview = makePreview(doc);
  previews.set(doc, { state, preview });
  return preview;
}

function makePreview(doc: Y.Doc): Uint8Array | null {
  const entries: MessageEntry[] = [];
  for (const [key, value] of doc.getMap('messages')) {
    const parsed = decodeMessageEntry(key, value);
    if (parsed.ok) entries.push(parsed.entry);
  }
  if (entries.length === 0) return null;
  const preview = encodeTail(entries.sort(compareMessages).slice(-60));
  return preview.length <= MAX_PREVIEW_BYTES ? preview : null;
}

export function createNodePeer(signalingUrl: string, secret: Uint8Array, options: NodePeerOptions = {}): NodePeer {
  const keys = deriveRoomKeys(secret, options.adminKey);
  const doc = options.doc ?? new Y.Doc();
  const drops: string[] = [];
  const identity = options.identity === undefined ? createIdentity() : Promise.resolve(options.identity);
  let ownId: string | null = null;
  const presence = createPresenceTable({ now: () => performance.now(), ownId: () => ownId });
  let clock = 0;
  let destroyed = false;
  const publish = async (): Promise<void> => {
    const me = await identity;
    if (destroyed) return;
    ownId = presenceId(doc.clientID, toBase64Url(me.publicKey));
    const record = await signPresence(me, doc.clientID, ++clock, { nick: options.nick ?? 'Node peer', color: '#336699', status: 'online', text: '', typing: false });
    if (!destroyed) presence.apply([record], 'local');
  };
  void publish();
  const renew = setInterval(() => {
    void publish();
    presence.expire();
  }, RENEW_MS);
  const admit =
    options.admission === 'none'
      ? undefined
      : createRoomAdmission({ doc, adminKey: options.adminKey === undefined ? null : toBase64Url(options.adminKey), mayRemove: () => options.acceptDeletes === true, stripped: () => undefined, overBudget: (count) => void drops.push(...new Array<string>(count).fill('update:budget')) });
  const provider = createRoomProvider({
    doc,
    presence,
    whoAmI: async () => ({ identity: await identity, clientId: doc.clientID }),
    signalingUrl,
    topic: keys.topic,
    signalKey: keys.signalKey,
    wireKey: keys.wireKey,
    createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
    createPeer: createPeerFactory({ wrtc }),
    createTabChannel: null,
    ...(admit === undefined ? {} : { admit }),
    preview: () => previewOf(doc),
    onDrop: (source, reason) => drops.push(`${source}:${reason}`),
    ...(options.maxConnections === undefined ? {} : { maxConnections: options.maxConnections }),
    ...(options.onConnectivity === undefined ? {} : { onConnectivity: options.onConnectivity }),
  });
  return {
    doc,
    presence,
    provider,
    drops,
    identity,
    status: () => provider.status(),
    nicks: () => [...presence.entries().values()].map((entry) => entry.state.nick).sort(),
    destroy() {
      destroyed = true;
      clearInterval(renew);
      provider.destroy();
    },
  };
}
