// A room embedded on another site with the one-line snippet: a visitor chats from the site's page
// with a member on the full page; a site not in EMBED_ORIGINS cannot frame it; a third frame on
// the page cannot speak for either side.
import { expectNoSeriousViolations } from '../helpers/axe.js';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { SignalingServer } from '../../signaling/server.js';
import { launchChromium, requireClientBuild } from '../helpers/browser.js';
import { startNode } from '../helpers/node.js';
import { messagesLog, say } from '../helpers/e2e.js';

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A site on 127.0.0.1 (another origin than the node on localhost): /page embeds ?room=, /blank is empty. */
async function startSite(nodeUrl: () => string, otherSite: () => string): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://site');
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    if (url.pathname !== '/page') return void res.end('<!doctype html><title>blank</title>');
    const attribute = (name: string): string => (url.searchParams.has(name) ? ` data-${name}="${escapeHtml(url.searchParams.get(name) ?? '')}"` : '');
    res.end(`<!doctype html><html lang="en"><title>Shop</title>
<h1>Shop</h1>
<script>window.unreadSeen = []; document.addEventListener('parley-unread', (e) => window.unreadSeen.push(e.detail.count), true);</script>
<iframe src="${otherSite()}/blank" title="advert" width="100" height="50"></iframe>
<script src="${nodeUrl()}/embed.js"${attribute('room')}${attribute('greeting')}${attribute('hours')}${attribute('accent')} async></script>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('a room embedded on another site', () => {
  let node: SignalingServer | undefined;
  let browser: Browser | undefined;
  let allowed: { server: Server; origin: string } | undefined;
  let refused: { server: Server; origin: string } | undefined;
  const contexts: BrowserContext[] = [];
  const nodeUrl = (): string => `http://localhost:${new URL(node?.url() ?? '').port}`;

  beforeAll(async () => {
    allowed = await startSite(nodeUrl, () => refused?.origin ?? '');
    refused = await startSite(nodeUrl, () => allowed?.origin ?? '');
    node = await startNode({ staticDir: requireClientBuild(), embedOrigins: [allowed.origin] });
    browser = await launchChromium();
  });
  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await node?.close();
    for (const site of [allowed, refused]) await new Promise((resolve) => site?.server.close(resolve));
  });

  async function openPage(url: string): Promise<Page> {
    if (browser === undefined) throw new Error('Chromium not started');
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(url);
    return page;
  }
  const sitePage = (origin: string, params: Record<string, string>): string => `${origin}/page?${new URLSearchParams(params).toString()}`;

  it('a visitor on the site chats with a member on the full page; a third frame and malformed messages change nothing', { timeout: 150_000 }, async () => {
    const member = await openPage(nodeUrl());
    await member.getByRole('button', { name: 'Create room' }).click();
    await expect.poll(() => member.url()).toMatch(/#k=/);
    const invite = member.url();

    const visitor = await openPage(sitePage(allowed?.origin ?? '', { room: invite, greeting: 'Hello! <b>Ask</b> us anything.', hours: '9-18' }));
    const launcher = visitor.getByRole('button', { name: 'Chat', exact: true });
    await expect.poll(() => launcher.getAttribute('aria-expanded')).toBe('false');
    // Nothing of the room is loaded before the visitor asks for it.
    expect(await visitor.locator('iframe[title="Chat with us"]').count()).toBe(0);
    await launcher.click();
    expect(await launcher.getAttribute('aria-expanded')).toBe('true');
    const frameElement = visitor.locator('iframe[title="Chat with us"]');
    expect(await frameElement.getAttribute('sandbox')).toBe('allow-scripts allow-same-origin allow-forms allow-popups allow-popups-to-escape-sandbox allow-downloads');
    expect(await frameElement.getAttribute('allow')).toBeNull();
    expect(await frameElement.getAttribute('referrerpolicy')).toBe('no-referrer');
    const frame = visitor.frameLocator('iframe[title="Chat with us"]');

    // The greeting is the site's text, shown as text; the hours in the visitor's clock.
    await expect.poll(() => frame.getByRole('note', { name: 'Greeting' }).textContent(), { timeout: 20_000 }).toBe('Hello! <b>Ask</b> us anything.');
    expect(await frame.getByText(/^We usually answer between 9:00\sAM and 6:00\sPM$/).count()).toBe(1);

    await say(member, 'Welcome to the shop');
    await frame.getByRole('log', { name: 'Messages' }).getByText('Welcome to the shop').waitFor({ timeout: 20_000 });
    // axe on the host page with the widget open, the embedded room included (axe enters frames).
    await expectNoSeriousViolations(visitor, 'embedded room on a host page');
    await frame.getByRole('textbox', { name: 'Message', exact: true }).fill('Do you ship to Tabriz?');
    await frame.getByRole('textbox', { name: 'Message', exact: true }).press('Enter');
    await messagesLog(member).getByText('Do you ship to Tabriz?').waitFor({ timeout: 20_000 });
    // Having written, the visitor is no newcomer: the greeting is gone.
    await expect.poll(() => frame.getByRole('note', { name: 'Greeting' }).count()).toBe(0);

    // Closed from inside; what arrives meanwhile shows on the launcher.
    await frame.getByRole('button', { name: 'Close chat' }).click();
    await expect.poll(() => launcher.getAttribute('aria-expanded')).toBe('false');
    await say(member, 'Yes, in three days');
    await visitor.getByRole('button', { name: 'Chat, 1 new message' }).waitFor({ timeout: 20_000 });

    // A frame of another origin on the same page posts a well-formed count to the page (it has no
    // handle on the room's frame, which lives in the element's shadow tree and is not in window.frames).
    const advert = visitor.frames().find((candidate) => candidate.url().endsWith('/blank'));
    expect(advert).toBeDefined();
    const framesSeen = await advert?.evaluate(() => {
      parent.postMessage({ protocol: 'parley-embed', v: 1, type: 'unread', count: 42 }, '*');
      return parent.length;
    });
    expect(framesSeen).toBe(1);
    // The page itself (the right window and origin) posts malformed "open" messages to the room.
    await visitor.evaluate(() => {
      const frame = document.querySelector('parley-room')?.shadowRoot?.querySelector('iframe');
      const target = new URL(frame?.src ?? '').origin;
      frame?.contentWindow?.postMessage({ protocol: 'parley-embed', v: 1, type: 'open', also: 1 }, target);
      frame?.contentWindow?.postMessage({ protocol: 'parley-embed', v: 2, type: 'open' }, target);
      frame?.contentWindow?.postMessage('open', target);
    });
    // Had the room believed it was open, this message would not count as unread.
    await say(member, 'Anything else?');
    await visitor.getByRole('button', { name: 'Chat, 2 new messages' }).waitFor({ timeout: 20_000 });
    expect(await visitor.evaluate(() => (window as unknown as { unreadSeen: number[] }).unreadSeen)).toEqual([0, 1, 2]);

    // Opening again shows them and clears the count.
    await launcher.or(visitor.getByRole('button', { name: /^Chat, / })).click();
    await frame.getByRole('log', { name: 'Messages' }).getByText('Anything else?').waitFor();
    await visitor.getByRole('button', { name: 'Chat', exact: true }).waitFor();
  });

  it('a site not in EMBED_ORIGINS cannot frame the room', { timeout: 120_000 }, async () => {
    const member = await openPage(nodeUrl());
    await member.getByRole('button', { name: 'Create room' }).click();
    await expect.poll(() => member.url()).toMatch(/#k=/);
    const visitor = await openPage(sitePage(refused?.origin ?? '', { room: member.url() }));
    await visitor.getByRole('button', { name: 'Chat', exact: true }).click();
    await visitor.locator('iframe[title="Chat with us"]').waitFor({ state: 'attached' });
    // Chromium replaces a frame refused by frame-ancestors with its error page: the app never runs.
    await expect.poll(() => visitor.frames().map((frame) => frame.url()), { timeout: 20_000 }).toContain('chrome-error://chromewebdata/');
    expect(visitor.frames().some((frame) => frame.url().startsWith(nodeUrl()))).toBe(false);
  });
});
