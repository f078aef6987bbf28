import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { createAddressLimiter } from '../../signaling/address-limiter.js';
import { createLogger, silentLogger } from '../../signaling/logger.js';
import { STUN_RESULTS, createStats, type NodeStats, type StunResult } from '../../signaling/metrics.js';
import { createStunResponder, type StunResponder } from '../../signaling/stun-responder.js';
import { freeUdpPort, httpGet, metric, startNode, until } from '../helpers/node.js';
import { createRandom } from '../helpers/random.js';
import { UdpClient, bindingRequest, readBindingAnswer, stunMessage, type Attribute } from './stun-packets.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Running {
  responder: StunResponder;
  stats: NodeStats;
  port: number;
}

async function startResponder(options: { host?: string | undefined; perSecond?: number; now?: () => number } = {}): Promise<Running> {
  const stats = createStats();
  const perSecond = options.perSecond ?? 1000;
  const limiter = createAddressLimiter({ perSecond, burst: perSecond, maxKeys: 1000, now: options.now ?? (() => performance.now()) });
  const responder = createStunResponder({ port: 0, host: 'host' in options ? options.host : '127.0.0.1', ipv6PrefixLength: 64, limiter, stats, log: silentLogger });
  cleanups.push(() => responder.close());
  const port = await responder.ready;
  if (port === undefined) throw new Error('responder did not bind');
  return { responder, stats, port };
}

async function openClient(host = '127.0.0.1'): Promise<UdpClient> {
  const client = await UdpClient.open(host);
  cleanups.push(() => client.close());
  return client;
}

const total = (stats: NodeStats): number => STUN_RESULTS.reduce((sum, result) => sum + stats.stunPackets[result], 0);
const nonZero = (stats: NodeStats): Partial<Record<StunResult, number>> => Object.fromEntries(Object.entries(stats.stunPackets).filter(([, n]) => n > 0));
const attr = (type: number, bytes: number | string): Attribute => ({ type, value: typeof bytes === 'string' ? Buffer.from(bytes) : Buffer.alloc(bytes, 7) });

