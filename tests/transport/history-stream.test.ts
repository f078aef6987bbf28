/**
 * Streaming a history to one asker: a real Y.Doc of thousands of entries, a link whose send queue
 * is low only when the test says so, and piece making that runs only when the test flushes it.
 * Nothing runs on its own, so every count below is exact.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { INITIAL_PIECE_CREDITS, createHistoryResponder, type HistoryResponder } from '../../src/transport/history-stream.js';
import { createLink, type Link } from '../../src/transport/link.js';
import { ReassemblyBudget } from '../../src/transport/wire-frames.js';
import { MAX_PIECE_BYTES, MAX_PIECE_CREDITS, MAX_PREVIEW_BYTES, parseWireMessage, type WireMessage } from '../../src/transport/wire-messages.js';
import { createRandom } from '../helpers/random.js';

/** `n` map entries of about `bytes` bytes each, in a few transactions of a few clients, with some deleted. */
function sourceDoc(n: number, bytes: number, seed = 5): Y.Doc {
  const random = createRandom(seed);
  const doc = new Y.Doc();
  const writers = Array.from({ length: 3 }, () => new Y.Doc());
  let written = 0;
  while (written < n) {
    const writer = random.pick(writers);
    const batch = Math.min(n - written, 1 + random.int(500));
    writer.transact(() => {
      for (let i = 0; i < batch; i++, written++) {
        const text = `${seed}:${written}:${random.int(1e9)}`.padEnd(bytes, String.fromCharCode(97 + random.int(26)));
        writer.getMap('messages').set(`m${seed}-${written}`, text);
      }
    });
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(writer, Y.encodeStateVector(doc)));
    for (const other of writers) Y.applyUpdate(other, Y.encodeStateAsUpdate(doc, Y.encodeStateVector(other)));
  }
  for (let i = 0; i < n; i += 97) doc.getMap('messages').delete(`m${seed}-${i}`);
  return doc;
}

interface FakeLink {
  readonly link: Link;
  readonly sent: WireMessage[];
  /** whenLow listeners not called yet. */
  readonly waiting: Array<() => void>;
  /** Calls every waiting whenLow listener, as a send queue that went low would. */
  low(): void;
}

function fakeLink(trusted = false): FakeLink {
  const sent: WireMessage[] = [];
  const waiting: Array<() => void> = [];
  const link = createLink({
    origin: 'asker',
    trusted,
    send: (message) => sent.push(parseWireMessage(message)),
    whenLow: (listener) => void waiting.push(listener),
    budget: new ReassemblyBudget(),
    now: () => 0,
    onExpired: () => undefined,
  });
  return {
    link,
    sent,
    waiting,
    low() {
      for (const listener of waiting.splice(0)) listener();
    },
  };
}

interface Harness {
  readonly responder: HistoryResponder;
  /** Work the responder left for later. */
  readonly later: Array<() => void>;
  runLater(): void;
}

function setup(doc: Y.Doc, preview?: () => Uint8Array | null): Harness {
  const later: Array<() => void> = [];
  const responder = createHistoryResponder({ doc, ...(preview === undefined ? {} : { preview }), later: (work) => void later.push(work) });
  return {
    responder,
    later,
    runLater() {
      for (const work of later.splice(0)) work();
    },
  };
}

/** Lets the link be low and runs piece making until nothing more happens without a grant. */
function settle(h: Harness, asker: FakeLink): void {
  for (let rounds = 0; rounds < 10_000 && (asker.waiting.length > 0 || h.later.length > 0); rounds++) {
    asker.low();
    h.runLater();
  }
}

const pieces = (sent: readonly WireMessage[]): Array<Extract<WireMessage, { kind: 'piece' }>> => sent.filter((message) => message.kind === 'piece');

const EMPTY_STATE_VECTOR = Y.encodeStateVector(new Y.Doc());

/** One source shared by the tests that only read it: ~1.5 MB, several pieces. */
const source = sourceDoc(5000, 300);

