/**
 * Media on a connection the room already has, renegotiated over the sealed data channel with the
 * perfect-negotiation pattern (W3C WebRTC §10.7): either side offers whenever its tracks change; when
 * two offers cross, the polite side (the one that answered the connection's first offer) rolls its
 * own back and answers, the impolite side ignores the other's. simple-peer lets only its initiator
 * offer and settles crossing changes by queueing, which is where its renegotiation glare comes from
 * (simple-peer #703); its own negotiation is used only to set the connection up and for ICE restarts.
 *
 * Each side sends only on transceivers it made itself, one per slot (microphone, camera, screen,
 * screen audio), created once and switched with replaceTrack and direction, so a connection never
 * holds more than 1 + 2 × 4 media sections however often cameras go on and off. The receiver learns
 * which of the sender's mids is which slot from labels that travel with each description.
 *
 * Everything the peer sends is parsed (core/call-state.ts) before the browser sees it; refusals
 * are counted through `onDrop` and never throw.
 */
import { encodeMediaDescription, MEDIA_SLOTS, parseMediaDescription, type MediaRefusal, type MediaSlot, type SenderPlan } from '../core/call-state.js';

/** The browser's RTCPeerConnection, as far as this file uses it. */
export type MediaConnection = Pick<RTCPeerConnection, 'addTransceiver' | 'getTransceivers' | 'setLocalDescription' | 'setRemoteDescription' | 'addEventListener' | 'removeEventListener' | 'signalingState' | 'localDescription' | 'getStats' | 'connectionState'>;

export interface MediaNegotiatorOptions {
  readonly connection: MediaConnection;
  /** The side that answered the connection's first offer: it yields when offers cross. */
  readonly polite: boolean;
  /** Sends a media-negotiation message (JSON text) over the sealed data channel to this peer. */
  readonly send: (text: string) => void;
  /** What the peer sends may have changed (a track came, a slot went on or off): read remoteTrack again. */
  readonly onChange: () => void;
  readonly onDrop: (reason: MediaRefusal | 'stale' | 'collision') => void;
  /** Each offer sent, for tests and benchmarks that count renegotiations. */
  readonly onOffer?: () => void;
}

export interface MediaNegotiator {
  /** Handles a media-negotiation message from this peer. Never throws. */
  receive(text: string): void;
  /**
   * Sends `track` on our `slot` (null stops sending there). Turning a slot on or off renegotiates
   * (its direction changes); swapping one track for another (a device switch) does not.
   */
  setTrack(slot: MediaSlot, track: MediaStreamTrack | null): Promise<void>;
  /** Applies a video sender's share of the uplink budget (no renegotiation). */
  applyPlan(slot: 'cam' | 'screen', plan: SenderPlan): Promise<void>;
  /** The remote track on the peer's `slot`, if it is sending one. */
  remoteTrack(slot: MediaSlot): MediaStreamTrack | null;
  /** Which of the peer's slots a mid carries, by the labels of its latest offer; null if none. */
  slotOf(mid: string): MediaSlot | null;
  /** Stops sending and receiving (leaving the call): every slot inactive, one renegotiation. */
  stop(): Promise<void>;
  readonly connection: MediaConnection;
  close(): void;
}

const KIND: Record<MediaSlot, 'audio' | 'video'> = { mic: 'audio', cam: 'video', screen: 'video', screenAudio: 'audio' };

