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

export function createPeerFactory(options: PeerFactoryOptions = {}): (initiator: boolean) => PeerLike {
  return (initiator) => {
    const peerOptions: SimplePeer.Options = { initiator, trickle: true, config: { iceServers: options.iceServers ?? [] } };
    // simple-peer's types describe wrtc's shape loosely; @roamhq/wrtc provides exactly that object.
    if (options.wrtc !== undefined) peerOptions.wrtc = options.wrtc as NonNullable<SimplePeer.Options['wrtc']>;
    return new SimplePeer(peerOptions) as unknown as PeerLike;
  };
}
