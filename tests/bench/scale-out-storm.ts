/**
 * Scale-out bench, part 3: a reconnect storm. Three nodes share a Redis; rooms of 12 members have
 * 10 on node A and 2 on node B. A is SIGKILLed; its clients reconnect as the real client does
 * (src/transport/signaling-client.ts: after min(30 s, 500 ms·2^attempt)·(0.5 + random/2), attempt 0
 * on the first try), alternately to B and C as a round-robin load balancer would send them, and
 * subscribe again. Measured from the kill: every client resubscribed (its ping answered after its
 * subscribe), every room delivering again (a publish from a member on B reaches all 10, on B and
 * on C), peak CPU of B, C and redis-server sampled every 100 ms, refused clients; then how long the
 * killed node's members stay counted in `clients` (its liveness key expires).
 */
import { maskedFrame, BenchSocket, FrameCounter } from './raw-ws.js';
import { sourceAddress, subscribeAll } from './signaling.js';
import { SIGNAL_PATH, listenOverflows, openClientsOn, sampleCpu, sleep, startBenchNode } from './scale-out-cluster.js';
import { startRedis } from '../helpers/redis.js';
import type { NodeProcess } from '../helpers/node-process.js';

export const MEMBERS_ON_A = 10;
const MEMBERS_ON_B = 2;
const ROOM_SIZE = MEMBERS_ON_A + MEMBERS_ON_B;
const PROBE_EVERY_MS = 250;
const STORM_LIMIT_MS = 180_000;
/**
 * A browser's WebSocket has no handshake timeout of its own (the kernel gives up a connect after
 * ~2 min of SYN retries); the bench client gives up after this long and tries again with backoff.
 */
export const HANDSHAKE_TIMEOUT_MS = 30_000;
const GHOST_LIMIT_MS = 40_000;

export interface StormRun {
  clients: number;
  /** Kill → the last client's ping answered after its subscribe, in ms. */
  resubscribedMs: number;
  /** Kill → half, and nine in ten, of the clients resubscribed, in ms. */
  resubscribedP50Ms: number;
  resubscribedP90Ms: number;
  /** Kill → the last room's publish reached all its members from A, in ms. */
  deliveringMs: number;
  /** Peak share of a core over 100 ms: B, C, redis-server, and their sum; and the bench process's own (the clients). */
  peakCpu: { b: number; c: number; redis: number; total: number; clients: number };
  cpuSeconds: number;
  refused: Record<string, number>;
  timeouts: number;
  errors: number;
  attempts: number;
  /** Connections the kernel dropped from full listen queues during the storm (namespace-wide). */
  listenOverflows: number;
  /** Kill → every member's last publish said `clients` ROOM_SIZE (the killed node no longer counted); undefined if not measured. */
  countsExactMs: number | undefined;
}

/** The real client's reconnect delay for `attempt` (0 after the connection was lost). */
export const reconnectDelayMs = (attempt: number): number => Math.min(30_000, 500 * 2 ** attempt) * (0.5 + Math.random() / 2);

const topicOfRoom = (room: number): string => `bench-storm-${room}`;
const clientsField = (payload: Buffer): number => {
  const at = payload.lastIndexOf('"clients":');
  return at === -1 ? -1 : Number.parseInt(payload.toString('latin1', at + 10, payload.length - 1), 10);
};

/** Until a publish from each room's first member on B has reached all of its members on A. */
async function checkRoomsAcross(members: readonly BenchSocket[], anchors: readonly BenchSocket[], rooms: number): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const reached = new Uint8Array(members.length);
    members.forEach((member, j) => {
      member.onText = () => (reached[j] = 1);
    });
    for (let room = 0; room < rooms; room++) anchors[room * MEMBERS_ON_B]?.send(maskedFrame(JSON.stringify({ type: 'publish', topic: topicOfRoom(room), data: `check-${attempt}` })));
    await sleep(1000);
    if (reached.every((value) => value === 1)) return;
    if (attempt === 20) throw new Error(`only ${reached.reduce((a, b) => a + b, 0)} of ${members.length} members on A heard their room from B`);
  }
}

