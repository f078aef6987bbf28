/**
 * The call's side of each connection: one media negotiator per directly connected member, our
 * tracks sent to exactly the people we may send to, and theirs taken only from the people we may
 * answer. Who those are is the call's decision (`sendTo`, `answer`); this module applies it on every
 * change: a link coming or going, a presence change, a track switched.
 */
import type { MediaRefusal, MediaSlot, SenderPlan } from '../core/call-state.js';
import { createMediaNegotiator, type MediaNegotiator } from '../transport/media-negotiator.js';
import type { MediaLinks } from '../transport/media-links.js';
import { readConnectionStats, type ConnectionReadings } from './call-stats.js';

export interface CallPeersOptions {
  readonly links: MediaLinks;
  /** Whether our tracks go to `key` now (we are in the call, they are, and nobody refused anybody). */
  readonly sendTo: (key: string) => boolean;
  /** Whether a media offer from `key` is answered at all (a proven member not blocked or banned). */
  readonly answer: (key: string) => boolean;
  /** Our tracks, by slot (null: not sending that slot). */
  readonly localTracks: () => Readonly<Record<MediaSlot, MediaStreamTrack | null>>;
  /** Remote tracks changed. */
  readonly onTracks: () => void;
  readonly onDrop: (reason: MediaRefusal | 'stale' | 'collision' | 'unsolicited') => void;
  readonly onOffer?: () => void;
}

interface PeerMedia {
  readonly key: string;
  readonly negotiator: MediaNegotiator;
  /** Whether our tracks are on this connection now. */
  sending: boolean;
}

export interface CallPeers {
  /** Applies who we send to and which tracks, on every connection. */
  sync(): void;
  /** The remote track on `key`'s slot, if they send one and we hear them. */
  remoteTrack(key: string, slot: MediaSlot): MediaStreamTrack | null;
  /** How many connections carry our tracks now. */
  receivers(): number;
  /** Splits the video budget (core/call-state.ts planVideoSenders) over every connection we send on. */
  applyPlan(plan: { readonly cam: SenderPlan; readonly screen: SenderPlan }): void;
  /** Reads each connection's stats: by key, and the slot of each mid. */
  readStats(): Promise<Array<{ readonly key: string; readonly readings: ConnectionReadings; readonly slotOf: (mid: string) => MediaSlot | null }>>;
  close(): void;
}

export function createCallPeers(options: CallPeersOptions): CallPeers {
  const { links } = options;
  const peers = new Map<string, PeerMedia>();

  const open = (peerId: string, key: string): PeerMedia | null => {
    const known = peers.get(peerId);
    if (known !== undefined) return known;
    const connection = links.connection(peerId);
    if (connection === null) return null;
    const negotiator = createMediaNegotiator({
      connection: connection.connection,
      polite: connection.polite,
      send: (text) => links.send(peerId, text),
      onChange: options.onTracks,
      onDrop: options.onDrop,
      ...(options.onOffer === undefined ? {} : { onOffer: options.onOffer }),
    });
    const media: PeerMedia = { key, negotiator, sending: false };
    peers.set(peerId, media);
    return media;
  };

  const push = (media: PeerMedia, send: boolean): void => {
    const local = options.localTracks();
    for (const slot of Object.keys(local) as MediaSlot[]) void media.negotiator.setTrack(slot, send ? local[slot] : null);
    media.sending = send;
  };

  const sync = (): void => {
    const live = links.peers();
    for (const [peerId, media] of [...peers]) {
      if (live.get(peerId) === media.key) continue;
      media.negotiator.close();
      peers.delete(peerId);
      options.onTracks();
    }
    for (const [peerId, key] of live) {
      const send = options.sendTo(key);
      const media = send ? open(peerId, key) : peers.get(peerId);
      if (media === undefined || media === null) continue;
      if (send || media.sending) push(media, send);
    }
  };

  const stopMessages = links.onMessage((peerId, key, text) => {
    if (!options.answer(key)) return options.onDrop('unsolicited');
    open(peerId, key)?.negotiator.receive(text);
  });
  const stopChanges = links.onChange(sync);

  const live = (track: MediaStreamTrack | undefined): MediaStreamTrack | null => (track !== undefined && track.readyState === 'live' ? track : null);

  return {
    sync,
    remoteTrack(key, slot) {
      for (const media of peers.values()) {
        if (media.key !== key) continue;
        const current = media.negotiator.remoteTrack(slot);
        if (current !== null) return live(current);
        return null;
      }
      return null;
    },
    receivers: () => [...peers.values()].filter((media) => media.sending).length,
    applyPlan(plan) {
      for (const media of peers.values()) {
        if (!media.sending) continue;
        void media.negotiator.applyPlan('cam', plan.cam);
        void media.negotiator.applyPlan('screen', plan.screen);
      }
    },
    async readStats() {
      const results = await Promise.all(
        [...peers.values()].map(async (media) => {
          try {
            const report = (await media.negotiator.connection.getStats()) as unknown as Iterable<[string, Record<string, unknown>]>;
            return { key: media.key, readings: readConnectionStats(report), slotOf: media.negotiator.slotOf };
          } catch {
            return null;
          }
        }),
      );
      return results.filter((result) => result !== null);
    },
    close() {
      stopMessages();
      stopChanges();
      for (const media of peers.values()) {
        void media.negotiator.stop();
        media.negotiator.close();
      }
      peers.clear();
    },
  };
}
