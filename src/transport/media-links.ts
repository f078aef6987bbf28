/**
 * What calls need from the room's connections (state/call-peers.ts): which direct peers proved
 * which key, their RTCPeerConnections, and a sealed channel for media negotiation. Kept apart
 * from the provider so calls are wired through this one small interface.
 */
import { createListeners } from './listeners.js';
import { encodeMedia } from './wire-messages.js';

export interface MediaLinks {
  /** Directly connected peers that proved a key: peer id → key (base64url). */
  peers(): ReadonlyMap<string, string>;
  /** The peer's RTCPeerConnection, and whether this side is the polite one; null if not connected. */
  connection(peerId: string): { readonly connection: RTCPeerConnection; readonly polite: boolean } | null;
  /** Sends a media-negotiation message to one peer over its sealed data channel. */
  send(peerId: string, text: string): void;
  /** Calls `listener` with each media-negotiation message from a proven peer; returns an unsubscribe. */
  onMessage(listener: (peerId: string, key: string, text: string) => void): () => void;
  /** Calls `listener` whenever a peer proves its key or its connection closes; returns an unsubscribe. */
  onChange(listener: () => void): () => void;
  /** This person joined or left the call: call members connect to each other directly, caps or not. */
  setInCall(inCall: boolean): void;
}

export interface MediaLinksHost {
  readonly peers: () => ReadonlyMap<string, string>;
  readonly connection: MediaLinks['connection'];
  readonly sendTo: (peerId: string, message: Uint8Array) => void;
  readonly setInCall: (inCall: boolean) => void;
}

/** The links, and the two calls the provider makes into them: a message came, the set of links changed. */
export function createMediaLinks(host: MediaLinksHost): { readonly links: MediaLinks; deliver(peerId: string, key: string, text: string): void; changed(): void } {
  const messages = createListeners<[peerId: string, key: string, text: string]>();
  const changes = createListeners<[]>();
  return {
    links: {
      peers: host.peers,
      connection: host.connection,
      send: (peerId, text) => host.sendTo(peerId, encodeMedia(text)),
      setInCall: host.setInCall,
      onMessage: messages.add,
      onChange: changes.add,
    },
    deliver: messages.emit,
    changed: changes.emit,
  };
}

/**
 * Links that follow whichever provider is current: a ban moves the room to new keys with a new
 * provider, and the call keeps the same MediaLinks throughout.
 */
export function createMediaRelay(): { readonly links: MediaLinks; attach(media: MediaLinks | null): void } {
  let current: MediaLinks | null = null;
  let inCall = false;
  let unsubscribe: Array<() => void> = [];
  const relay = createMediaLinks({
    peers: () => current?.peers() ?? new Map(),
    connection: (peerId) => current?.connection(peerId) ?? null,
    sendTo: () => undefined,
    setInCall: (value) => {
      inCall = value;
      current?.setInCall(value);
    },
  });
  const links: MediaLinks = { ...relay.links, send: (peerId, text) => current?.send(peerId, text) };
  return {
    links,
    attach(media) {
      for (const stop of unsubscribe) stop();
      current = media;
      unsubscribe = media === null ? [] : [media.onMessage(relay.deliver), media.onChange(relay.changed)];
      if (inCall) media?.setInCall(true);
      relay.changed();
    },
  };
}
