/**
 * Helpers for tests of crowded topics: a room's worth of subscribers that only count what they
 * receive (a flood into 256 of them is ~100 MB, too much to keep), and a clock moved by hand.
 */
import { WebSocket } from 'ws';
import type { SignalingServer } from '../../signaling/server.js';
import { wsUrl } from '../helpers/node.js';

/** The node's default MAX_SUBSCRIBERS_PER_TOPIC: a full room. */
export const FULL_ROOM = 256;
/** Clients per loopback source address, under the default MAX_CONNECTIONS_PER_IP of 64. */
const PER_ADDRESS = 60;
/** Generous: a loaded 2-core machine relays a 100 MB flood into a full room in seconds, not milliseconds. */
const ROUND_TRIP_MS = 60_000;

/** A subscriber (and publisher) that counts the publishes it receives by the tag their data starts with (up to the first ':'). */
export class CountingMember {
  private readonly tags = new Map<string, number>();
  private publishes = 0;
  private pongs = 0;
  private pongWaiters: Array<{ after: number; wake: () => void }> = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (raw: Buffer) => {
      const frame = JSON.parse(raw.toString()) as { type?: unknown; data?: unknown };
      if (frame.type === 'pong') {
        this.pongs++;
        for (const waiter of this.pongWaiters.filter((w) => this.pongs > w.after)) waiter.wake();
        this.pongWaiters = this.pongWaiters.filter((w) => this.pongs <= w.after);
      } else if (frame.type === 'publish') {
        this.publishes++;
        const tag = typeof frame.data === 'string' ? frame.data.slice(0, frame.data.indexOf(':') + 1) : '';
        this.tags.set(tag, (this.tags.get(tag) ?? 0) + 1);
      }
    });
  }

  static async connect(url: string, localAddress: string): Promise<CountingMember> {
    const socket = new WebSocket(url, { localAddress });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new CountingMember(socket);
  }

  /** Publishes received whose data starts with `tag` (which ends in ':'), or all of them. */
  received(tag?: string): number {
    return tag === undefined ? this.publishes : (this.tags.get(tag) ?? 0);
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Sends a ping and waits for its pong: everything the node sent this member before has arrived. */
  roundTrip(): Promise<void> {
    const after = this.pongs;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no pong within ${ROUND_TRIP_MS} ms`)), ROUND_TRIP_MS);
      this.pongWaiters.push({ after, wake: () => (clearTimeout(timer), resolve()) });
      this.send({ type: 'ping' });
    });
  }

  close(): void {
    this.socket.close();
  }
}

/** `count` counting members subscribed to `topic`, each subscription confirmed. */
export async function subscribeMembers(server: SignalingServer, topic: string, count: number, track: Array<{ close(): void }>): Promise<CountingMember[]> {
  const members: CountingMember[] = [];
  for (let batch = 0; batch < count; batch += 32) {
    const size = Math.min(32, count - batch);
    const opened = await Promise.all(Array.from({ length: size }, (_, i) => CountingMember.connect(wsUrl(server), sourceAddress(batch + i))));
    track.push(...opened);
    members.push(...opened);
  }
  for (const member of members) member.send({ type: 'subscribe', topics: [topic] });
  await Promise.all(members.map((member) => member.roundTrip()));
  return members;
}

function sourceAddress(index: number): string {
  return `127.0.9.${1 + Math.floor(index / PER_ADDRESS)}`;
}

/** A clock for the node's budgets that stands still until advanced. */
export function manualClock(): { now: () => number; advance(ms: number): void } {
  let ms = 0;
  return {
    now: () => ms,
    advance(by) {
      ms += by;
    },
  };
}
