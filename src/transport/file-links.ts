/**
 * What the file swarm needs of the room's connections (file-swarm.ts): which direct peers proved
 * which key, a way to send file messages (control on the main channel, pieces on the files
 * channel), backpressure per peer, and strikes for what no honest peer sends. Kept apart from the
 * provider, like media-links.ts, so files are wired through this one small interface.
 */
import { encodeFileMessage, isBulkFileMessage, type FileMessage } from './file-messages.js';
import { createListeners } from './listeners.js';

export type FileMessageListener = (peerId: string, key: string, message: FileMessage) => void;

export interface FileLinks {
  /** Directly connected peers that proved a key: peer id → key (base64url). */
  peers(): ReadonlyMap<string, string>;
  /** Sends one file message to one peer: pieces and indexes on its files channel, the rest on the main one. */
  send(peerId: string, message: FileMessage): void;
  /** Calls `listener` once the peer's files queue is low enough for another piece (at once if it is). */
  whenLow(peerId: string, listener: () => void): void;
  /** A strike against the peer's link (a bad piece, an answer nobody asked for); too many cut it off. */
  strike(peerId: string, weight?: number): void;
  /** Calls `listener` with each file message from a proven peer; returns an unsubscribe. */
  onMessage(listener: FileMessageListener): () => void;
  /** Calls `listener` whenever a peer proves its key or its connection closes; returns an unsubscribe. */
  onChange(listener: () => void): () => void;
}

export interface FileLinksHost {
  readonly peers: () => ReadonlyMap<string, string>;
  readonly sendTo: (peerId: string, message: Uint8Array, bulk: boolean) => void;
  readonly whenLow: (peerId: string, listener: () => void) => void;
  readonly strike: (peerId: string, weight: number) => void;
}

/** The links, and the two calls the provider makes into them: a message came, the set of links changed. */
export function createFileLinks(host: FileLinksHost): { readonly links: FileLinks; deliver: FileMessageListener; changed(): void } {
  const messages = createListeners<Parameters<FileMessageListener>>();
  const changes = createListeners<[]>();
  return {
    links: {
      peers: host.peers,
      send: (peerId, message) => host.sendTo(peerId, encodeFileMessage(message), isBulkFileMessage(message)),
      whenLow: host.whenLow,
      strike: (peerId, weight = 1) => host.strike(peerId, weight),
      onMessage: messages.add,
      onChange: changes.add,
    },
    deliver: messages.emit,
    changed: changes.emit,
  };
}

/** Links that follow whichever provider is current (a ban moves the room to a new provider); downloads keep the same FileLinks. */
export function createFileRelay(): { readonly links: FileLinks; attach(files: FileLinks | null): void } {
  let current: FileLinks | null = null;
  let unsubscribe: Array<() => void> = [];
  const relay = createFileLinks({
    peers: () => current?.peers() ?? new Map(),
    sendTo: () => undefined,
    whenLow: (peerId, listener) => current?.whenLow(peerId, listener),
    strike: (peerId, weight) => current?.strike(peerId, weight),
  });
  const links: FileLinks = { ...relay.links, send: (peerId, message) => current?.send(peerId, message) };
  return {
    links,
    attach(files) {
      for (const stop of unsubscribe) stop();
      current = files;
      unsubscribe = files === null ? [] : [files.onMessage(relay.deliver), files.onChange(relay.changed)];
      relay.changed();
    },
  };
}
