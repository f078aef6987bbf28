import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { SignalingServer } from '../../signaling/server.js';
import { TestClient, startNode, wsUrl } from '../helpers/node.js';

/** A directory shaped like a Vite build. */
function fakeBuild(): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-static-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Parley</title>');
  const script = `console.log(${JSON.stringify('x'.repeat(2000))});`;
  writeFileSync(join(dir, 'assets', 'index-AbC123.js'), script);
  writeFileSync(join(dir, 'assets', 'index-AbC123.js.gz'), gzipSync(script));
  return dir;
}

describe('HTTP endpoints', () => {
  let node: SignalingServer;
  beforeAll(async () => {
    node = await startNode({ staticDir: fakeBuild() });
  });
  afterAll(() => node.close());
  const fetchPath = (path: string, init?: RequestInit): Promise<Response> => fetch(`${node.url()}${path}`, init);

  it('GET /healthz answers 200 with status ok', async () => {
    const response = await fetchPath('/healthz');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(await response.json()).toMatchObject({ status: 'ok', connections: 0, topics: 0 });
  });

  it('GET /metrics answers in Prometheus text format', async () => {
    const response = await fetchPath('/metrics');
    expect(response.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const text = await response.text();
    for (const name of ['parley_connections', 'parley_topics', 'parley_frames_in_total', 'parley_frames_out_total', 'parley_frames_rejected_total', 'parley_connections_refused_total', 'parley_ice_requests_total', 'parley_stun_packets_total']) {
      expect(text).toContain(`# TYPE ${name} `);
    }
  });

  it('serves index.html for app routes (SPA fallback) with security headers and no caching', async () => {
    const response = await fetchPath('/any/route');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html;charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toMatch(/connect-src 'self' ws:\/\/127\.0\.0\.1:\d+\/signal wss:\/\/127\.0\.0\.1:\d+\/signal/);
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it('serves hashed assets with long immutable caching, precompressed when accepted', async () => {
    const response = await fetchPath('/assets/index-AbC123.js', { headers: { 'accept-encoding': 'gzip' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/javascript');
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(response.headers.get('content-encoding')).toBe('gzip');
    expect(await response.text()).toContain('console.log');
  });

  it('answers 404 for a missing asset rather than the page', async () => {
    expect((await fetchPath('/assets/index-missing.js')).status).toBe(404);
  });

  it('answers 405 to other methods and 426 to plain GET /signal', async () => {
    expect((await fetchPath('/', { method: 'POST', body: 'x' })).status).toBe(405);
    expect((await fetchPath('/signal')).status).toBe(426);
  });
});

describe('without a static directory (npm run signal)', () => {
  it('serves no pages, only the node endpoints', async () => {
    const node = await startNode();
    try {
      expect((await fetch(`${node.url()}/`)).status).toBe(404);
      expect((await fetch(`${node.url()}/healthz`)).status).toBe(200);
    } finally {
      await node.close();
    }
  });
});

describe('TLS', () => {
  it('serves https and wss with the configured certificate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-tls-'));
    const [cert, key] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
    const node = await startNode({ tlsCert: cert, tlsKey: key });
    try {
      expect(node.url()).toMatch(/^https:\/\//);
      const health = await new Promise<{ status: number; hsts: string | undefined }>((resolve, reject) => {
        get(`${node.url()}/healthz`, { ca: readFileSync(cert) }, (res) => {
          res.resume();
          resolve({ status: res.statusCode ?? 0, hsts: res.headers['strict-transport-security'] });
        }).on('error', reject);
      });
      expect(health).toEqual({ status: 200, hsts: 'max-age=31536000' });
      const client = await TestClient.connect(wsUrl(node), { ca: readFileSync(cert) });
      expect(wsUrl(node)).toMatch(/^wss:\/\//);
      await client.roundTrip();
      client.close();
    } finally {
      await node.close();
    }
  });
});