export function createMediaNegotiator(options: MediaNegotiatorOptions): MediaNegotiator {
  const pc = options.connection;
  const own = new Map<MediaSlot, RTCRtpTransceiver>();
  let remoteMids: Partial<Record<MediaSlot, string>> = {};
  let makingOffer = false;
  let seq = 0;
  let lastRemoteSeq = 0;
  let closed = false;
  /** One description handled at a time, in the order they came. */
  let queue: Promise<void> = Promise.resolve();

  const labels = (): Partial<Record<MediaSlot, string>> => {
    const mids: Partial<Record<MediaSlot, string>> = {};
    for (const [slot, transceiver] of own) if (transceiver.mid !== null) mids[slot] = transceiver.mid;
    return mids;
  };

  const sendLocal = (): void => {
    const description = pc.localDescription;
    if (closed || description === null || (description.type !== 'offer' && description.type !== 'answer')) return;
    seq += 1;
    if (description.type === 'offer') options.onOffer?.();
    options.send(encodeMediaDescription({ seq, type: description.type, sdp: description.sdp, mids: labels() }));
  };

  const slotOf = (mid: string | null): MediaSlot | null => {
    if (mid === null) return null;
    for (const slot of MEDIA_SLOTS) if (remoteMids[slot] === mid) return slot;
    return null;
  };

  const onNegotiationNeeded = (): void => {
    if (closed) return;
    queue = queue.then(async () => {
      // Only from stable: a change made mid-negotiation fires this again once it settles.
      if (closed || pc.signalingState !== 'stable') return;
      try {
        makingOffer = true;
        await pc.setLocalDescription();
        sendLocal();
      } catch {
        // The connection closed, or a crossing offer got in first: negotiationneeded fires again.
      } finally {
        makingOffer = false;
      }
    });
  };

  const onTrack = (): void => {
    if (!closed) options.onChange();
  };

  pc.addEventListener('negotiationneeded', onNegotiationNeeded);
  pc.addEventListener('track', onTrack);

  const handle = async (text: string): Promise<void> => {
    const description = parseMediaDescription(text);
    if (typeof description === 'string') return options.onDrop(description);
    if (description.seq <= lastRemoteSeq) return options.onDrop('stale');
    lastRemoteSeq = description.seq;
    const offerCollision = description.type === 'offer' && (makingOffer || pc.signalingState !== 'stable');
    if (!options.polite && offerCollision) return options.onDrop('collision');
    if (description.type === 'answer' && pc.signalingState !== 'have-local-offer') return options.onDrop('stale');
    const previousMids = remoteMids;
    if (description.type === 'offer') remoteMids = description.mids;
    try {
      // The polite side rolls its own offer back implicitly (setRemoteDescription of an offer in have-local-offer).
      await pc.setRemoteDescription({ type: description.type, sdp: description.sdp });
    } catch {
      remoteMids = previousMids;
      return options.onDrop('sdp');
    }
    if (description.type === 'offer') {
      try {
        await pc.setLocalDescription();
        sendLocal();
      } catch {
        options.onDrop('sdp');
      }
    }
    // Directions are current only now ('track' fired before the answer was set), and a slot that
    // went off and on again fires no 'track' at all.
    options.onChange();
  };

  return {
    connection: pc,
    receive(text) {
      if (closed) return;
      queue = queue.then(() => handle(text)).catch(() => options.onDrop('sdp'));
    },
    async setTrack(slot, track) {
      if (closed) return;
      let transceiver = own.get(slot);
      if (transceiver === undefined) {
        if (track === null) return;
        transceiver = pc.addTransceiver(KIND[slot], { direction: 'inactive' });
        own.set(slot, transceiver);
      }
      await transceiver.sender.replaceTrack(track).catch(() => undefined);
      const direction: RTCRtpTransceiverDirection = track === null ? 'inactive' : 'sendonly';
      if (transceiver.direction !== direction && transceiver.direction !== 'stopped') transceiver.direction = direction;
    },
    async applyPlan(slot, plan) {
      const sender = own.get(slot)?.sender;
      if (closed || sender === undefined || sender.track === null) return;
      try {
        const parameters = sender.getParameters();
        const encoding = parameters.encodings[0];
        if (encoding === undefined) return;
        if (encoding.maxBitrate === plan.maxBitrate && encoding.scaleResolutionDownBy === plan.scaleResolutionDownBy) return;
        encoding.maxBitrate = plan.maxBitrate;
        encoding.scaleResolutionDownBy = plan.scaleResolutionDownBy;
        await sender.setParameters(parameters);
      } catch {
        // Not negotiated yet: the next plan (every stats tick) applies it.
      }
    },
    slotOf,
    remoteTrack(slot) {
      const mid = remoteMids[slot];
      if (mid === undefined) return null;
      const transceiver = pc.getTransceivers().find((candidate) => candidate.mid === mid);
      const direction = transceiver?.currentDirection;
      return transceiver !== undefined && (direction === 'recvonly' || direction === 'sendrecv') && transceiver.receiver.track.kind === KIND[slot] ? transceiver.receiver.track : null;
    },
    async stop() {
      for (const slot of own.keys()) await this.setTrack(slot, null);
    },
    close() {
      closed = true;
      pc.removeEventListener('negotiationneeded', onNegotiationNeeded);
      pc.removeEventListener('track', onTrack);
    },
  };
}
