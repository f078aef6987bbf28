/**
 * simple-peer in the form Vite bundles without Node polyfills: its prebuilt browser build
 * (the package's main entry pulls `buffer`, `readable-stream` and `randombytes`, which break under Vite: `global is not defined`).
 */
import SimplePeer from 'simple-peer/simplepeer.min.js';
import type { PeerLike } from './peer-mesh.js';
import { openFilesChannel, watchDrain } from './files-channel.js';

export interface PeerFactoryOptions {
  /** STUN/TURN servers; none needed on one machine or one LAN. */
  readonly iceServers?: RTCIceServer[];
  /** The configuration for each new connection, read when it is made (wins over `iceServers`): the node's current servers and the relay-only choice. */
  readonly configuration?: () => RTCConfiguration;
  /** A WebRTC implementation for Node (@roamhq/wrtc); browsers use their own. */
  readonly wrtc?: unknown;
}

/** The data channel as simple-peer 9.11 keeps it (`_channel`, a name its minified build keeps). */
interface ChannelLike {
  send(data: Uint8Array): void;
  readonly bufferedAmount: number;
  bufferedAmountLowThreshold: number;
  onbufferedamountlow: ((event: unknown) => void) | null;
  readonly readyState: string;
}

/**
 * Bytes the data channel may hold unsent before the writer reports it full, and the level at
 * which it asks for more. simple-peer's own write() stops at 64 KiB and resumes one event at a
 * time, which held a history transfer to ~2 MiB/s; a data channel takes up to 16 MiB before send() throws (measured in Chromium here),
 * and a loopback one carries 26–40 MiB/s.
 */
export const CHANNEL_HIGH_WATER = 1024 * 1024;
export const CHANNEL_LOW_WATER = 256 * 1024;
/** An ICE restart waits this long, at most this many times, for a media renegotiation to settle. */
const RESTART_DEFER_MS = 100;
const MAX_RESTART_DEFERRALS = 20;

/** The private state of simple-peer 9.11 that `_maybeReady` reads (names kept by its minified build). */
interface ReadyState {
  _connected: boolean;
  _connecting: boolean;
  _pcReady: boolean;
  _channelReady: boolean;
  _chunk: unknown;
  _channel: { bufferedAmountLowThreshold?: unknown } | null;
  emit(event: 'connect'): boolean;
}

/** The part of RTCPeerConnection this file reads (simple-peer keeps it as `_pc`). */
interface ConnectionLike {
  readonly iceConnectionState: string;
  readonly iceGatheringState: string;
  readonly connectionState: string;
  restartIce?(): void;
  setConfiguration(configuration: RTCConfiguration): void;
  getStats(): Promise<Iterable<[string, Record<string, unknown>]> & { get(id: string): Record<string, unknown> | undefined }>;
  addEventListener(type: 'icecandidateerror', listener: (event: { errorCode?: number }) => void): void;
}

interface PeerInternals {
  readonly destroyed: boolean;
  readonly initiator: boolean;
  readonly _connected: boolean;
  readonly _pc: ConnectionLike;
  emit(event: string, ...args: unknown[]): boolean;
}

/** How a connection's data travels, read from its selected candidate pair. */
export type ConnectionPath = 'direct' | 'relayed';

/** The selected candidate pair's path in a getStats() report; null before one is selected. */
export function pathFromStats(report: Iterable<[string, Record<string, unknown>]> & { get(id: string): Record<string, unknown> | undefined }): ConnectionPath | null {
  let pairId: unknown;
  for (const [, stat] of report) {
    if (stat['type'] === 'transport' && typeof stat['selectedCandidatePairId'] === 'string') pairId = stat['selectedCandidatePairId'];
  }
  let pair = typeof pairId === 'string' ? report.get(pairId) : undefined;
  if (pair === undefined) {
    // Implementations without transport stats (wrtc in Node): the nominated pair that succeeded.
    for (const [, stat] of report) if (stat['type'] === 'candidate-pair' && stat['nominated'] === true && stat['state'] === 'succeeded') pair = stat;
  }
  if (pair === undefined) return null;
  const local = report.get(String(pair['localCandidateId']));
  const remote = report.get(String(pair['remoteCandidateId']));
  if (local === undefined || remote === undefined) return null;
  return local['candidateType'] === 'relay' || remote['candidateType'] === 'relay' ? 'relayed' : 'direct';
}