describe('STUN responder', () => {
  it('answers a Binding request with the sender\'s address XOR-mapped and a valid FINGERPRINT', async () => {
    const { port, stats } = await startResponder();
    const client = await openClient();
    const id = randomBytes(12);
    await client.send(bindingRequest(id), port);
    await until(() => client.received.length === 1, 5000, 'the answer');
    const packet = client.received[0] as Buffer;
    expect(packet.length).toBe(40); // header, XOR-MAPPED-ADDRESS (IPv4), FINGERPRINT: nothing else
    expect(readBindingAnswer(packet)).toEqual({ transactionId: id.toString('hex'), family: 1, address: '127.0.0.1', port: client.port, attributeTypes: [0x0020, 0x8028], fingerprintValid: true });
    await until(() => stats.stunPackets.answered === 1);
  });

  it('answers requests carrying a FINGERPRINT, SOFTWARE, or ICE\'s USERNAME and PRIORITY', async () => {
    const { port } = await startResponder();
    const client = await openClient();
    const requests = [
      bindingRequest(randomBytes(12), [], true),
      bindingRequest(randomBytes(12), [attr(0x8022, 'libwebrtc')], true),
      bindingRequest(randomBytes(12), [attr(0x0006, 'abcd:efgh'), attr(0x0024, 4), attr(0x8029, 8), attr(0x0008, 20)], true),
    ];
    for (const request of requests) await client.send(request, port);
    await until(() => client.received.length === 3, 5000, 'three answers');
    expect(client.received.map((packet) => readBindingAnswer(packet).transactionId).sort()).toEqual(requests.map((r) => r.subarray(8, 20).toString('hex')).sort());
  });

  it('maps an IPv6 sender with the transaction id in the XOR, and an IPv4 sender on a dual-stack socket as IPv4', async () => {
    const v6 = await startResponder({ host: '::1' });
    const v6client = await openClient('::1');
    await v6client.send(bindingRequest(randomBytes(12)), v6.port, '::1');
    await until(() => v6client.received.length === 1, 5000, 'the IPv6 answer');
    expect(v6client.received[0]?.length).toBe(52);
    expect(readBindingAnswer(v6client.received[0] as Buffer)).toMatchObject({ family: 2, address: '0:0:0:0:0:0:0:1', port: v6client.port, fingerprintValid: true });

    const dual = await startResponder({ host: undefined }); // every interface, dual-stack
    const v4client = await openClient();
    await v4client.send(bindingRequest(randomBytes(12)), dual.port);
    await until(() => v4client.received.length === 1, 5000, 'the dual-stack answer');
    expect(readBindingAnswer(v4client.received[0] as Buffer)).toMatchObject({ family: 1, address: '127.0.0.1', port: v4client.port });
  });

  it('answers nothing that is not a well-formed Binding request, and counts each by reason', async () => {
    const { port, stats } = await startResponder();
    const client = await openClient();
    const id = (): Buffer => randomBytes(12);
    const valid = bindingRequest(id(), [], true);
    const withLength = (packet: Buffer, length: number): Buffer => {
      const out = Buffer.from(packet);
      out.writeUInt16BE(length, 2);
      return out;
    };
    const badCookie = Buffer.from(valid);
    badCookie.writeUInt32BE(0x2112a443, 4);
    const badFingerprint = Buffer.from(valid);
    badFingerprint[valid.length - 1] = (badFingerprint[valid.length - 1] ?? 0) ^ 1;
    const random = createRandom(7);
    const corpus: Array<[string, Buffer, StunResult]> = [
      ['zero-length', Buffer.alloc(0), 'not_stun'],
      ['a header cut short', valid.subarray(0, 19), 'not_stun'],
      ['wrong magic cookie', badCookie, 'not_stun'],
      ['top bits set', stunMessage(0xc001, id()), 'not_stun'],
      ['HTTP text', Buffer.from('GET / HTTP/1.1\r\nHost: example.org\r\n\r\n'), 'not_stun'],
      ['random bytes', Buffer.from(Array.from({ length: 96 }, () => random.int(256))), 'not_stun'],
      ['truncated: FINGERPRINT cut off', valid.subarray(0, valid.length - 4), 'malformed'],
      ['length not a multiple of 4', withLength(bindingRequest(id(), [attr(0x8022, 4)]), 6), 'malformed'],
      ['length past the datagram', withLength(bindingRequest(id()), 8), 'malformed'],
      ['attribute running past the end', withLength(Buffer.concat([bindingRequest(id()), Buffer.from([0x80, 0x22, 0x00, 0x40])]), 4), 'malformed'],
      ['FINGERPRINT not last', bindingRequest(id(), [attr(0x8028, 4), attr(0x8022, 4)]), 'malformed'],
      ['FINGERPRINT of 8 bytes', bindingRequest(id(), [attr(0x8028, 8)]), 'malformed'],
      ['bad FINGERPRINT', badFingerprint, 'bad_fingerprint'],
      ['indication', stunMessage(0x0011, id()), 'not_binding_request'],
      ['success response', stunMessage(0x0101, id()), 'not_binding_request'],
      ['error response', stunMessage(0x0111, id()), 'not_binding_request'],
      ['Allocate request', stunMessage(0x0003, id(), [{ type: 0x0019, value: Uint8Array.of(17, 0, 0, 0) }]), 'not_binding_request'],
      ['Refresh request', stunMessage(0x0004, id()), 'not_binding_request'],
      ['CHANGE-REQUEST (NAT discovery)', bindingRequest(id(), [attr(0x0003, 4)]), 'unknown_attribute'],
      ['RESPONSE-PORT (send elsewhere)', bindingRequest(id(), [attr(0x0027, 4)]), 'unknown_attribute'],
      ['a valid request of 600 bytes', bindingRequest(id(), [attr(0x8022, 576)]), 'oversized'],
      ['64 KiB of junk', Buffer.alloc(65_507, 0xa5), 'oversized'],
    ];
    for (const [, packet] of corpus) await client.send(packet, port);
    await until(() => total(stats) === corpus.length, 5000, 'every packet to be counted');
    const expected: Partial<Record<StunResult, number>> = {};
    for (const [, , reason] of corpus) expected[reason] = (expected[reason] ?? 0) + 1;
    expect(nonZero(stats)).toEqual(expected);
    // The socket is still answering, and that answer is the only one ever sent.
    const probe = randomBytes(12);
    await client.send(bindingRequest(probe), port);
    await until(() => client.received.length > 0, 5000, 'the probe\'s answer');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(client.received.map((packet) => readBindingAnswer(packet).transactionId)).toEqual([probe.toString('hex')]);
  });

  it('answers one source at most its rate, and another source still', async () => {
    const { port, stats } = await startResponder({ perSecond: 3, now: () => 0 });
    const flooder = await openClient();
    for (let i = 0; i < 10; i++) await flooder.send(bindingRequest(randomBytes(12)), port);
    await until(() => total(stats) === 10 && flooder.received.length === 3, 5000, 'ten counted, three answered');
    expect(nonZero(stats)).toEqual({ answered: 3, rate_limited: 7 });
    const neighbour = await openClient('127.0.0.2');
    await neighbour.send(bindingRequest(randomBytes(12)), port);
    await until(() => neighbour.received.length === 1, 5000, 'the other source\'s answer');
  });
});