describe('history stream', () => {
  it('sends no more than INITIAL_PIECE_CREDITS pieces before the asker grants any', () => {
    const h = setup(source);
    const asker = fakeLink();
    expect(h.responder.start(asker.link, EMPTY_STATE_VECTOR, false)).toBe(true);
    settle(h, asker);
    expect(pieces(asker.sent)).toHaveLength(INITIAL_PIECE_CREDITS);
    expect(pieces(asker.sent).some((piece) => piece.last)).toBe(false);
    // Each piece stays within the bound.
    for (const piece of pieces(asker.sent)) expect(piece.update.length).toBeLessThanOrEqual(MAX_PIECE_BYTES);
    h.responder.grant(asker.link, 1);
    settle(h, asker);
    expect(pieces(asker.sent)).toHaveLength(INITIAL_PIECE_CREDITS + 1);
  });

  it('makes a piece only when the send queue is low, and only in the later task', () => {
    const h = setup(source);
    const asker = fakeLink();
    h.responder.start(asker.link, EMPTY_STATE_VECTOR, false);
    expect(asker.sent).toEqual([]);
    expect(asker.waiting).toHaveLength(1);
    expect(h.later).toHaveLength(0);
    h.runLater();
    expect(asker.sent).toEqual([]);
    asker.low();
    expect(asker.sent).toEqual([]);
    expect(h.later).toHaveLength(1);
    h.runLater();
    expect(pieces(asker.sent)).toHaveLength(1);
    // Then it waits for the queue again: one piece per low.
    expect(asker.waiting).toHaveLength(1);
    expect(h.later).toHaveLength(0);
    h.runLater();
    expect(pieces(asker.sent)).toHaveLength(1);
    asker.low();
    h.runLater();
    expect(pieces(asker.sent)).toHaveLength(2);
  });

  it('streams the whole history to an asker that acks each piece, and the pieces rebuild the source', () => {
    const h = setup(source);
    const asker = fakeLink();
    h.responder.start(asker.link, EMPTY_STATE_VECTOR, false);
    const target = new Y.Doc();
    let applied = 0;
    for (let rounds = 0; rounds < 1000; rounds++) {
      settle(h, asker);
      const fresh = pieces(asker.sent).slice(applied);
      if (fresh.length === 0) break;
      for (const piece of fresh) {
        Y.applyUpdate(target, piece.update);
        applied++;
        if (!piece.last) h.responder.grant(asker.link, 1);
      }
    }
    const all = pieces(asker.sent);
    expect(all.length).toBeGreaterThan(INITIAL_PIECE_CREDITS);
    expect(all.map((piece) => piece.last)).toEqual([...new Array<boolean>(all.length - 1).fill(false), true]);
    expect(target.getMap('messages').toJSON()).toEqual(source.getMap('messages').toJSON());
    expect(Y.encodeStateVector(target)).toEqual(Y.encodeStateVector(source));
    // Nothing more once the last piece is out, whatever is granted.
    h.responder.grant(asker.link, MAX_PIECE_CREDITS);
    settle(h, asker);
    expect(pieces(asker.sent)).toHaveLength(all.length);
  });

  it('sends only what the asker lacks', () => {
    // The asker holds `source`; the responder holds `source` and more.
    const holding = new Y.Doc();
    Y.applyUpdate(holding, Y.encodeStateAsUpdate(source));
    Y.applyUpdate(holding, Y.encodeStateAsUpdate(sourceDoc(2500, 300, 6)));
    const h = setup(holding);
    const asker = fakeLink();
    h.responder.start(asker.link, Y.encodeStateVector(source), false);
    settle(h, asker);
    for (let rounds = 0; rounds < 100 && !pieces(asker.sent).some((piece) => piece.last); rounds++) {
      h.responder.grant(asker.link, MAX_PIECE_CREDITS);
      settle(h, asker);
    }
    const target = new Y.Doc();
    Y.applyUpdate(target, Y.encodeStateAsUpdate(source));
    for (const piece of pieces(asker.sent)) Y.applyUpdate(target, piece.update);
    expect(target.getMap('messages').toJSON()).toEqual(holding.getMap('messages').toJSON());
    // About a third of what the whole would take.
    const bytes = pieces(asker.sent).reduce((sum, piece) => sum + piece.update.length, 0);
    expect(bytes).toBeLessThan(Y.encodeStateAsUpdate(holding).length * 0.5);
  });

  it('caps credits at MAX_PIECE_CREDITS however much is granted', () => {
    const big = sourceDoc(3000, 3000, 9);
    const h = setup(big);
    const asker = fakeLink();
    h.responder.start(asker.link, EMPTY_STATE_VECTOR, false);
    settle(h, asker);
    expect(pieces(asker.sent)).toHaveLength(INITIAL_PIECE_CREDITS);
    h.responder.grant(asker.link, 10 * MAX_PIECE_CREDITS);
    settle(h, asker);
    expect(pieces(asker.sent)).toHaveLength(INITIAL_PIECE_CREDITS + MAX_PIECE_CREDITS);
    expect(pieces(asker.sent).some((piece) => piece.last)).toBe(false);
  });

  it('streams to another tab without waiting for grants', () => {
    const h = setup(source);
    const tab = fakeLink(true);
    h.responder.start(tab.link, EMPTY_STATE_VECTOR, false);
    settle(h, tab);
    const all = pieces(tab.sent);
    expect(all.length).toBeGreaterThan(INITIAL_PIECE_CREDITS);
    expect(all.at(-1)?.last).toBe(true);
  });

  it('stops streaming on stop(), even with a piece already waiting', () => {
    const h = setup(source);
    const asker = fakeLink();
    h.responder.start(asker.link, EMPTY_STATE_VECTOR, false);
    asker.low();
    h.responder.stop(asker.link);
    h.runLater();
    settle(h, asker);
    h.responder.grant(asker.link, MAX_PIECE_CREDITS);
    settle(h, asker);
    expect(asker.sent).toEqual([]);
  });

  it('stops streaming to a closed link', () => {
    const h = setup(source);
    const asker = fakeLink();
    h.responder.start(asker.link, EMPTY_STATE_VECTOR, false);
    settle(h, asker);
    asker.link.closed = true;
    h.responder.grant(asker.link, MAX_PIECE_CREDITS);
    settle(h, asker);
    expect(pieces(asker.sent)).toHaveLength(INITIAL_PIECE_CREDITS);
  });

  it('replaces a stream in progress when the asker sends a new state vector', () => {
    const h = setup(source);
    const asker = fakeLink();
    h.responder.start(asker.link, EMPTY_STATE_VECTOR, false);
    asker.low();
    // The asker now holds everything: the new stream is one empty last piece, and the old one is dropped.
    h.responder.start(asker.link, Y.encodeStateVector(source), false);
    settle(h, asker);
    const sent = pieces(asker.sent);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.last).toBe(true);
    const target = new Y.Doc();
    Y.applyUpdate(target, sent[0]?.update ?? new Uint8Array());
    expect(target.getMap('messages').size).toBe(0);
  });

  it('refuses a malformed state vector and sends nothing', () => {
    const h = setup(source);
    const asker = fakeLink();
    expect(h.responder.start(asker.link, Uint8Array.of(3, 1), true)).toBe(false);
    settle(h, asker);
    expect(asker.sent).toEqual([]);
  });

  it('leads with the preview when asked to and it fits, before any piece', () => {
    const preview = Uint8Array.of(5, 6, 7);
    const h = setup(source, () => preview);
    const asker = fakeLink();
    h.responder.start(asker.link, EMPTY_STATE_VECTOR, true);
    expect(asker.sent).toEqual([{ kind: 'preview', preview }]);
    settle(h, asker);
    expect(asker.sent.map((message) => message.kind)).toEqual(['preview', ...new Array<string>(INITIAL_PIECE_CREDITS).fill('piece')]);
    // Not asked for, none to give, or too big: no preview.
    for (const [withPreview, make] of [
      [false, (): Uint8Array | null => preview],
      [true, (): Uint8Array | null => null],
      [true, (): Uint8Array | null => new Uint8Array(MAX_PREVIEW_BYTES + 1)],
    ] as const) {
      const other = setup(source, make);
      const quiet = fakeLink();
      other.responder.start(quiet.link, EMPTY_STATE_VECTOR, withPreview);
      settle(other, quiet);
      expect(quiet.sent.map((message) => message.kind)).toEqual(new Array<string>(INITIAL_PIECE_CREDITS).fill('piece'));
    }
  });
});
