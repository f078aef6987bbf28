/**
 * What every end-to-end room test needs: a signaling node serving the built client and one
 * Chromium, started before the file's tests and closed after; pages in contexts of their own
 * (each one another person's browser); and the accessible names people and automation use.
 */
import { afterAll, beforeAll } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import type { SignalingServer } from '../../signaling/server.js';
import { launchChromium, requireClientBuild } from './browser.js';
import { startNode } from './node.js';

export interface RoomHarness {
  readonly node: () => SignalingServer;
  readonly browser: () => Browser;
  /**
   * A page opened at `url`: in a fresh context (empty storage, downloads allowed), or in `context`
   * (another tab of that browser); `beforeGoto` runs first (to listen to the page from its start).
   */
  openPage(url: string, options?: { context?: BrowserContext; beforeGoto?: (page: Page) => unknown }): Promise<Page>;
  /** Registers a context to close at the end. */
  track(context: BrowserContext): void;
}

/** `{ node: false }`: no node of its own, for files that start theirs (several nodes over Redis). */
export function useRoomHarness(options: { node?: boolean } = {}): RoomHarness {
  let browser: Browser | undefined;
  let node: SignalingServer | undefined;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    if (options.node !== false) node = await startNode({ staticDir: requireClientBuild() });
    browser = await launchChromium();
  });
  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await node?.close();
  });
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} not started`);
    return value;
  };
  return {
    node: () => need(node, 'signaling node'),
    browser: () => need(browser, 'Chromium'),
    async openPage(url, options = {}) {
      let context = options.context;
      if (context === undefined) {
        context = await need(browser, 'Chromium').newContext({ acceptDownloads: true });
        contexts.push(context);
      }
      const page = await context.newPage();
      await options.beforeGoto?.(page);
      await page.goto(url);
      return page;
    },
    track: (context) => void contexts.push(context),
  };
}

/**
 * How long a test waits for a newcomer to be linked to the room and see its people. Quiet, a join
 * takes 2-4 s. With CI's other Chromium tests (calls, files) sharing the two cores, 30 joins took
 * 3-16 s (2026-12-02), and a 15 s wait failed one CI run. This bounds a hang; it is not a speed
 * figure (join time is measured in the bench), and it leaves room in the 60 s a test may take.
 */
export const JOIN_TIMEOUT_MS = 30_000;

export const messagesLog = (page: Page): Locator => page.getByRole('log', { name: 'Messages' });
export const peopleItems = (page: Page): Locator => page.getByRole('list', { name: 'People' }).getByRole('listitem');
export const nickOf = async (page: Page): Promise<string> => (await page.locator('.me strong').textContent()) ?? '';

export async function say(page: Page, text: string): Promise<void> {
  const composer = page.getByRole('textbox', { name: 'Message', exact: true });
  await composer.fill(text);
  await composer.press('Enter');
}

/**
 * Closes the tab as a person does (unload handlers run) and waits until it is gone. With
 * runBeforeUnload, page.close() returns before the page has closed: closing its context right
 * after can kill the renderer first, which is a crash, not a departure (peers then only notice
 * through WebRTC's and presence's timeouts, about 30 s).
 */
export async function closeTab(page: Page): Promise<void> {
  const closed = page.waitForEvent('close');
  await page.close({ runBeforeUnload: true });
  await closed;
}
