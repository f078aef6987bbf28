/**
 * Installable and offline, in Chromium: the service worker a first visit registers serves the home
 * page, Recent rooms and a room with its stored history while the network is gone; a message
 * written offline goes out when the network returns. "Offline" is the browser context set offline
 * and the node stopped (a service worker's own fetches are not always covered by the emulation);
 * the node comes back on the same port, so the origin and the worker stay the same.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import type { SignalingServer } from '../../signaling/server.js';
import { launchChromium, requireClientBuild } from '../helpers/browser.js';
import { startNode } from '../helpers/node.js';
import { messagesLog, say } from '../helpers/e2e.js';
import { waitForWorker } from '../helpers/service-worker.js';

describe('offline, from the service worker', () => {
  let browser: Browser;
  let node: SignalingServer | undefined;
  let port = 0;
  let staticDir = '';
  const contexts: BrowserContext[] = [];
  const startOn = async (): Promise<void> => {
    node = await startNode({ staticDir, port });
    port = Number(new URL(node.url()).port);
  };
  beforeAll(async () => {
    staticDir = mkdtempSync(join(tmpdir(), 'parley-offline-'));
    cpSync(requireClientBuild(), staticDir, { recursive: true });
    await startOn();
    browser = await launchChromium();
  });
  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await node?.close();
    rmSync(staticDir, { recursive: true, force: true });
  });
  const newContext = async (): Promise<BrowserContext> => {
    const context = await browser.newContext();
    contexts.push(context);
    return context;
  };

  it('opens the home page, Recent rooms and a room with its history offline, and sends what was written offline when the network returns', async () => {
    const aliceContext = await newContext();
    const alice = await aliceContext.newPage();
    const base = node?.url() ?? '';
    await alice.goto(base);
    await waitForWorker(alice);
    await alice.getByRole('button', { name: 'Create room' }).click();
    await alice.waitForURL(/#k=/);
    const roomUrl = alice.url();
    await say(alice, 'Written while online');
    await expect.poll(() => messagesLog(alice).getByText('Written while online').count()).toBe(1);

    // The network goes away.
    await aliceContext.setOffline(true);
    await node?.close();
    node = undefined;

    await alice.goto(base);
    await expect.poll(() => alice.getByRole('button', { name: 'Create room' }).isVisible()).toBe(true);
    await expect.poll(() => alice.getByRole('list', { name: 'Recent rooms' }).getByRole('listitem').count()).toBe(1);

    await alice.goto(roomUrl);
    await alice.reload();
    await expect.poll(() => messagesLog(alice).getByText('Written while online').count(), { timeout: 20_000 }).toBe(1);
    // The header says so.
    const status = alice.getByRole('status', { name: 'Connection' });
    await expect.poll(() => status.textContent(), { timeout: 15_000 }).toBe('Offline — history available');
    const composer = alice.getByRole('textbox', { name: 'Message', exact: true });
    await expect.poll(() => composer.isEditable()).toBe(true);
    await say(alice, 'Written while offline');
    await expect.poll(() => messagesLog(alice).getByText('Written while offline').count()).toBe(1);

    // The network returns: the node is back on the same address, and the page hears `online`.
    await startOn();
    await aliceContext.setOffline(false);
    const bob = await (await newContext()).newPage();
    await bob.goto(roomUrl);
    await expect.poll(() => messagesLog(bob).getByText('Written while online').count(), { timeout: 30_000 }).toBe(1);
    await expect.poll(() => messagesLog(bob).getByText('Written while offline').count(), { timeout: 30_000 }).toBe(1);
  });
});
