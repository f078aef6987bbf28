import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { connect } from 'node:net';
import { createLogger } from '../../signaling/logger.js';
import { buildIceResponse, mintTurnCredential, stunHostOf, type IceResponse } from '../../signaling/ice.js';
import type { SignalingServer } from '../../signaling/server.js';
import { TestClient, freeUdpPort, httpGet, metric, startNode, wsUrl } from '../helpers/node.js';

const SECRET = 'correct horse battery staple';
const TURN_URLS = ['turn:turn.example.org:3478?transport=udp', 'turn:turn.example.org:3478?transport=tcp', 'turns:turn.example.org:443?transport=tcp'];
/** `<unix expiry seconds>:<16 bytes, base64url>` and nothing else. */
const USERNAME_SHAPE = /^(\d{10}):([A-Za-z0-9_-]{22})$/;

const iceOf = async (node: SignalingServer, init?: RequestInit): Promise<IceResponse> => (await fetch(`${node.url()}/ice`, init)).json() as Promise<IceResponse>;

describe('mintTurnCredential', () => {
  it('matches a vector computed with openssl', () => {
    // printf %s "1700003600:AAECAwQFBgcICQoLDA0ODw" | openssl dgst -sha1 -hmac parley-test-secret -binary | base64
    const random = Uint8Array.from({ length: 16 }, (_, i) => i);
    expect(mintTurnCredential('parley-test-secret', 3600, 1_700_000_000_123, random)).toEqual({
      username: '1700003600:AAECAwQFBgcICQoLDA0ODw',
      credential: 'P2lrX/6hgg6ZFWtceGR9CjfICqQ=',
    });
  });

  it('puts the expiry, in whole seconds, before the random part', () => {
    const { username } = mintTurnCredential('s', 60, 999, new Uint8Array(16));
    expect(username).toBe('60:AAAAAAAAAAAAAAAAAAAAAA');
  });
});

