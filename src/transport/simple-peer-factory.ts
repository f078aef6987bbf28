/**
 * simple-peer in the form Vite bundles without Node polyfills: its prebuilt browser build
 * (the package's main entry pulls `buffer`, `readable-stream` and `randombytes`, which break under Vite: `global is not defined`).
 */
import SimplePeer from 'simple-peer/simplepeer.min.js';
import type { PeerLike } from './peer-mesh.js';

export interface PeerFactoryOptions {
  /** STUN/TURN servers; none needed on one machine or one LAN. */
  readonly iceServers?: RTCIceServer[];
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
    if (this.#drainListeners.length === 0) {
      channel.bufferedAmountLowThreshold = CHANNEL_LOW_WATER;
      // simple-peer's own handler stays: it resumes its stream's writes, which this writer does not use.
      const previous = channel.onbufferedamountlow;
      channel.onbufferedamountlow = (event) => {
        previous?.call(channel, event);
        for (const listener of [...this.#drainListeners]) listener();
      };
    }
    return {
      write: (chunk) => {
        channel.send(chunk);
        return channel.bufferedAmount < CHANNEL_HIGH_WATER;
      },
      onDrain: (listener) => void this.#drainListeners.push(listener),
    };
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

export function createPeerFactory(options: PeerFactoryOptions = {}): (initiator: boolean) => PeerLike {
  return (initiator) => {
    const peerOptions: SimplePeer.Options = { initiator, trickle: true, config: { iceServers: options.iceServers ?? [] } };
    // simple-peer's types describe wrtc's shape loosely; @roamhq/wrtc provides exactly that object.
    if (options.wrtc !== undefined) peerOptions.wrtc = options.wrtc as NonNullable<SimplePeer.Options['wrtc']>;
    return new PromptPeer(peerOptions) as unknown as PeerLike;
  };
}
