import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { SignalingServer } from '../../signaling/server.js';
import { launchChromium, requireClientBuild } from '../helpers/browser.js';
import { startNode } from '../helpers/node.js';

describe('home page in Chromium, served by the node', () => {
  let browser: Browser;
  let node: SignalingServer;
  beforeAll(async () => {
    node = await startNode({ staticDir: requireClientBuild() });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await node?.close();
  });

  for (const [name, viewport] of [['desktop', { width: 1280, height: 800 }], ['phone', { width: 360, height: 740 }]] as const) {
    it(`loads at ${name} width under the CSP with Create room, and fits the screen`, async () => {
      const page = await browser.newPage({ viewport });
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(error.message));
      await page.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (event) => console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`));
      });
      await page.goto(node.url());
      await expect.poll(() => page.getByRole('heading', { name: 'Parley' }).count()).toBe(1);
      await expect.poll(() => page.getByRole('button', { name: 'Create room' }).isEnabled()).toBe(true);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      expect(problems).toEqual([]);
      await page.close();
    });
  }

  it('explains a damaged invite link instead of showing a blank page', async () => {
    const page = await browser.newPage();
    await page.goto(`${node.url()}/#k=not-a-real-secret`);
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('invite link is incomplete or damaged');
    await expect.poll(() => page.getByRole('button', { name: 'Create room' }).count()).toBe(1);
    await page.close();
  });
});
