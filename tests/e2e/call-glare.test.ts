import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { nickOf, useRoomHarness } from '../helpers/e2e.js';
import { createRandom } from '../helpers/random.js';
import { callButton, joinCall, rollbacks, roomWith, tile, videoPlaying, watchConnections } from '../helpers/call.js';

/**
 * Crossing renegotiations: simple-peer lets only its initiator offer and queues the rest, which is
 * where its glare comes from (simple-peer #703). Calls renegotiate with the perfect-negotiation
 * pattern instead (transport/media-negotiator.ts); this shows it holds when both sides change at once.
 */
describe('crossing renegotiations in Chromium', () => {
  const harness = useRoomHarness();
  const open = (url: string): Promise<Page> => harness.openPage(url, { beforeGoto: (page) => watchConnections(page) });

  /** Clicks Camera on both pages at one wall-clock instant, each a few seeded ms off it. */
  async function toggleTogether(pages: readonly Page[], jitterMs: readonly number[]): Promise<void> {
    const at = Date.now() + 150;
    await Promise.all(pages.map((page, i) => callButton(page, 'Camera').evaluate((button: HTMLButtonElement, when: number) => void setTimeout(() => button.click(), when - Date.now()), at + (jitterMs[i] ?? 0))));
  }

  it('two people toggle their cameras at the same instant 20 times, and every toggle lands on both sides', async () => {
    const [alice, bob] = (await roomWith(open, harness.node().url(), 2)) as [Page, Page];
    await joinCall(alice);
    await joinCall(bob);
    const nicks = new Map([[alice, await nickOf(alice)], [bob, await nickOf(bob)]]);
    await expect.poll(() => videoPlaying(bob, nicks.get(alice)!), { timeout: 20_000 }).toBe(true);
    await expect.poll(() => videoPlaying(alice, nicks.get(bob)!), { timeout: 20_000 }).toBe(true);

    const random = createRandom(20261201);
    let cameraOn = true;
    for (let round = 0; round < 20; round++) {
      await toggleTogether([alice, bob], [random.int(20), random.int(20)]);
      cameraOn = !cameraOn;
      // Each side sees the other's camera as it now is: the toggle landed.
      for (const [viewer, other] of [[alice, bob], [bob, alice]] as const) {
        const name = nicks.get(other)!;
        if (cameraOn) await expect.poll(() => videoPlaying(viewer, name), { timeout: 20_000 }).toBe(true);
        else await expect.poll(() => tile(viewer, name).locator('video').count(), { timeout: 20_000 }).toBe(0);
      }
    }
    // The offers did cross: the polite side rolled its own back for the other's at least once.
    expect((await rollbacks(alice)) + (await rollbacks(bob))).toBeGreaterThan(0);
  }, 300_000);
});