/**
 * simple-peer reports 'connect' only after a getStats() call finds the selected candidate pair,
 * retried every 100 ms until it does, just to fill in localAddress/remoteAddress (which nothing
 * here reads). Once ICE is connected and the data channel is open the link is usable: this peer
 * reports 'connect' then, saving one getStats() (a trip to WebRTC's network thread) and, when the
 * pair is not in the stats yet, 100 ms or more on every new connection.
 * Anything unusual (a write queued before connect, a channel without bufferedAmountLowThreshold,
 * where simple-peer sets up its polling fallback) takes simple-peer's own path.
 */
class PromptPeer extends SimplePeer {
  #drainListeners: Array<() => void> = [];
  #drain: ReturnType<typeof watchDrain> | undefined;
  #restartDeferrals = 0;

  /** The connection itself, for media (media-negotiator.ts); polite: this side answered its first offer. */
  mediaConnection(): { readonly connection: RTCPeerConnection; readonly polite: boolean } | null {
    const self = this as unknown as PeerInternals;
    if (self.destroyed || !self._connected) return null;
    return { connection: self._pc as unknown as RTCPeerConnection, polite: !self.initiator };
  }

  /** Opens the files channel beside the main one (files-channel.ts); null where the connection cannot. */
  bulkChannel(onMessage: (chunk: Uint8Array) => void): { write(chunk: Uint8Array): boolean; onDrain(listener: () => void): void } | null {
    const self = this as unknown as PeerInternals;
    if (self.destroyed) return null;
    return openFilesChannel(self._pc, onMessage);
  }

  /**
   * A candidate the connection refuses is ignored, not fatal as in simple-peer: after an ICE
   * restart crossed by a media offer, candidates of the description that lost may still arrive.
   */
  _addIceCandidate(candidate: RTCIceCandidateInit): void {
    const self = this as unknown as PeerInternals;
    (self._pc as unknown as RTCPeerConnection).addIceCandidate(candidate).catch(() => undefined);
  }

  /**
   * Each received message goes out as 'data' at once. simple-peer pushes it through its readable
   * stream, whose browser build defers through a setTimeout-based nextTick: a few ms per chunk,
   * clamped when nested, which held a streamed history at about 110 ms per 256 KiB piece while
   * the page sat idle.
   */
  _onChannelMessage(event: { data: unknown }): void {
    if ((this as unknown as { destroyed: boolean }).destroyed) return;
    const { data } = event;
    this.emit('data', data instanceof ArrayBuffer ? new Uint8Array(data) : data);
  }

  /** Writes straight to the data channel (bypassing simple-peer's stream), full at CHANNEL_HIGH_WATER. */
  channelWriter(): { write(chunk: Uint8Array): boolean; onDrain(listener: () => void): void } | null {
    const channel = (this as unknown as { _channel: ChannelLike | null })._channel;
    if (channel === null || typeof channel.bufferedAmountLowThreshold !== 'number') return null;
    // One watch per channel; a missed 'bufferedamountlow' cannot stall the writer (files-channel.ts).
    this.#drain ??= watchDrain(channel, () => {
      for (const listener of [...this.#drainListeners]) listener();
    });
    const drain = this.#drain;
    if (this.#drainListeners.length === 0) {
      channel.bufferedAmountLowThreshold = CHANNEL_LOW_WATER;
      // simple-peer's own handler stays: it resumes its stream's writes, which this writer does not use.
      const previous = channel.onbufferedamountlow;
      channel.onbufferedamountlow = (event) => {
        previous?.call(channel, event);
        drain.drained();
      };
    }
    return {
      write: (chunk) => {
        channel.send(chunk);
        if (channel.bufferedAmount < CHANNEL_HIGH_WATER) return true;
        drain.await();
        return false;
      },
      onDrain: (listener) => void this.#drainListeners.push(listener),
    };
  }

  /**
   * A connection that was up and lost its path (a NAT forgot it, the device changed networks) is
   * kept, not destroyed as simple-peer does: 'iceStateChange' reports 'failed' and the mesh
   * restarts ICE (link-health.ts), which keeps the data channel and everything queued on it.
   * A connection that never came up fails as before.
   */
  _onIceStateChange(): void {
    const self = this as unknown as PeerInternals;
    if (!self.destroyed && self._connected && self._pc.iceConnectionState === 'failed') {
      self.emit('iceStateChange', 'failed', self._pc.iceGatheringState);
      return;
    }
    (SimplePeer.prototype as unknown as { _onIceStateChange(): void })._onIceStateChange.call(this);
  }

  _onConnectionStateChange(): void {
    const self = this as unknown as PeerInternals;
    if (!self.destroyed && self._connected && self._pc.connectionState === 'failed') return;
    (SimplePeer.prototype as unknown as { _onConnectionStateChange(): void })._onConnectionStateChange.call(this);
  }