describe('STUN responder in the node', () => {
  it('starts with the node when STUN_URLS is empty, is offered by /ice and /healthz, counts in /metrics, stops on close', async () => {
    const stunPort = await freeUdpPort();
    const node = await startNode({ stunPort, stunHost: '127.0.0.1' });
    let closed = false;
    cleanups.push(() => (closed ? undefined : node.close()));
    expect(node.stunPort()).toBe(stunPort);
    expect(await (await fetch(`${node.url()}/healthz`)).json()).toMatchObject({ stun: 'on' });
    const ice = JSON.parse((await httpGet(`${node.url()}/ice`, { headers: { host: 'chat.example.org' } })).body) as unknown;
    expect(ice).toEqual({ iceServers: [{ urls: [`stun:chat.example.org:${stunPort}`] }], ttlSeconds: 21600 });
    const client = await openClient();
    await client.send(bindingRequest(randomBytes(12)), stunPort);
    await client.send(Buffer.from('hello'), stunPort);
    await until(() => client.received.length === 1, 5000, 'the answer');
    await until(async () => (await metric(node, 'parley_stun_packets_total{result="not_stun"}')) === 1);
    expect(await metric(node, 'parley_stun_packets_total{result="answered"}')).toBe(1);
    await node.close();
    closed = true;
    expect(node.stunPort()).toBeUndefined();
    // The port is free again: closing released the socket.
    const again = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      again.once('error', reject);
      again.bind(stunPort, '127.0.0.1', () => resolve());
    });
    again.close();
  });

  it('does not run when STUN_URLS names servers', async () => {
    const node = await startNode({ stunPort: await freeUdpPort(), stunUrls: ['stun:stun.example.org'] });
    cleanups.push(() => node.close());
    expect(node.stunPort()).toBeUndefined();
    expect(await (await fetch(`${node.url()}/healthz`)).json()).toMatchObject({ stun: 'off' });
  });

  it('warns naming STUN_PORT and runs on without it when the port is taken; /ice then does not offer it', async () => {
    const holder = createSocket('udp4');
    const taken = await new Promise<number>((resolve) => holder.bind(0, '127.0.0.1', () => resolve(holder.address().port)));
    cleanups.push(() => holder.close());
    const lines: string[] = [];
    const node = await startNode({ stunPort: taken, stunHost: '127.0.0.1', logger: createLogger('warn', (line) => lines.push(line)) });
    cleanups.push(() => node.close());
    const warning = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(warning).toMatchObject({ level: 'warn', STUN_PORT: taken, error: 'EADDRINUSE' });
    expect(node.stunPort()).toBeUndefined();
    expect(await (await fetch(`${node.url()}/ice`)).json()).toEqual({ iceServers: [], ttlSeconds: 21600 });
    expect(await (await fetch(`${node.url()}/healthz`)).json()).toMatchObject({ status: 'ok', stun: 'off' });
  });
});
