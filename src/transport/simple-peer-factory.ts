/**
 * simple-peer in the form Vite bundles without Node polyfills: its prebuilt browser build
 * (the package's main entry pulls `buffer`, `readable-stream` and `randombytes`, FACTS.md).
 */
import SimplePeer from 'simple-peer/simplepeer.min.js';
import type { PeerLike } from './peer-mesh.js';

export interface PeerFactoryOptions {
  /** STUN/TURN servers; none needed on one machine or one LAN. */
  readonly iceServers?: RTCIceServer[];
  /** A WebRTC implementation for Node (@roamhq/wrtc); browsers use their own. */
  readonly wrtc?: unknown;
}

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