  /**
   * Restarts ICE: new credentials, new candidates, over the same DTLS and data channel. The side
   * that made the offer restarts; the other asks it to with simple-peer's renegotiate signal
   * (sent directly: simple-peer's negotiate() would wait forever if that request were lost).
   */
  restartIce(): void {
    const self = this as unknown as PeerInternals & { _isNegotiating: boolean; _createOffer(): void };
    if (self.destroyed) return;
    // A media renegotiation is under way (media-negotiator.ts): restart once it settles, so the
    // restart's offer does not replace an offer whose answer is on its way.
    const pc = self._pc as ConnectionLike & { signalingState?: string };
    if (pc.signalingState !== undefined && pc.signalingState !== 'stable' && this.#restartDeferrals < MAX_RESTART_DEFERRALS) {
      this.#restartDeferrals += 1;
      setTimeout(() => this.restartIce(), RESTART_DEFER_MS);
      return;
    }
    this.#restartDeferrals = 0;
    if (!self.initiator) {
      self.emit('signal', { type: 'renegotiate', renegotiate: true });
      return;
    }
    // An offer with new ICE credentials now, even if an earlier one is still unanswered (it went out
    // on a socket that had died with the old network): simple-peer's negotiate() would queue this one
    // behind it forever. Asked for through the offer's options rather than pc.restartIce(), which
    // would also fire negotiationneeded and have the media negotiator offer the same on the dead channel.
    const withOptions = self as unknown as { offerOptions: RTCOfferOptions | undefined };
    const previous = withOptions.offerOptions;
    withOptions.offerOptions = { ...previous, iceRestart: true };
    self._isNegotiating = true;
    self._createOffer();
    withOptions.offerOptions = previous;
  }

  /** Bytes received on the connection's transport (its SCTP acknowledgements included); null if unknown. */
  async receivedBytes(): Promise<number | null> {
    const self = this as unknown as PeerInternals;
    if (self.destroyed) return null;
    try {
      let total: number | null = null;
      for (const [, stat] of await self._pc.getStats()) {
        if (stat['type'] === 'transport' && typeof stat['bytesReceived'] === 'number') total = (total ?? 0) + stat['bytesReceived'];
      }
      return total;
    } catch {
      return null;
    }
  }

  /** Passes fresh ICE servers (and the relay-only choice) to the live connection; the next restart uses them. */
  setConfiguration(configuration: RTCConfiguration): void {
    const self = this as unknown as PeerInternals;
    if (self.destroyed) return;
    try {
      self._pc.setConfiguration(configuration);
    } catch {
      // A configuration the connection cannot take now (it is closing): the next one gets it.
    }
  }

  /** 'direct' or 'relayed' from the selected candidate pair; null before one is selected or once closed. */
  async connectionPath(): Promise<ConnectionPath | null> {
    const self = this as unknown as PeerInternals;
    if (self.destroyed) return null;
    try {
      return pathFromStats(await self._pc.getStats());
    } catch {
      return null;
    }
  }

  _maybeReady(): void {
    const self = this as unknown as ReadyState;
    const base = (SimplePeer.prototype as unknown as { _maybeReady(): void })._maybeReady;
    if (self._chunk || typeof self._channel?.bufferedAmountLowThreshold !== 'number') return base.call(this);
    if (self._connected || self._connecting || !self._pcReady || !self._channelReady) return;
    self._connected = true;
    self.emit('connect');
  }
}

/**
 * Makes peers with the configuration of the moment. `onCandidateError` hears each ICE server that
 * failed a request (STUN unreachable: 701; TURN credentials refused: 401...), for Diagnostics.
 */
export function createPeerFactory(options: PeerFactoryOptions = {}, onCandidateError?: (errorCode: number) => void): (initiator: boolean) => PeerLike {
  return (initiator) => {
    const config = options.configuration?.() ?? { iceServers: options.iceServers ?? [] };
    const peerOptions: SimplePeer.Options = { initiator, trickle: true, config };
    // simple-peer's types describe wrtc's shape loosely; @roamhq/wrtc provides exactly that object.
    if (options.wrtc !== undefined) peerOptions.wrtc = options.wrtc as NonNullable<SimplePeer.Options['wrtc']>;
    const peer = new PromptPeer(peerOptions);
    const pc = (peer as unknown as Partial<PeerInternals>)._pc;
    if (onCandidateError !== undefined && typeof pc?.addEventListener === 'function') {
      pc.addEventListener('icecandidateerror', (event) => onCandidateError(typeof event.errorCode === 'number' ? event.errorCode : 0));
    }
    return peer as unknown as PeerLike;
  };
}