export async function stormRun(clientCount: number, measureCounts: boolean, log: (line: string) => void): Promise<StormRun> {
  const rooms = clientCount / MEMBERS_ON_A;
  const redis = await startRedis();
  const nodes: NodeProcess[] = [];
  const live: BenchSocket[] = [];
  let closing = false;
  try {
    for (const id of ['storm-a', 'storm-b', 'storm-c']) nodes.push(await startBenchNode(id, redis.url));
    const [a, b, c] = nodes as [NodeProcess, NodeProcess, NodeProcess];
    const counter = new FrameCounter();
    // Member j is in room floor(j / 10); anchor k in room floor(k / 2). Separate source address blocks.
    const members = await openClientsOn(clientCount, 0, counter, () => a.port);
    const anchors = await openClientsOn(rooms * MEMBERS_ON_B, 4000, counter, () => b.port);
    live.push(...members, ...anchors);
    await subscribeAll(members, counter, (j) => topicOfRoom(Math.floor(j / MEMBERS_ON_A)));
    await subscribeAll(anchors, counter, (k) => topicOfRoom(Math.floor(k / MEMBERS_ON_B)));
    await checkRoomsAcross(members, anchors, rooms);
    log(`  storm: ${clientCount} clients on A in ${rooms} rooms (+${anchors.length} on B), killing A`);

    const targets = [b, c];
    const refused: Record<string, number> = {};
    let timeouts = 0;
    let errors = 0;
    const errorKinds = new Map<string, number>();
    let attempts = 0;
    let resubscribed = 0;
    let lastResubscribedAt = 0;
    const resubscribedAt: number[] = [];
    let roomsDelivering = 0;
    let lastRoomAt = 0;
    const roomResubscribed = new Uint16Array(rooms);
    const roomDelivered = new Uint16Array(rooms);
    const delivered = new Uint8Array(clientCount);
    const lastClients = new Int32Array(clientCount);
    const probing = new Set<number>();
    let finished: () => void = () => undefined;
    const allDelivering = new Promise<void>((resolve) => (finished = resolve));

    const onReconnected = (j: number, socket: BenchSocket): void => {
      const room = Math.floor(j / MEMBERS_ON_A);
      let subscribed = false;
      socket.onText = (payload) => {
        if (!subscribed) {
          if (payload.toString() !== '{"type":"pong"}') return;
          // The pong after the subscribe: the node has the subscription (its Redis channel may follow).
          subscribed = true;
          resubscribed++;
          lastResubscribedAt = performance.now();
          resubscribedAt.push(lastResubscribedAt);
          roomResubscribed[room] = (roomResubscribed[room] ?? 0) + 1;
          if (roomResubscribed[room] === MEMBERS_ON_A) probing.add(room);
          return;
        }
        lastClients[j] = clientsField(payload);
        if (delivered[j] === 1) return;
        delivered[j] = 1;
        roomDelivered[room] = (roomDelivered[room] ?? 0) + 1;
        if (roomDelivered[room] === MEMBERS_ON_A) {
          probing.delete(room);
          lastRoomAt = performance.now();
          if (++roomsDelivering === rooms) finished();
        }
      };
      socket.send(maskedFrame(JSON.stringify({ type: 'subscribe', topics: [topicOfRoom(room)] })));
      socket.send(maskedFrame(JSON.stringify({ type: 'ping' })));
    };
    const reconnect = (j: number, attempt: number): void => {
      if (closing) return;
      setTimeout(() => {
        if (closing) return;
        attempts++;
        const target = targets[j % targets.length] as NodeProcess;
        BenchSocket.connect({ host: '127.0.0.1', port: target.port, path: SIGNAL_PATH, localAddress: sourceAddress(j, 0), counter, timeoutMs: HANDSHAKE_TIMEOUT_MS }).then(
          (socket) => {
            live.push(socket);
            socket.onClose = () => reconnect(j, 0);
            onReconnected(j, socket);
          },
          (error: unknown) => {
            const message = error instanceof Error ? error.message : String(error);
            const status = /upgrade refused: HTTP\/1\.1 (\d+)/.exec(message)?.[1];
            if (status !== undefined) refused[status] = (refused[status] ?? 0) + 1;
            else if (message.includes('timed out')) timeouts++;
            else {
              errors++;
              errorKinds.set(message, (errorKinds.get(message) ?? 0) + 1);
            }
            reconnect(j, attempt + 1);
          },
        );
      }, reconnectDelayMs(attempt));
    };
    members.forEach((member, j) => {
      member.onText = undefined;
      member.onClose = () => reconnect(j, 0);
    });
    // A room whose 10 members are all back gets a publish from its first member on B, again every
    // 250 ms until all 10 have it (those on C through Redis, once C subscribed and B counts it).
    const prober = setInterval(() => {
      for (const room of probing) anchors[room * MEMBERS_ON_B]?.send(maskedFrame(JSON.stringify({ type: 'publish', topic: topicOfRoom(room), data: `probe-${room}` })));
    }, PROBE_EVERY_MS);
    const cpu = sampleCpu([b.pid, c.pid, redis.pid() ?? -1]);
    const clientCpu = sampleCpu([process.pid]);
    const overflowsBefore = listenOverflows();
    const killedAt = performance.now();
    await a.kill('SIGKILL');
    const limit = sleep(STORM_LIMIT_MS).then(() => {
      throw new Error(`after ${STORM_LIMIT_MS / 1000} s: ${resubscribed} of ${clientCount} resubscribed, ${roomsDelivering} of ${rooms} rooms delivering`);
    });
    try {
      await Promise.race([allDelivering, limit]);
    } finally {
      clearInterval(prober);
    }
    const peaks = cpu.stop();
    const clientPeak = clientCpu.stop().total;
    const run: StormRun = {
      clients: clientCount,
      resubscribedMs: lastResubscribedAt - killedAt,
      resubscribedP50Ms: (resubscribedAt[Math.floor(clientCount / 2)] ?? Number.NaN) - killedAt,
      resubscribedP90Ms: (resubscribedAt[Math.floor(clientCount * 0.9)] ?? Number.NaN) - killedAt,
      deliveringMs: lastRoomAt - killedAt,
      peakCpu: { b: peaks.perProcess[0] ?? 0, c: peaks.perProcess[1] ?? 0, redis: peaks.perProcess[2] ?? 0, total: peaks.total, clients: clientPeak },
      cpuSeconds: peaks.seconds,
      refused,
      timeouts,
      errors,
      attempts,
      listenOverflows: listenOverflows() - overflowsBefore,
      countsExactMs: undefined,
    };
    if (measureCounts) {
      // The killed node's members stay in B's counts until its liveness key expires and B checks.
      const phaseStart = performance.now();
      for (;;) {
        const roundAt = performance.now();
        lastClients.fill(0);
        for (let room = 0; room < rooms; room++) anchors[room * MEMBERS_ON_B]?.send(maskedFrame(JSON.stringify({ type: 'publish', topic: topicOfRoom(room), data: 'count' })));
        await sleep(1000);
        if (lastClients.every((value) => value === ROOM_SIZE)) {
          run.countsExactMs = roundAt - killedAt;
          break;
        }
        if (roundAt - killedAt > GHOST_LIMIT_MS && roundAt - phaseStart > 10_000) {
          const seen = new Map<number, number>();
          for (const value of lastClients) seen.set(value, (seen.get(value) ?? 0) + 1);
          log(`  storm: \`clients\` still not ${ROOM_SIZE} everywhere after ${((roundAt - killedAt) / 1000).toFixed(0)} s: ${[...seen].map(([value, count]) => `${count}× ${value}`).join(', ')}`);
          break;
        }
      }
    }
    if (errorKinds.size > 0) log(`  storm: connection errors: ${[...errorKinds].map(([message, count]) => `${count}× ${message}`).join('; ')}`);
    const refusedText = Object.entries(refused).map(([status, count]) => `${count}× HTTP ${status}`).join(', ') || 'none';
    log(`  storm: resubscribed: half after ${run.resubscribedP50Ms.toFixed(0)} ms, 90% after ${run.resubscribedP90Ms.toFixed(0)} ms, all after ${run.resubscribedMs.toFixed(0)} ms; every room delivering after ${run.deliveringMs.toFixed(0)} ms; peak CPU B ${(run.peakCpu.b * 100).toFixed(0)}%, C ${(run.peakCpu.c * 100).toFixed(0)}%, redis ${(run.peakCpu.redis * 100).toFixed(0)}%, sum ${(run.peakCpu.total * 100).toFixed(0)}% (bench clients ${(run.peakCpu.clients * 100).toFixed(0)}%); ${attempts} connection attempts, ${run.listenOverflows} listen-queue overflows, refused ${refusedText}, ${timeouts} timeouts, ${errors} errors; counts exact after ${run.countsExactMs === undefined ? '—' : `${(run.countsExactMs / 1000).toFixed(1)} s`}`);
    return run;
  } finally {
    closing = true;
    for (const socket of live) socket.destroy();
    await Promise.all(nodes.map((node) => node.kill('SIGTERM')));
    await redis.stop();
  }
}
