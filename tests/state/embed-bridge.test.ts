// The embedded room's side of postMessage: it posts only to its parent, always naming the host
// origin as targetOrigin, hears only the parent at that origin, and keeps silent when the browser
// says the parent is another site.
import { describe, expect, it } from 'vitest';
import { EmbedBridge, type BridgeWindow } from '../../src/state/embed-bridge.svelte';
import { EmbedUnread } from '../../src/state/embed-unread.svelte';
import { wrap } from '../../src/core/embed-messages';

const HOST = 'https://shop.example';

function fakeWindow(ancestorOrigin: string | undefined = HOST) {
  const posted: Array<{ message: unknown; targetOrigin: string }> = [];
  const listeners: Array<(event: MessageEvent) => void> = [];
  const parent = { postMessage: (message: unknown, targetOrigin: string) => void posted.push({ message, targetOrigin }) };
  const bridgeWindow: BridgeWindow = {
    parent,
    ancestorOrigin,
    addEventListener: (_type, listener) => void listeners.push(listener),
    removeEventListener: (_type, listener) => void listeners.splice(listeners.indexOf(listener), 1),
  };
  const deliver = (origin: string, source: unknown, data: unknown): void => {
    for (const listener of [...listeners]) listener({ origin, source, data } as MessageEvent);
  };
  return { bridgeWindow, posted, parent, deliver, listeners };
}

describe('embed bridge', () => {
  it('says ready, unread counts (once per change) and close, always to the host origin', () => {
    const page = fakeWindow();
    const bridge = new EmbedBridge(HOST, page.bridgeWindow);
    bridge.start();
    bridge.unread(2);
    bridge.unread(2);
    bridge.unread(5000);
    bridge.requestClose();
    expect(page.posted.map((post) => post.targetOrigin)).toEqual([HOST, HOST, HOST, HOST]);
    expect(page.posted.map((post) => post.message)).toEqual([wrap({ type: 'ready' }), wrap({ type: 'unread', count: 2 }), wrap({ type: 'unread', count: 999 }), wrap({ type: 'close' })]);
  });

  it('follows open and close from its parent at the host origin only', () => {
    const page = fakeWindow();
    const bridge = new EmbedBridge(HOST, page.bridgeWindow);
    const stop = bridge.start();
    page.deliver(HOST, page.parent, wrap({ type: 'close' }));
    expect(bridge.open).toBe(false);
    page.deliver('https://evil.example', page.parent, wrap({ type: 'open' }));
    page.deliver(HOST, {}, wrap({ type: 'open' }));
    page.deliver(HOST, page.parent, { type: 'open' });
    page.deliver(HOST, page.parent, 'open');
    expect(bridge.open).toBe(false);
    page.deliver(HOST, page.parent, wrap({ type: 'open' }));
    expect(bridge.open).toBe(true);
    stop();
    expect(page.listeners).toHaveLength(0);
  });

  it('stays silent when the browser shows the parent is not the host the fragment names', () => {
    const page = fakeWindow('https://evil.example');
    const bridge = new EmbedBridge(HOST, page.bridgeWindow);
    bridge.start();
    bridge.unread(3);
    bridge.requestClose();
    expect(bridge.connected).toBe(false);
    expect(page.posted).toEqual([]);
    expect(page.listeners).toHaveLength(0);
  });

  it('counts messages from others that came while the panel was closed', () => {
    const unread = new EmbedUnread();
    unread.update(4, true);
    unread.update(4, false);
    expect(unread.count).toBe(0);
    unread.update(6, false);
    expect(unread.count).toBe(2);
    unread.update(3, false);
    expect(unread.count).toBe(0);
    unread.update(7, true);
    expect(unread.count).toBe(0);
  });
});
