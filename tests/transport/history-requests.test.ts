/**
 * Whom this device asks for history, and when: one peer at a time, tabs at once, a stalled
 * history given up for the next peer. Links are real (createLink); asking one does what the
 * message handler's requestHistory does to it (incoming, progress now), and time is the test's.
 */
import { describe, expect, it } from 'vitest';
import { createHistoryRequests, type HistoryRequests } from '../../src/transport/history-requests.js';
import { HISTORY_STALL_MS, createLink, type Link } from '../../src/transport/link.js';
import { ReassemblyBudget } from '../../src/transport/wire-frames.js';

interface Harness {
  readonly requests: HistoryRequests;
  /** Origins asked, in order. */
  readonly asked: string[];
  link(origin: string, trusted?: boolean): Link;
  advance(ms: number): void;
  /** The link's history made progress now (a piece arrived). */
  progress(link: Link): void;
}

function setup(): Harness {
  let at = 1_000;
  const now = (): number => at;
  const asked: string[] = [];
  const budget = new ReassemblyBudget();
  const requests = createHistoryRequests((link) => {
    asked.push(link.origin);
    link.incoming = true;
    link.lastProgress = now();
  }, now);
  return {
    requests,
    asked,
    link: (origin, trusted = false) => createLink({ origin, trusted, send: () => undefined, whenLow: (listener) => listener(), budget, now, onExpired: () => undefined }),
    advance: (ms) => void (at += ms),
    progress: (link) => void (link.lastProgress = now()),
  };
}

describe('history requests', () => {
  it('asks one peer at a time, the next once the first history is done', () => {
    const h = setup();
    const [a, b, c] = [h.link('a'), h.link('b'), h.link('c')];
    h.requests.add(a);
    h.requests.add(b);
    h.requests.add(c);
    expect(h.asked).toEqual(['a']);
    h.requests.done(a);
    expect(h.asked).toEqual(['a', 'b']);
    // A history that ends on a link not being waited for changes nothing.
    h.requests.done(c);
    expect(h.asked).toEqual(['a', 'b']);
    h.requests.done(b);
    expect(h.asked).toEqual(['a', 'b', 'c']);
    h.requests.done(c);
    const d = h.link('d');
    h.requests.add(d);
    expect(h.asked).toEqual(['a', 'b', 'c', 'd']);
  });

  it('moves on when the peer being asked leaves, and never asks one that left while waiting', () => {
    const h = setup();
    const [a, b, c] = [h.link('a'), h.link('b'), h.link('c')];
    h.requests.add(a);
    h.requests.add(b);
    h.requests.add(c);
    h.requests.remove(b);
    expect(h.asked).toEqual(['a']);
    h.requests.remove(a);
    expect(h.asked).toEqual(['a', 'c']);
  });

  it('skips a waiting link that closed before its turn', () => {
    const h = setup();
    const [a, b, c] = [h.link('a'), h.link('b'), h.link('c')];
    h.requests.add(a);
    h.requests.add(b);
    h.requests.add(c);
    b.closed = true;
    h.requests.done(a);
    expect(h.asked).toEqual(['a', 'c']);
  });

  it('asks another tab at once, beside the peer being asked, without holding up the others', () => {
    const h = setup();
    const [a, b] = [h.link('a'), h.link('b')];
    const tab = h.link('tab', true);
    h.requests.add(a);
    h.requests.add(tab);
    h.requests.add(b);
    expect(h.asked).toEqual(['a', 'tab']);
    h.requests.done(a);
    expect(h.asked).toEqual(['a', 'tab', 'b']);
    // A tab asked while no peer is being asked does not become the one waited on.
    const lone = setup();
    const otherTab = lone.link('tab', true);
    const c = lone.link('c');
    lone.requests.add(otherTab);
    lone.requests.add(c);
    expect(lone.asked).toEqual(['tab', 'c']);
  });

  it('asks a peer once however often it is added while waiting or being asked', () => {
    const h = setup();
    const [a, b] = [h.link('a'), h.link('b')];
    h.requests.add(a);
    h.requests.add(b);
    h.requests.add(a);
    h.requests.add(b);
    expect(h.asked).toEqual(['a']);
    h.requests.done(a);
    expect(h.asked).toEqual(['a', 'b']);
    // Once its history is in, a peer that learned something new may be asked again.
    h.requests.add(a);
    h.requests.done(b);
    expect(h.asked).toEqual(['a', 'b', 'a']);
  });

  it('gives up a history after HISTORY_STALL_MS without progress, asks the next peer, and the slow one again after it', () => {
    const h = setup();
    const [a, b] = [h.link('a'), h.link('b')];
    h.requests.add(a);
    h.requests.add(b);
    h.advance(HISTORY_STALL_MS - 1);
    expect(h.requests.checkStalled()).toBeNull();
    // Progress restarts the wait.
    h.progress(a);
    h.advance(HISTORY_STALL_MS - 1);
    expect(h.requests.checkStalled()).toBeNull();
    expect(h.asked).toEqual(['a']);
    h.advance(1);
    expect(h.requests.checkStalled()).toBe(a);
    expect(a.incoming).toBe(false);
    expect(h.asked).toEqual(['a', 'b']);
    // The next peer gets its own HISTORY_STALL_MS.
    expect(h.requests.checkStalled()).toBeNull();
    h.advance(HISTORY_STALL_MS);
    expect(h.requests.checkStalled()).toBe(b);
    // The slow one may hold what nobody else does: asked again, after the others.
    expect(h.asked).toEqual(['a', 'b', 'a']);
    expect(h.requests.checkStalled()).toBeNull();
  });

  it('gives up nothing while no history is incoming', () => {
    const h = setup();
    expect(h.requests.checkStalled()).toBeNull();
    const a = h.link('a');
    h.requests.add(a);
    // The history ended (its last piece cleared incoming) but done() has not been called yet.
    a.incoming = false;
    h.advance(10 * HISTORY_STALL_MS);
    expect(h.requests.checkStalled()).toBeNull();
  });
});