describe('stunHostOf', () => {
  it.each([
    ['chat.example.org', 'chat.example.org'],
    ['Chat.Example.org:8443', 'chat.example.org'],
    ['198.51.100.7:80', '198.51.100.7'],
    ['[2001:DB8::1]:8443', '[2001:db8::1]'],
    ['[2001:db8::1]', '[2001:db8::1]'],
  ])('takes the host of Host %j', (header, host) => {
    expect(stunHostOf(header, '192.0.2.1')).toBe(host);
  });

  it.each([undefined, '', 'evil.example/path', 'a b', 'x"><script>', '[2001:db8::1%eth0]', '[not-v6]:80', 'host:99999', 'host:0', '-bad.example', '1.2.3.999', `${'a'.repeat(64)}.example`])('falls back to the local address for Host %j', (header) => {
    expect(stunHostOf(header, '192.0.2.1')).toBe('192.0.2.1');
  });

  it('writes the local address as a URI host: mapped IPv4 plain, IPv6 bracketed without zone', () => {
    expect(stunHostOf(undefined, '::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(stunHostOf(undefined, 'fe80::1%eth0')).toBe('[fe80::1]');
    expect(stunHostOf(undefined, undefined)).toBeNull();
  });
});

describe('buildIceResponse', () => {
  it('lists configured STUN servers in one entry and ignores the own responder then', () => {
    expect(buildIceResponse({ stunUrls: ['stun:a.example', 'stun:b.example:3479'], ownStun: { host: 'x', port: 3478 }, turnUrls: [], turn: undefined, ttlSeconds: 60 })).toEqual({
      iceServers: [{ urls: ['stun:a.example', 'stun:b.example:3479'] }],
      ttlSeconds: 60,
    });
  });

  it('offers nothing when nothing is configured and no responder runs', () => {
    expect(buildIceResponse({ stunUrls: [], ownStun: undefined, turnUrls: [], turn: undefined, ttlSeconds: 60 })).toEqual({ iceServers: [], ttlSeconds: 60 });
  });
});

describe('GET /ice with TURN configured', () => {
  let node: SignalingServer;
  const lines: string[] = [];
  const stunPortPromise = freeUdpPort();
  beforeAll(async () => {
    node = await startNode({ turnUrls: TURN_URLS, turnSecret: SECRET, turnTtlSeconds: 3600, iceRequestsBurst: 100, stunPort: await stunPortPromise, stunHost: '127.0.0.1', logger: createLogger('debug', (line) => lines.push(line)) });
  });
  afterAll(() => node.close());

  it('answers the documented shape, uncached, same origin only', async () => {
    const response = await fetch(`${node.url()}/ice`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    const body = (await response.json()) as IceResponse;
    expect(Object.keys(body)).toEqual(['iceServers', 'ttlSeconds']);
    expect(body.ttlSeconds).toBe(3600);
    expect(body.iceServers).toEqual([
      { urls: [`stun:127.0.0.1:${node.stunPort()}`] },
      { urls: TURN_URLS, username: expect.stringMatching(USERNAME_SHAPE) as unknown, credential: expect.any(String) as unknown },
    ]);
  });

  it('mints a credential coturn would accept: HMAC-SHA1 of the username, expiring ttlSeconds from now', async () => {
    const before = Math.floor(Date.now() / 1000);
    const turn = (await iceOf(node)).iceServers[1];
    const after = Math.floor(Date.now() / 1000);
    const username = turn?.username ?? '';
    expect(turn?.credential).toBe(createHmac('sha1', SECRET).update(username).digest('base64'));
    const expiry = Number(USERNAME_SHAPE.exec(username)?.[1]);
    expect(expiry).toBeGreaterThanOrEqual(before + 3600);
    expect(expiry).toBeLessThanOrEqual(after + 3600);
  });

  it('gives every request its own username, naming no room, person or address', async () => {
    const client = await TestClient.connect(wsUrl(node));
    client.subscribe('room-of-alice');
    await client.roundTrip();
    const usernames = await Promise.all(Array.from({ length: 5 }, async () => (await iceOf(node)).iceServers[1]?.username ?? ''));
    client.close();
    expect(new Set(usernames).size).toBe(5);
    for (const username of usernames) {
      const random = Buffer.from(USERNAME_SHAPE.exec(username)?.[2] ?? '', 'base64url');
      expect(random.length).toBe(16);
      expect(username).not.toMatch(/room|alice|127\.0\.0\.1|::1/);
    }
  });

  it('names the own STUN responder by the Host the browser used, or else the address it reached', async () => {
    const port = node.stunPort();
    const stunOf = async (options: Parameters<typeof httpGet>[1]): Promise<unknown> => (JSON.parse((await httpGet(`${node.url()}/ice`, options)).body) as IceResponse).iceServers[0]?.urls;
    expect(await stunOf({ headers: { host: 'chat.example.org:8443' } })).toEqual([`stun:chat.example.org:${port}`]);
    expect(await stunOf({ headers: { host: '[2001:db8::7]:8443' } })).toEqual([`stun:[2001:db8::7]:${port}`]);
    expect(await stunOf({ headers: { host: 'x"><img src=y>' } })).toEqual([`stun:127.0.0.1:${port}`]);
    // HTTP/1.1 without Host is refused by Node itself (400); HTTP/1.0 may omit it.
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(node.address().port, '127.0.0.1', () => socket.end('GET /ice HTTP/1.0\r\n\r\n'));
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect((JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as IceResponse).iceServers[0]?.urls).toEqual([`stun:127.0.0.1:${port}`]);
  });

  it('answers HEAD with the headers and no body', async () => {
    const response = await httpGet(`${node.url()}/ice`, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body).toBe('');
  });

  it('never logs a credential, the secret, or the username, even at debug level', async () => {
    const seen = await Promise.all(Array.from({ length: 3 }, () => iceOf(node)));
    expect(lines.length).toBeGreaterThan(0); // the logger is live: at least the listening line
    const logged = lines.join('\n');
    expect(logged).not.toContain(SECRET);
    for (const body of seen) {
      const turn = body.iceServers[1];
      expect(logged).not.toContain(turn?.username);
      expect(logged).not.toContain(turn?.credential);
      expect(logged).not.toContain(turn?.username?.split(':')[1]);
    }
  });
});

describe('GET /ice without TURN', () => {
  it('carries no credential, only the configured STUN servers', async () => {
    const node = await startNode({ stunUrls: ['stun:stun.example.org:3478', 'stuns:stun.example.org:5349'] });
    try {
      const body = await iceOf(node);
      expect(body).toEqual({ iceServers: [{ urls: ['stun:stun.example.org:3478', 'stuns:stun.example.org:5349'] }], ttlSeconds: 21600 });
      expect(JSON.stringify(body)).not.toMatch(/username|credential/);
    } finally {
      await node.close();
    }
  });

  it('offers an empty list when the responder is off and nothing is configured', async () => {
    const node = await startNode();
    try {
      expect(await iceOf(node)).toEqual({ iceServers: [], ttlSeconds: 21600 });
      expect(await (await fetch(`${node.url()}/healthz`)).json()).toMatchObject({ stun: 'off' });
    } finally {
      await node.close();
    }
  });

  it('refuses TURN_URLS without TURN_SECRET in code as in configuration', async () => {
    await expect(startNode({ turnUrls: TURN_URLS })).rejects.toThrow('TURN_URLS needs TURN_SECRET');
  });
});

describe('/ice per-address limit', () => {
  let node: SignalingServer;
  let clock = 0;
  beforeAll(async () => {
    // 30 a minute is one token per 2 s; the clock stands still unless a test moves it.
    node = await startNode({ iceRequestsPerMinute: 30, iceRequestsBurst: 5, now: () => clock, trustProxy: true });
  });
  afterAll(() => node.close());
  const from = (address: string): Promise<number> => httpGet(`${node.url()}/ice`, { headers: { 'x-forwarded-for': address } }).then((response) => response.status);

  it('serves the burst, then answers 429 with Retry-After, and counts both', async () => {
    const statuses = await Promise.all(Array.from({ length: 200 }, () => from('198.51.100.7')));
    expect(statuses.filter((status) => status === 200)).toHaveLength(5);
    expect(statuses.filter((status) => status === 429)).toHaveLength(195);
    const limited = await httpGet(`${node.url()}/ice`, { headers: { 'x-forwarded-for': '198.51.100.7' } });
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('2');
    expect(await metric(node, 'parley_ice_requests_total{result="served"}')).toBe(5);
    expect(await metric(node, 'parley_ice_requests_total{result="limited"}')).toBe(196);
    expect((await fetch(`${node.url()}/healthz`)).status).toBe(200);
  });

  it('still serves another address, and refills with time', async () => {
    expect(await from('198.51.100.8')).toBe(200);
    clock += 2000;
    expect(await from('198.51.100.7')).toBe(200);
    expect(await from('198.51.100.7')).toBe(429);
  });

  it('counts an IPv6 client by its /64', async () => {
    for (let i = 1; i <= 5; i++) expect(await from(`2001:db8:1:2::${i}`)).toBe(200);
    expect(await from('2001:db8:1:2:ffff::1')).toBe(429);
    expect(await from('2001:db8:1:3::1')).toBe(200);
  });

  it('limits by the TCP source address without a trusted proxy', async () => {
    const direct = await startNode({ iceRequestsPerMinute: 30, iceRequestsBurst: 2, now: () => 0 });
    try {
      const get = (localAddress: string): Promise<number> => httpGet(`${direct.url()}/ice`, { localAddress, headers: { 'x-forwarded-for': `192.0.2.${Math.random() * 250 | 0}` } }).then((r) => r.status);
      expect([await get('127.0.0.1'), await get('127.0.0.1'), await get('127.0.0.1')]).toEqual([200, 200, 429]);
      expect(await get('127.0.0.2')).toBe(200);
    } finally {
      await direct.close();
    }
  });
});
