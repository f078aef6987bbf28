/**
 * The generated worker (vite/worker-source.ts), run in a bare VM context with a fake `self`: which
 * requests it answers, and which it never touches (the node's endpoints, other origins, anything
 * but GET). And the precache list a build gives (vite/service-worker.ts).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { shellFiles } from '../../vite/service-worker.js';
import { workerSource } from '../../vite/worker-source.js';

const ORIGIN = 'https://chat.example.org';
type Listener = (event: unknown) => void;

function loadWorker(files: readonly string[]): { answers(url: string, init?: { method?: string; mode?: string }): boolean; listeners: Map<string, Listener> } {
  const listeners = new Map<string, Listener>();
  const self = { location: new URL(ORIGIN), addEventListener: (type: string, listener: Listener) => listeners.set(type, listener), clients: { claim: async () => undefined }, skipWaiting: () => undefined };
  runInNewContext(workerSource('0123456789abcdef', files), { self, URL, caches: { open: async () => ({ match: async () => undefined }) }, fetch: () => Promise.reject(new Error('no network')), Request: class {}, setTimeout, Promise, Set, JSON });
  return {
    listeners,
    answers(url, init = {}) {
      let answered = false;
      listeners.get('fetch')?.({ request: { url, method: init.method ?? 'GET', mode: init.mode ?? 'cors' }, respondWith: (response: unknown) => {
        answered = true;
        Promise.resolve(response).catch(() => undefined);
      } });
      return answered;
    },
  };
}

describe('the generated service worker', () => {
  const worker = loadWorker(['/assets/index-abc.js', '/assets/index-abc.css', '/index.html', '/manifest.webmanifest']);

  it('answers navigations (a room link reloaded offline gets the shell) and precached files', () => {
    expect(worker.answers(`${ORIGIN}/`, { mode: 'navigate' })).toBe(true);
    expect(worker.answers(`${ORIGIN}/assets/index-abc.js`)).toBe(true);
    expect(worker.answers(`${ORIGIN}/manifest.webmanifest`)).toBe(true);
  });

  it('never answers the signaling socket, /ice, /healthz, /metrics, other origins, files it did not precache, or anything but GET', () => {
    for (const path of ['/signal', '/ice', '/healthz', '/metrics', '/ice?x=1']) {
      expect(worker.answers(`${ORIGIN}${path}`)).toBe(false);
      expect(worker.answers(`${ORIGIN}${path}`, { mode: 'navigate' })).toBe(false);
    }
    expect(worker.answers('https://elsewhere.example/assets/index-abc.js')).toBe(false);
    expect(worker.answers(`${ORIGIN}/assets/unknown.js`)).toBe(false);
    expect(worker.answers(`${ORIGIN}/assets/index-abc.js?v=2`)).toBe(false);
    expect(worker.answers(`${ORIGIN}/`, { mode: 'navigate', method: 'POST' })).toBe(false);
  });

  it('does not take over by itself: skipWaiting only on the page\'s SKIP_WAITING message', () => {
    let skipped = 0;
    const listeners = new Map<string, Listener>();
    const self = { location: new URL(ORIGIN), addEventListener: (type: string, listener: Listener) => listeners.set(type, listener), skipWaiting: () => void skipped++ };
    runInNewContext(workerSource('0123456789abcdef', []), { self, URL, Set, JSON });
    listeners.get('message')?.({ data: 'SKIP_WAITING' });
    listeners.get('message')?.({ data: null });
    expect(skipped).toBe(0);
    listeners.get('message')?.({ data: { type: 'SKIP_WAITING' } });
    expect(skipped).toBe(1);
  });

  it('precaches a build\'s files, without source maps, precompressed twins or itself', () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-shell-'));
    try {
      mkdirSync(join(dir, 'assets'));
      for (const file of ['index.html', 'sw.js', 'icon-192.png', 'assets/Room-x.js', 'assets/Room-x.js.map', 'assets/Room-x.js.gz', 'assets/Room-x.js.br']) writeFileSync(join(dir, file), 'x');
      expect(shellFiles(dir)).toEqual(['/assets/Room-x.js', '/icon-192.png', '/index.html']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
