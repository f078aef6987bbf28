/** What the service-worker tests share: waiting for a worker to control a page. */
import type { Page } from 'playwright-core';

/** Waits until a service worker controls `page` (the first install claims the open page). */
export async function waitForWorker(page: Page): Promise<void> {
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 });
}
