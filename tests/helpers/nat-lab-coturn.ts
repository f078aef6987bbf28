/**
 * coturn in the NAT lab: tests/helpers/coturn.ts's startCoturn run in inet on 203.0.113.2:3478 (STUN
 * and TURN over UDP, REST credentials), stopped when the lab is disposed.
 */
import { randomBytes } from 'node:crypto';
import { mintTurnCredential } from '../../signaling/ice.js';
import { startCoturn } from './coturn.js';
import { LAB_ADDRESSES, LAB_PORTS, type NatLab } from './nat-lab.js';

export interface LabCoturn {
  readonly stunUrl: string;
  readonly turnUrl: string;
  /** coturn's static-auth-secret: give it to the node as TURN_SECRET. */
  readonly secret: string;
  /** STUN and TURN, with a fresh REST credential valid for ttlSeconds. */
  iceServers(ttlSeconds?: number): RTCIceServer[];
  /** Allocations coturn granted so far (its `ALLOCATE processed, success` log lines). */
  allocations(): number;
  log(): string;
  stop(): Promise<void>;
}

/** Starts coturn in the lab's inet on LAB_ADDRESSES.turn and waits until it listens. */
export async function startLabCoturn(lab: NatLab, secret = randomBytes(16).toString('hex')): Promise<LabCoturn> {
  const address = LAB_ADDRESSES.turn;
  const port = LAB_PORTS.turn;
  const coturn = await startCoturn({ secret, listeningIp: address, port, netns: lab.namespace('inet'), minPort: 49152, maxPort: 49999 });
  lab.onDispose(() => coturn.stop());
  const stunUrl = `stun:${address}:${port}`;
  const turnUrl = `turn:${address}:${port}?transport=udp`;
  return {
    stunUrl,
    turnUrl,
    secret,
    iceServers(ttlSeconds = 3600) {
      const { username, credential } = mintTurnCredential(secret, ttlSeconds, Date.now(), randomBytes(16));
      return [{ urls: stunUrl }, { urls: turnUrl, username, credential }];
    },
    allocations: () => coturn.log().match(/ALLOCATE processed, success/g)?.length ?? 0,
    log: () => coturn.log(),
    stop: () => coturn.stop(),
  };
}
