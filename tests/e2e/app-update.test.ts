/**
 * Updates are offered, never forced; and the kill switch. A node serves a copy of the build; a
 * second version of sw.js is written into that copy (as a deploy would), and the node is then
 * restarted with SERVICE_WORKER=off on the same address (same origin, same registration).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { SignalingServer } from '../../signaling/server.js';
import { launchChromium, requireClientBuild } from '../helpers/browser.js';
import { startNode } from '../helpers/node.js';
import { messagesLog, say } from '../helpers/e2e.js';
import { waitForWorker } from '../helpers/service-worker.js';

const shellCaches = (page: Page): Promise<string[]> => page.evaluate(async () => (await caches.keys()).filter((name) => name.startsWith('parley-')));
const registrations = (page: Page): Promise<number> => page.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).length);

describe('service worker updates and the kill switch', () => {
  let browser: Browser;
  let node: SignalingServer | undefined;
  let staticDir = '';
  let context: BrowserContext | undefined;
  beforeAll(async () => {
    staticDir = mkdtempSync(join(tmpdir(), 'parley-update-'));
    cpSync(requireClientBuild(), staticDir, { recursive: true });
    node = await startNode({ staticDir });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close();
    await node?.close();
    rmSync(staticDir, { recursive: true, force: true });
  });

  it('offers a new version with Reload and never reloads by itself; Reload moves to it; SERVICE_WORKER=off removes the worker and its caches', async () => {
    context = await browser.newContext();
    const page = await context.newPage();
    const navigations: string[] = [];
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) navigations.push(frame.url());
    });
    const base = node?.url() ?? '';
    await page.goto(base);
    await waitForWorker(page);
    const [firstCache] = await shellCaches(page);
    expect(firstCache).toMatch(/^parley-shell-[0-9a-f]{16}$/);
    await page.getByRole('button', { name: 'Create room' }).click();
    await page.waitForURL(/#k=/);
    await say(page, 'Mid-conversation');
    await expect.poll(() => messagesLog(page).getByText('Mid-conversation').count()).toBe(1);
    // No offer for the first install.
    expect(await page.getByRole('complementary', { name: 'App update' }).count()).toBe(0);

    // A deploy: a new sw.js, and the node restarted on the same address (it reads the files' sizes
    // and ETags when it starts). The open room checks for it, as a browser does on navigations and every 24 h.
    const worker = join(staticDir, 'sw.js');
    writeFileSync(worker, readFileSync(worker, 'utf8').replace(/const VERSION = "[0-9a-f]+"/, 'const VERSION = "0123456789abcdef"'));
    const port = Number(new URL(base).port);
    await node?.close();
    node = await startNode({ staticDir, port });
    const before = navigations.length;
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update());
    const banner = page.getByRole('complementary', { name: 'App update' });
    await expect.poll(() => banner.getByRole('status').textContent(), { timeout: 30_000 }).toBe('A new version is ready.');
    await expect.poll(() => page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.waiting !== null)).toBe(true);
    // Waiting, not forced: the conversation and its page are still there, the old version still in charge.
    expect(navigations.length).toBe(before);
    expect(await messagesLog(page).getByText('Mid-conversation').count()).toBe(1);
    expect(await shellCaches(page)).toContain(firstCache);

    await banner.getByRole('button', { name: 'Reload' }).click();
    await expect.poll(() => navigations.length, { timeout: 30_000 }).toBe(before + 1);
    await expect.poll(() => shellCaches(page)).toEqual(['parley-shell-0123456789abcdef']);
    await expect.poll(() => page.getByRole('complementary', { name: 'App update' }).count()).toBe(0);
    await expect.poll(() => messagesLog(page).getByText('Mid-conversation').count(), { timeout: 20_000 }).toBe(1);

    // The kill switch: same address, SERVICE_WORKER=off.
    await node?.close();
    node = await startNode({ staticDir, port, serviceWorker: false });
    await page.goto(base);
    await expect.poll(() => registrations(page), { timeout: 30_000 }).toBe(0);
    await expect.poll(() => shellCaches(page)).toEqual([]);
  }, 180_000);
});
