import { randomBytes } from 'node:crypto';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { requireClientBuild } from '../helpers/browser.js';
import { messagesLog, peopleItems, say } from '../helpers/e2e.js';
import { startLabCoturn, type LabCoturn } from '../helpers/nat-lab-coturn.js';
import { useNatLab } from '../helpers/nat-lab-hooks.js';
import { startLabNode, type LabNode } from '../helpers/nat-lab-node.js';
import { LAB_ADDRESSES, LAB_PORTS, type NatMode } from '../helpers/nat-lab.js';

/**
 * Parley across real NATs (tests/helpers/nat-lab.ts): the node in the lab's "internet", one
 * Chromium in each of two LANs behind its own NAT router, driven through the UI as people do.
 */
describe('rooms across real NATs', () => {
  const lab = useNatLab();
  let browserA: Browser;
  let browserB: Browser;
  let node: LabNode | undefined;
  let coturn: LabCoturn | undefined;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    [browserA, browserB] = await Promise.all([lab().launchChromium('lan-a'), lab().launchChromium('lan-b')]);
  });
  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
  });

  /** Both routers in `mode`, and a node handing out the node's own STUN, plus coturn's relay when asked. */
  async function network(mode: NatMode, relay: boolean): Promise<string> {
    lab().setNatMode('nat-a', mode);
    lab().setNatMode('nat-b', mode);
    await node?.stop();
    if (relay && coturn === undefined) coturn = await startLabCoturn(lab());
    node = await startLabNode(lab(), { STATIC_DIR: requireClientBuild(), ...(relay && coturn !== undefined ? { TURN_URLS: coturn.turnUrl, TURN_SECRET: coturn.secret } : {}) });
    return node.url;
  }

  async function person(browser: Browser, url: string): Promise<Page> {
    const context = await browser.newContext();
    contexts.push(context);
    // Records every remote candidate the page is given: what the other person's browser revealed.
    await context.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { __remoteCandidates: string[] }).__remoteCandidates = seen;
      const add = RTCPeerConnection.prototype.addIceCandidate;
      RTCPeerConnection.prototype.addIceCandidate = function (this: RTCPeerConnection, candidate?: RTCIceCandidateInit | null, ...rest: unknown[]) {
        if (candidate?.candidate) seen.push(candidate.candidate);
        return (add as (...args: unknown[]) => Promise<void>).call(this, candidate, ...rest);
      } as typeof add;
    });
    const page = await context.newPage();
    await page.goto(url);
    return page;
  }

  /** Ana (LAN A) creates a room; Ben (LAN B) opens her invite. */
  async function meet(url: string, before?: (ana: Page) => Promise<void>): Promise<{ ana: Page; ben: Page }> {
    const ana = await person(browserA, url);
    await before?.(ana);
    await ana.getByRole('button', { name: 'Create room' }).click();
    await expect.poll(() => ana.url()).toMatch(/#k=/);
    const ben = await person(browserB, ana.url());
    return { ana, ben };
  }

  async function chatBothWays(ana: Page, ben: Page, tag: string): Promise<void> {
    await say(ana, `Hello from LAN A (${tag})`);
    await messagesLog(ben).getByText(`Hello from LAN A (${tag})`).waitFor({ timeout: 30_000 });
    await say(ben, `Hello from LAN B (${tag})`);
    await messagesLog(ana).getByText(`Hello from LAN B (${tag})`).waitFor({ timeout: 30_000 });
  }

  /** The other person's row in People says how the connection travels. */
  const pathShown = async (page: Page): Promise<string | null> => {
    const rows = await peopleItems(page).locator('.path').allTextContents();
    return rows[0] ?? null;
  };

  it("cone NATs with the node's own STUN: the two chat both ways, directly", async () => {
    const { ana, ben } = await meet(await network('cone', false));
    await chatBothWays(ana, ben, 'cone');
    await expect.poll(() => pathShown(ana), { timeout: 15_000 }).toBe('direct');
    await expect.poll(() => pathShown(ben), { timeout: 15_000 }).toBe('direct');
  }, 120_000);

  it('symmetric NATs with STUN alone: no connection, and each page says why', async () => {
    const { ana, ben } = await meet(await network('symmetric', false));
    await say(ben, 'Can anyone hear me?');
    const hint = /Can't reach someone who is trying to join: this server has no relay configured/;
    await expect.poll(async () => (await ana.getByRole('status').allTextContents()).join('\n'), { timeout: 60_000 }).toMatch(hint);
    await expect.poll(async () => (await ben.getByRole('status').allTextContents()).join('\n'), { timeout: 60_000 }).toMatch(hint);
    await expect.poll(() => ana.getByRole('status', { name: 'Connection' }).textContent()).toBe("Can't reach someone who is trying to join — see People");
    // Nothing got through, and the relay-only setting explains that it needs a relay.
    expect(await messagesLog(ana).getByText('Can anyone hear me?').count()).toBe(0);
    await ana.getByText('Connection', { exact: true }).click();
    await expect.poll(() => ana.getByRole('checkbox', { name: 'Hide my IP address (relay only)' }).isDisabled()).toBe(true);
    // Diagnostics counts the failed attempts by cause.
    await ana.getByText('Diagnostics', { exact: true }).click();
    await expect.poll(() => ana.getByRole('table', { name: 'Connection attempts' }).textContent()).toMatch(/failed: (no path|timeout)\d+/);
  }, 120_000);

  it('symmetric NATs with coturn: the two chat through the relay, and People says so', async () => {
    const { ana, ben } = await meet(await network('symmetric', true));
    await chatBothWays(ana, ben, 'symmetric');
    await expect.poll(() => pathShown(ana), { timeout: 15_000 }).toBe('relayed');
    await expect.poll(() => pathShown(ben), { timeout: 15_000 }).toBe('relayed');
    expect(coturn?.allocations()).toBeGreaterThan(0);
  }, 120_000);

  it('relay-only under cone NATs: the pair goes through coturn even though a direct path exists', async () => {
    const url = await network('cone', true);
    const before = coturn?.allocations() ?? 0;
    const { ana, ben } = await meet(url, async (home) => {
      // The choice is this device's, kept across rooms: made once, before any room is open.
      await home.evaluate(() => localStorage.setItem('parley.settings', JSON.stringify({ relayOnly: true })));
      await home.reload();
    });
    await ana.getByText('Connection', { exact: true }).click();
    await expect.poll(() => ana.getByRole('checkbox', { name: 'Hide my IP address (relay only)' }).isChecked()).toBe(true);
    await chatBothWays(ana, ben, 'relay only');
    await expect.poll(() => pathShown(ana), { timeout: 15_000 }).toBe('relayed');
    await expect.poll(() => pathShown(ben), { timeout: 15_000 }).toBe('relayed');
    expect(coturn?.allocations() ?? 0).toBeGreaterThan(before);
    // What Ben's browser learned of Ana: relay candidates on coturn's address only, never her NAT's
    // public address nor her LAN's.
    const fromAna = await ben.evaluate(() => (window as unknown as { __remoteCandidates: string[] }).__remoteCandidates);
    expect(fromAna.length).toBeGreaterThan(0);
    for (const candidate of fromAna) {
      expect(candidate).toContain('typ relay');
      expect(candidate).not.toContain(lab().publicAddress('nat-a'));
      expect(candidate).not.toContain('198.51.100.');
    }
  }, 120_000);

  it('a NAT that changes its public address mid-conversation: the room resumes by itself, nothing lost', async () => {
    const { ana, ben } = await meet(await network('cone', false));
    await chatBothWays(ana, ben, 'before the change');
    await expect.poll(() => pathShown(ana), { timeout: 15_000 }).toBe('direct');
    // Wi-Fi → mobile: LAN A's router moves to a new public address and forgets every mapping.
    lab().changePublicAddress('nat-a');
    await say(ana, 'Written while the path was gone');
    await say(ben, 'Also written while the path was gone');
    await messagesLog(ben).getByText('Written while the path was gone').waitFor({ timeout: 60_000 });
    await messagesLog(ana).getByText('Also written while the path was gone').waitFor({ timeout: 60_000 });
    await chatBothWays(ana, ben, 'after the change');
    expect(await peopleItems(ana).count()).toBe(2);
  }, 150_000);

  it("the README's relay, set up from deploy/coturn/turnserver.conf, connects two browsers behind symmetric NATs", async () => {
    // README "Relays", steps 1 and 2, in the lab: the shipped config with this host's address and a
    // secret; the node told TURN_URLS, TURN_SECRET and STUN_URLS (coturn's STUN).
    await coturn?.stop();
    coturn = undefined;
    lab().setNatMode('nat-a', 'symmetric');
    lab().setNatMode('nat-b', 'symmetric');
    const secret = randomBytes(32).toString('hex');
    const dir = lab().tempDir;
    copyFileSync(new URL('../../deploy/coturn/turnserver.conf', import.meta.url), join(dir, 'turnserver.conf'));
    const relay = lab().spawn('inet', 'turnserver', [
      '-c', join(dir, 'turnserver.conf'),
      `--static-auth-secret=${secret}`, '--realm=lab.example',
      `--listening-ip=${LAB_ADDRESSES.turn}`, `--relay-ip=${LAB_ADDRESSES.turn}`,
      // No certificate in the lab (step 1's TLS part), and the lab's documentation addresses, which the
      // shipped config rightly refuses as peers on the real internet.
      '--no-tls', '--allowed-peer-ip=203.0.113.0-203.0.113.255',
      `--pidfile=${join(dir, 'shipped-turn.pid')}`, `--userdb=${join(dir, 'shipped-turndb')}`, '--verbose',
    ]);
    try {
      await relay.waitForOutput(/UDP listener opened on/, 20_000);
      await node?.stop();
      node = await startLabNode(lab(), {
        STATIC_DIR: requireClientBuild(),
        TURN_URLS: `turn:${LAB_ADDRESSES.turn}:${LAB_PORTS.turn}?transport=udp,turn:${LAB_ADDRESSES.turn}:${LAB_PORTS.turn}?transport=tcp`,
        TURN_SECRET: secret,
        STUN_URLS: `stun:${LAB_ADDRESSES.turn}:${LAB_PORTS.turn}`,
      });
      const { ana, ben } = await meet(node.url);
      await chatBothWays(ana, ben, 'shipped coturn config');
      await expect.poll(() => pathShown(ana), { timeout: 15_000 }).toBe('relayed');
      expect(relay.output()).toMatch(/ALLOCATE processed, success/);
    } finally {
      await relay.stop();
    }
  }, 120_000);
});
