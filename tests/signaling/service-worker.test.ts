import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../signaling/config.js';
import type { SignalingServer } from '../../signaling/server.js';
import { httpGet, startNode } from '../helpers/node.js';

describe('/sw.js and SERVICE_WORKER', () => {
  let dir = '';
  const nodes: SignalingServer[] = [];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-sw-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Parley</title>');
    writeFileSync(join(dir, 'sw.js'), '// the build\'s worker\nconst VERSION = "0123456789abcdef";\n');
  });
  afterAll(async () => {
    for (const node of nodes) await node.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const start = async (serviceWorker?: boolean): Promise<SignalingServer> => {
    const node = await startNode({ staticDir: dir, ...(serviceWorker === undefined ? {} : { serviceWorker }) });
    nodes.push(node);
    return node;
  };

  it('is on by default, and SERVICE_WORKER=off / --service-worker=off turn it off', () => {
    expect(loadConfig([], {}).serviceWorker).toBe(true);
    expect(loadConfig([], { SERVICE_WORKER: 'off' }).serviceWorker).toBe(false);
    expect(loadConfig(['--service-worker=off'], {}).serviceWorker).toBe(false);
    expect(() => loadConfig([], { SERVICE_WORKER: 'sometimes' })).toThrow('SERVICE_WORKER');
  });

  it('serves the build\'s worker as JavaScript, revalidated on every visit', async () => {
    const response = await httpGet(`${(await start()).url()}/sw.js`);
    expect(response.status).toBe(200);
    expect(response.body).toContain('0123456789abcdef');
    expect(response.headers['content-type']).toMatch(/javascript/);
    expect(response.headers['cache-control']).toBe('no-cache');
  });

  it('serves, with SERVICE_WORKER=off, a worker that deletes the caches and unregisters itself, also without a static directory', async () => {
    for (const node of [await start(false), await startNode({ serviceWorker: false })]) {
      if (!nodes.includes(node)) nodes.push(node);
      const response = await httpGet(`${node.url()}/sw.js`);
      expect(response.status).toBe(200);
      expect(response.body).not.toContain('0123456789abcdef');
      expect(response.body).toContain('caches.delete');
      expect(response.body).toContain('registration.unregister()');
      expect(response.headers['content-type']).toMatch(/javascript/);
      expect(response.headers['cache-control']).toBe('no-cache');
    }
  });
});
