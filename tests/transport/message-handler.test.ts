/**
 * The receiving side of a link, driven directly: links come from createLink, messages are sealed
 * with a real wire key and fed chunk by chunk, identities, presence and the history responder are
 * real, and time is the test's clock. Replies are collected as parsed messages. Deterministic.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { nextPiece, startHistory } from '../../src/core/history-pieces.js';
import { signLinkProof, verifyLinkProof } from '../../src/core/link-proof.js';
import { encodePresenceUpdate, parsePresenceRecord, signPresence, type PresenceRecord } from '../../src/core/presence-record.js';
import { createPresenceTable, presenceId, type PresenceTable } from '../../src/core/presence-table.js';
import { AES_GCM_OVERHEAD } from '../../src/crypto/aes-gcm.js';
import { toBase64Url } from '../../src/crypto/encoding.js';
import { createIdentity, type Identity } from '../../src/crypto/identity.js';
import { createRoomSecret, deriveRoomKeys } from '../../src/crypto/keys.js';
import { INITIAL_PIECE_CREDITS, createHistoryResponder } from '../../src/transport/history-stream.js';
import {
  FLOOD_STRIKES,
  FLOOD_WINDOW_MS,
  HISTORY_COST,
  HISTORY_ITEMS,
  INVALID_STRIKES,
  MAX_PROCESSING_BYTES,
  MEDIA_BURST,
  MEDIA_PER_SECOND,
  MESSAGE_BURST,
  PRESENCE_BURST,
  PRESENCE_PER_SECOND,
  STATE_VECTOR_BURST,
  createLink,
  type Link,
} from '../../src/transport/link.js';
import { INITIAL_SYNC_MS, createMessageHandler, type AdmitMode, type AdmitResult, type MessageHandler } from '../../src/transport/message-handler.js';
import { createPresenceSync } from '../../src/transport/presence-sync.js';
import { ReassemblyBudget, sealAndChunk } from '../../src/transport/wire-frames.js';
import {
  encodeAck,
  encodeHello,
  encodeLiveUpdate,
  encodeMedia,
  encodePiece,
  encodePresence,
  encodePreview,
  encodeProof,
  encodeStateVector,
  encodeSyncRequest,
  MAX_PIECE_CREDITS,
  parseWireMessage,
  type WireMessage,
} from '../../src/transport/wire-messages.js';

const { wireKey } = deriveRoomKeys(createRoomSecret());
const me = await createIdentity();
const peer = await createIdentity();
const MY_CLIENT_ID = 4242;
const PEER_CLIENT_ID = 77;
const FIELDS = { nick: 'Calm Heron', color: '#3a6ea5', status: 'online', text: '', typing: false } as const;

afterEach(() => {
  vi.useRealTimers();
});

interface SetupOptions {
  readonly doc?: Y.Doc;
  readonly admit?: (update: Uint8Array, mode: AdmitMode) => Promise<AdmitResult>;
  readonly preview?: () => Uint8Array | null;
  /** 'now' runs the responder's piece making at once; 'queue' holds it until flush(). */
  readonly later?: 'now' | 'queue';
}

interface Opened {
  readonly link: Link;
  /** What we sent on the link, parsed. */
  readonly sent: WireMessage[];
}

interface Harness {
  readonly syncRequests: Link[];
  readonly doc: Y.Doc;
  readonly table: PresenceTable;
  readonly handler: MessageHandler;
  readonly drops: string[];
  readonly cutOffs: string[];
  readonly proven: Link[];
  readonly historiesDone: Link[];
  readonly previews: Uint8Array[];
  readonly refusedKeys: Set<string>;
  /** Media-negotiation messages handed on: the link's proven key and the text. */
  readonly media: string[];
  open(origin?: string, trusted?: boolean): Opened;
  /** Seals every message first, feeds all their chunks, then waits until the link has handled them. */
  deliver(link: Link, ...messages: Uint8Array[]): Promise<void>;
  /** Runs the responder's queued work (later: 'queue'). */
  flush(): void;
  advance(ms: number): void;
}

function setup(options: SetupOptions = {}): Harness {
  let at = 0;
  const now = (): number => at;
  const doc = options.doc ?? new Y.Doc();
  const drops: string[] = [];
  const cutOffs: string[] = [];
  const proven: Link[] = [];
  const historiesDone: Link[] = [];
  const syncRequests: Link[] = [];
  const previews: Uint8Array[] = [];
  const refusedKeys = new Set<string>();
  const media: string[] = [];
  const queue: Array<() => void> = [];
  const table = createPresenceTable({ now });
  const presence = createPresenceSync(table, (reason) => drops.push(`presence:${reason}`));
  const history = createHistoryResponder({
    doc,
    ...(options.preview === undefined ? {} : { preview: options.preview }),
    later: options.later === 'queue' ? (work) => void queue.push(work) : (work) => work(),
  });
  const handler: MessageHandler = createMessageHandler({
    doc,
    presence,
    wireKey,
    whoAmI: async () => ({ identity: me, clientId: MY_CLIENT_ID }),
    ...(options.admit === undefined ? {} : { admit: options.admit }),
    history,
    onDrop: (source, reason) => drops.push(`${source}:${reason}`),
    whenReady: async (work) => {
      await work();
    },
    historyOrigin: (origin) => `history:${origin}`,
    cutOff: (link, why) => {
      cutOffs.push(why);
      handler.closeLink(link);
    },
    isRefusedKey: (key) => refusedKeys.has(key),
    onProven: (link) => proven.push(link),
    onHistoryDone: (link) => historiesDone.push(link),
    onSyncRequest: (link) => syncRequests.push(link),
    onPreview: (preview) => previews.push(preview),
    onMedia: (link, text) => media.push(`${link.proven?.key ?? '?'}:${text}`),
    isDestroyed: () => false,
    now,
  });
  const budget = new ReassemblyBudget();
  let nextId = 1;
  return {
    syncRequests,
    doc,
    table,
    handler,
    drops,
    cutOffs,
    proven,
    historiesDone,
    previews,
    refusedKeys,
    media,
    open(origin = 'peer', trusted = false) {
      const sent: WireMessage[] = [];
      const link: Link = createLink({
        origin,
        trusted,
        send: (message) => sent.push(parseWireMessage(message)),
        whenLow: (listener) => listener(),
        budget,
        now,
        onExpired: () => handler.strike(link),
      });
      return { link, sent };
    },
    async deliver(link, ...messages) {
      const sealed: Uint8Array[][] = [];
      for (const message of messages) sealed.push(await sealAndChunk(wireKey, message, nextId++));
      for (const chunks of sealed) for (const chunk of chunks) handler.receiveChunk(link, chunk);
      await link.processing;
    },
    flush() {
      while (queue.length > 0) (queue.shift() as () => void)();
    },
    advance: (ms) => void (at += ms),
  };
}

/**
 * Pins the strikes `link` holds now (all within the current window): FLOOD_STRIKES - n more leave
 * it connected, one beyond that cuts it off.
 */
function expectStrikes(h: Harness, link: Link, n: number): void {
  expect(link.closed).toBe(false);
  h.handler.strike(link, FLOOD_STRIKES - n);
  expect(link.closed).toBe(false);
  h.handler.strike(link, 1);
  expect(link.closed).toBe(true);
}

const kinds = (sent: readonly WireMessage[]): string[] => sent.map((message) => message.kind);
const count = (items: readonly string[], item: string): number => items.filter((x) => x === item).length;

/** A document whose client wrote `n` map entries (keys `${prefix}${i}`) in one transaction. */
function docWith(n: number, value: (i: number) => unknown = (i) => i, prefix = 'k'): Y.Doc {
  const doc = new Y.Doc();
  doc.transact(() => {
    for (let i = 0; i < n; i++) doc.getMap('messages').set(`${prefix}${i}`, value(i));
  });
  return doc;
}

/** One entry of 240,000 characters, from a client id of fixed width: every such update is the same size. */
function bigUpdate(i: number): Uint8Array {
  const doc = new Y.Doc();
  doc.clientID = 1_000_000 + i;
  doc.getMap('messages').set(`big${String(i).padStart(3, '0')}`, 'x'.repeat(240_000));
  return Y.encodeStateAsUpdate(doc);
}

const messagesOf = (doc: Y.Doc): Record<string, unknown> => doc.getMap('messages').toJSON();

/** What `source` holds beyond `stateVector`, as the pieces a responder would stream (each at most about maxBytes). */
function piecesOf(source: Y.Doc, stateVector: Uint8Array, maxBytes: number): Array<{ readonly update: Uint8Array; readonly last: boolean }> {
  const cursor = startHistory(source, stateVector);
  if (cursor === null) throw new Error('malformed state vector');
  const pieces = [];
  for (;;) {
    const piece = nextPiece(source, cursor, maxBytes);
    pieces.push(piece);
    if (piece.last) return pieces;
  }
}

/** Applies every piece among `sent` to a fresh document. */
function docFromPieces(sent: readonly WireMessage[]): Y.Doc {
  const doc = new Y.Doc();
  for (const message of sent) if (message.kind === 'piece') Y.applyUpdate(doc, message.update);
  return doc;
}

const proofFor = async (link: Link, identity: Identity = peer, clientId = PEER_CLIENT_ID, challenge = link.challenge): Promise<Uint8Array> =>
  encodeProof(clientId, identity.publicKey, await signLinkProof(identity, clientId, challenge));

describe('message handler: greeting and proofs', () => {
  it('greets a peer with its challenge and the presence it knows, and a tab with presence only', async () => {
    const h = setup();
    const first = h.open();
    h.handler.greet(first.link);
    expect(first.sent).toEqual([{ kind: 'hello', challenge: first.link.challenge }]);
    const record = await signPresence(peer, PEER_CLIENT_ID, 1, FIELDS);
    h.table.apply([record], 'test');
    const second = h.open('second');
    h.handler.greet(second.link);
    expect(kinds(second.sent)).toEqual(['hello', 'presence']);
    expect(second.sent[1]).toEqual({ kind: 'presence', update: encodePresenceUpdate([record]) });
    // Each link has its own challenge, so a proof cannot be replayed on another.
    expect(second.link.challenge).not.toEqual(first.link.challenge);
    const tab = h.open('tab', true);
    h.handler.greet(tab.link);
    expect(kinds(tab.sent)).toEqual(['presence']);
  });

  it('answers a peer challenge with a proof of this identity, once per link', async () => {
    const h = setup();
    const { link, sent } = h.open();
    const challenge = Uint8Array.from({ length: 16 }, (_, i) => 3 * i + 1);
    await h.deliver(link, encodeHello(challenge));
    const proof = sent[0];
    if (proof?.kind !== 'proof') throw new Error(`expected a proof, sent ${kinds(sent).join()}`);
    expect(proof.clientId).toBe(MY_CLIENT_ID);
    expect(proof.key).toEqual(me.publicKey);
    expect(await verifyLinkProof(proof.clientId, proof.key, challenge, proof.sig)).toBe(true);
    await h.deliver(link, encodeHello(challenge));
    expect(kinds(sent)).toEqual(['proof']);
    expect(h.drops).toEqual(['frame:unsolicited']);
    // Another tab of this browser is this person already: no proof, nothing counted.
    const tab = h.open('tab', true);
    await h.deliver(tab.link, encodeHello(challenge));
    expect(tab.sent).toEqual([]);
    expect(h.drops).toEqual(['frame:unsolicited']);
  });

  it('takes a proof that answers our challenge: the link is proven and onProven is called', async () => {
    const h = setup();
    const { link } = h.open();
    expect(link.proven).toBeNull();
    await h.deliver(link, await proofFor(link));
    expect(link.proven).toEqual({ clientId: PEER_CLIENT_ID, key: toBase64Url(peer.publicKey) });
    expect(h.proven).toEqual([link]);
    expect(h.drops).toEqual([]);
    expectStrikes(h, link, 0);
  });

  it('refuses a proof with a bad signature, over another challenge or for another client id, with INVALID_STRIKES strikes each', async () => {
    const h = setup();
    const { link } = h.open();
    const good = await proofFor(link);
    const forged = good.slice();
    forged[forged.length - 1] = (forged[forged.length - 1] as number) ^ 1;
    const otherChallenge = await proofFor(link, peer, PEER_CLIENT_ID, Uint8Array.from({ length: 16 }, (_, i) => 3 * i + 1));
    const otherClient = encodeProof(PEER_CLIENT_ID + 1, peer.publicKey, await signLinkProof(peer, PEER_CLIENT_ID, link.challenge));
    await h.deliver(link, forged, otherChallenge, otherClient);
    expect(h.drops).toEqual(['frame:signature', 'frame:signature', 'frame:signature']);
    expect(link.proven).toBeNull();
    expect(h.proven).toEqual([]);
    expectStrikes(h, link, 3 * INVALID_STRIKES);
  });

  it('refuses a second proof as unsolicited and keeps the first', async () => {
    const h = setup();
    const { link } = h.open();
    const other = await createIdentity();
    await h.deliver(link, await proofFor(link), await proofFor(link), await proofFor(link, other, 5));
    expect(h.drops).toEqual(['frame:unsolicited', 'frame:unsolicited']);
    expect(link.proven).toEqual({ clientId: PEER_CLIENT_ID, key: toBase64Url(peer.publicKey) });
    expect(h.proven).toEqual([link]);
  });

  it('cuts off a peer that proves to be someone refused, and handles nothing more from it', async () => {
    const h = setup();
    const { link } = h.open();
    h.refusedKeys.add(toBase64Url(peer.publicKey));
    await h.deliver(link, await proofFor(link), encodeLiveUpdate(Y.encodeStateAsUpdate(docWith(1))));
    expect(h.cutOffs).toEqual(['refused']);
    expect(h.drops).toEqual(['frame:refused']);
    expect(link.closed).toBe(true);
    expect(link.proven?.key).toBe(toBase64Url(peer.publicKey));
    expect(h.proven).toEqual([]);
    expect(h.doc.getMap('messages').size).toBe(0);
  });
});

describe('message handler: media negotiation', () => {
  it('hands media messages from a proven peer on, and refuses them before its proof as unsolicited', async () => {
    const h = setup();
    const { link } = h.open();
    await h.deliver(link, encodeMedia('{"before":"proof"}'));
    expect(h.media).toEqual([]);
    expect(h.drops).toEqual(['frame:unsolicited']);
    await h.deliver(link, await proofFor(link), encodeMedia('{"seq":1}'));
    expect(h.media).toEqual([`${toBase64Url(peer.publicKey)}:{"seq":1}`]);
  });

  it('lets MEDIA_BURST through back to back, then MEDIA_PER_SECOND, counting a renegotiation flood as rate', async () => {
    const h = setup();
    const { link } = h.open();
    await h.deliver(link, await proofFor(link));
    const flood = Array.from({ length: MEDIA_BURST + 30 }, (_, i) => encodeMedia(`{"seq":${i + 1}}`));
    await h.deliver(link, ...flood);
    expect(h.media).toHaveLength(MEDIA_BURST);
    expect(count(h.drops, 'frame:rate')).toBe(30);
    h.advance(1000);
    await h.deliver(link, ...flood.slice(0, 5));
    expect(h.media).toHaveLength(MEDIA_BURST + MEDIA_PER_SECOND);
  });

  it('refuses media from another tab of this browser (calls are between people)', async () => {
    const h = setup();
    const { link } = h.open('tabs', true);
    await h.deliver(link, encodeMedia('{"seq":1}'));
    expect(h.media).toEqual([]);
    expect(h.drops).toEqual(['frame:unsolicited']);
  });
});

describe('message handler: histories we ask for', () => {
  it('asks with our state vector, acks each piece, and ends the history on the last', async () => {
    const source = docWith(300, (i) => `message ${i}`.padEnd(40, '.'));
    const h = setup();
    h.doc.getMap('messages').set('mine', 'already here');
    const { link, sent } = h.open();
    h.advance(1234);
    h.handler.requestHistory(link);
    expect(sent).toEqual([{ kind: 'state-vector', stateVector: Y.encodeStateVector(h.doc) }]);
    expect(link.incoming).toBe(true);
    expect(link.lastProgress).toBe(1234);
    const pieces = piecesOf(source, Y.encodeStateVector(h.doc), 2000);
    expect(pieces.length).toBeGreaterThan(3);
    for (const [i, piece] of pieces.entries()) {
      h.advance(100);
      await h.deliver(link, encodePiece(piece.update, piece.last));
      expect(link.lastProgress).toBe(1234 + 100 * (i + 1));
      expect(h.historiesDone).toEqual(piece.last ? [link] : []);
    }
    // One ack per piece but the last, which ends the history instead.
    expect(kinds(sent)).toEqual(['state-vector', ...Array.from({ length: pieces.length - 1 }, () => 'ack')]);
    expect(sent.slice(1).every((message) => message.kind === 'ack' && message.pieces === 1)).toBe(true);
    expect(link.incoming).toBe(false);
    expect(messagesOf(h.doc)).toEqual({ ...messagesOf(source), mine: 'already here' });
    expect(h.drops).toEqual([]);
  });

  it('refuses a piece nobody asked for and does not apply it, with one strike (an honest peer\'s piece still on its way after we gave its history up looks the same)', async () => {
    const source = docWith(5);
    const h = setup();
    const { link, sent } = h.open();
    await h.deliver(link, encodePiece(Y.encodeStateAsUpdate(source), true));
    expect(h.drops).toEqual(['update:unsolicited']);
    expect(h.doc.getMap('messages').size).toBe(0);
    expect(sent).toEqual([]);
    expect(h.historiesDone).toEqual([]);
    expectStrikes(h, link, 1);
  });

  it('refuses pieces once the history they belonged to has ended', async () => {
    const h = setup();
    const { link } = h.open();
    h.handler.requestHistory(link);
    await h.deliver(link, encodePiece(Y.encodeStateAsUpdate(docWith(5)), true), encodePiece(Y.encodeStateAsUpdate(docWith(3, undefined, 'late')), false));
    expect(h.doc.getMap('messages').size).toBe(5);
    expect(h.drops).toEqual(['update:unsolicited']);
    expect(h.historiesDone).toEqual([link]);
  });

  it('accepts a preview only while a history is incoming', async () => {
    const h = setup();
    const { link } = h.open();
    const preview = Uint8Array.of(1, 2, 3);
    await h.deliver(link, encodePreview(preview));
    expect(h.previews).toEqual([]);
    expect(h.drops).toEqual(['frame:unsolicited']);
    h.handler.requestHistory(link);
    await h.deliver(link, encodePreview(preview));
    expect(h.previews).toEqual([preview]);
    expect(h.drops).toEqual(['frame:unsolicited']);
  });

  it('passes a sync request on to the provider, which queues one history request per peer (history-requests.ts)', async () => {
    const h = setup();
    const { link, sent } = h.open();
    await h.deliver(link, encodeSyncRequest(), encodeSyncRequest());
    expect(h.syncRequests).toEqual([link, link]);
    expect(sent).toEqual([]);
    expect(h.drops).toEqual([]);
  });

  it('neither acks nor ends a history on a piece that admission refuses', async () => {
    const h = setup({ admit: async () => ({ ok: false, reason: 'signature' }) });
    const { link, sent } = h.open();
    h.handler.requestHistory(link);
    const update = Y.encodeStateAsUpdate(docWith(3));
    await h.deliver(link, encodePiece(update, false), encodePiece(update, true));
    expect(kinds(sent)).toEqual(['state-vector']);
    expect(h.historiesDone).toEqual([]);
    expect(link.incoming).toBe(true);
    expect(h.doc.getMap('messages').size).toBe(0);
    expect(h.drops).toEqual(['update:signature', 'update:signature']);
    expectStrikes(h, link, 2 * INVALID_STRIKES);
  });

  it('admits the pieces of the first history, and of any asked for in the first minute, as initial; later ones as history', async () => {
    const modes: AdmitMode[] = [];
    const h = setup({
      admit: async (update, mode) => {
        modes.push(mode);
        return { ok: true, update };
      },
    });
    const { link } = h.open();
    const source = docWith(60, (i) => `m${i}`.padEnd(30, '.'));
    h.handler.requestHistory(link);
    const first = piecesOf(source, Y.encodeStateVector(h.doc), 500);
    expect(first.length).toBeGreaterThan(1);
    for (const piece of first) await h.deliver(link, encodePiece(piece.update, piece.last));
    expect(modes).toEqual(first.map(() => 'initial'));
    // Within the first minute, another peer may hold more: still taken on trust.
    source.getMap('messages').set('soon', 'after');
    h.handler.requestHistory(link);
    await h.deliver(link, encodePiece(Y.encodeStateAsUpdate(source, Y.encodeStateVector(h.doc)), true));
    expect(modes.slice(first.length)).toEqual(['initial']);
    h.advance(INITIAL_SYNC_MS);
    source.getMap('messages').set('later', 'news');
    h.handler.requestHistory(link);
    await h.deliver(link, encodePiece(Y.encodeStateAsUpdate(source, Y.encodeStateVector(h.doc)), true));
    expect(modes.slice(first.length + 1)).toEqual(['history']);
    expect(h.doc.getMap('messages').get('later')).toBe('news');
  });
});

describe('message handler: state vectors we answer', () => {
  it('answers a state vector with the pieces the asker lacks, and no preview for a small history', async () => {
    const source = docWith(50, (i) => `message ${i}`);
    const h = setup({ doc: source, preview: () => Uint8Array.of(9) });
    const { link, sent } = h.open();
    const asker = docWith(1, () => 'asker', 'a');
    await h.deliver(link, encodeStateVector(asker));
    expect(kinds(sent)).toEqual(['piece']);
    expect(sent[0]).toMatchObject({ kind: 'piece', last: true });
    const received = docFromPieces(sent);
    Y.applyUpdate(asker, Y.encodeStateAsUpdate(received));
    expect(messagesOf(asker)).toEqual({ ...messagesOf(source), a0: 'asker' });
    expect(h.drops).toEqual([]);
  });

  it('leads a big history with a preview when preview() has one', async () => {
    const preview = Uint8Array.of(1, 2, 3, 4);
    const h = setup({ doc: docWith(HISTORY_ITEMS + 1), preview: () => preview });
    const { link, sent } = h.open();
    await h.deliver(link, encodeStateVector(new Y.Doc()));
    expect(kinds(sent)).toEqual(['preview', 'piece']);
    expect(sent[0]).toEqual({ kind: 'preview', preview });
    expect(messagesOf(docFromPieces(sent))).toEqual(messagesOf(h.doc));
    // A peer that lacks little gets no preview, however big the history.
    const nearly = new Y.Doc();
    Y.applyUpdate(nearly, Y.encodeStateAsUpdate(h.doc));
    h.doc.getMap('messages').set('new', 1);
    const other = h.open('other');
    await h.deliver(other.link, encodeStateVector(nearly));
    expect(kinds(other.sent)).toEqual(['piece']);
    // Nor when there is nothing to preview.
    const empty = setup({ doc: docWith(HISTORY_ITEMS + 1), preview: () => null });
    const third = empty.open();
    await empty.deliver(third.link, encodeStateVector(new Y.Doc()));
    expect(kinds(third.sent)).toEqual(['piece']);
  });

  it('refuses an empty or malformed state vector as decode', async () => {
    const h = setup({ doc: docWith(3) });
    const { link, sent } = h.open();
    await h.deliver(link, Uint8Array.of(0, 0, 0), Uint8Array.of(0, 0, 2, 3, 1));
    expect(h.drops).toEqual(['frame:decode', 'frame:decode']);
    expect(sent).toEqual([]);
  });

  it('answers STATE_VECTOR_BURST state vectors at once, then only the newest, late, counting the superseded as rate', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const source = docWith(20);
    const h = setup({ doc: source });
    const { link, sent } = h.open();
    // The last one asks for nothing: its answer is told apart from the others' by being empty.
    const vectors = [...Array.from({ length: STATE_VECTOR_BURST + 2 }, () => encodeStateVector(new Y.Doc())), encodeStateVector(source)];
    await h.deliver(link, ...vectors);
    expect(kinds(sent)).toEqual(Array.from({ length: STATE_VECTOR_BURST }, () => 'piece'));
    expect(h.drops).toEqual(['frame:rate', 'frame:rate']);
    h.advance(999);
    vi.advanceTimersByTime(999);
    expect(sent).toHaveLength(STATE_VECTOR_BURST);
    h.advance(1);
    vi.advanceTimersByTime(1);
    expect(sent).toHaveLength(STATE_VECTOR_BURST + 1);
    expect(docFromPieces(sent.slice(STATE_VECTOR_BURST)).getMap('messages').size).toBe(0);
    // Nothing else was waiting.
    h.advance(10_000);
    vi.advanceTimersByTime(10_000);
    expect(sent).toHaveLength(STATE_VECTOR_BURST + 1);
  });

  it('charges a state vector that asks for more than HISTORY_ITEMS as HISTORY_COST', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const h = setup({ doc: docWith(HISTORY_ITEMS + 1) });
    const { link, sent } = h.open();
    const affordable = Math.floor(STATE_VECTOR_BURST / HISTORY_COST);
    await h.deliver(link, ...Array.from({ length: affordable + 1 }, () => encodeStateVector(new Y.Doc())));
    expect(sent).toHaveLength(affordable);
    expect(h.drops).toEqual([]);
    h.advance(HISTORY_COST * 1000 - 1);
    vi.advanceTimersByTime(HISTORY_COST * 1000 - 1);
    expect(sent).toHaveLength(affordable);
    h.advance(1);
    vi.advanceTimersByTime(1);
    expect(sent).toHaveLength(affordable + 1);
  });

  it('cuts off a peer that floods state vectors', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const h = setup({ doc: docWith(3) });
    const { link, sent } = h.open();
    await h.deliver(link, ...Array.from({ length: STATE_VECTOR_BURST + 1 + FLOOD_STRIKES + 5 }, () => encodeStateVector(new Y.Doc())));
    expect(count(h.drops, 'frame:rate')).toBe(FLOOD_STRIKES + 1);
    expect(h.cutOffs).toEqual(['flood']);
    // The one that was waiting is forgotten with the link.
    h.advance(60_000);
    vi.advanceTimersByTime(60_000);
    expect(sent).toHaveLength(STATE_VECTOR_BURST);
  });

  it('streams as many pieces as the asker acks, and stops streaming to a closed link', async () => {
    const source = docWith(8000, (i) => `${i}`.padEnd(300, 'x'));
    const h = setup({ doc: source, later: 'queue' });
    const { link, sent } = h.open();
    await h.deliver(link, encodeStateVector(new Y.Doc()));
    h.flush();
    expect(count(kinds(sent), 'piece')).toBe(INITIAL_PIECE_CREDITS);
    await h.deliver(link, encodeAck(2));
    h.flush();
    expect(count(kinds(sent), 'piece')).toBe(INITIAL_PIECE_CREDITS + 2);
    expect(sent.some((message) => message.kind === 'piece' && message.last)).toBe(false);
    await h.deliver(link, encodeAck(MAX_PIECE_CREDITS));
    h.handler.closeLink(link);
    h.flush();
    expect(count(kinds(sent), 'piece')).toBe(INITIAL_PIECE_CREDITS + 2);
  });
});

describe('message handler: presence', () => {
  it('drops presence records with a bad signature and lets valid ones into the table', async () => {
    const h = setup();
    const { link } = h.open();
    const valid = await signPresence(peer, PEER_CLIENT_ID, 1, FIELDS);
    // The same signature under another client id does not verify.
    const moved = parsePresenceRecord(PEER_CLIENT_ID + 1, 1, valid.json) as PresenceRecord;
    await h.deliver(link, encodePresence(encodePresenceUpdate([valid, moved])));
    expect(h.drops).toEqual(['presence:signature']);
    expect([...h.table.entries().keys()]).toEqual([presenceId(PEER_CLIENT_ID, valid.key)]);
  });

  it('charges presence by the records an update carries: a full greeting passes, a record more does not', async () => {
    const h = setup();
    const { link } = h.open();
    const greeting = await Promise.all(Array.from({ length: PRESENCE_BURST }, (_, i) => signPresence(peer, i + 1, 1, FIELDS)));
    const extra = await signPresence(peer, PRESENCE_BURST + 1, 1, FIELDS);
    await h.deliver(link, encodePresence(encodePresenceUpdate(greeting)), encodePresence(encodePresenceUpdate([extra])));
    expect(h.table.entries().size).toBe(PRESENCE_BURST);
    expect(h.table.entries().has(presenceId(extra.clientId, extra.key))).toBe(false);
    expect(h.drops).toEqual(['presence:rate']);
    // A second later, PRESENCE_PER_SECOND renewals pass, and one more does not.
    h.advance(1000);
    const renewals = await Promise.all(Array.from({ length: PRESENCE_PER_SECOND + 1 }, (_, i) => signPresence(peer, i + 1, 2, FIELDS)));
    await h.deliver(link, encodePresence(encodePresenceUpdate(renewals.slice(0, PRESENCE_PER_SECOND))), encodePresence(encodePresenceUpdate(renewals.slice(PRESENCE_PER_SECOND))));
    const clocks = [...h.table.entries().values()].filter((entry) => entry.clock === 2).map((entry) => entry.clientId);
    expect(clocks.sort((a, b) => a - b)).toEqual(Array.from({ length: PRESENCE_PER_SECOND }, (_, i) => i + 1));
    expect(h.drops).toEqual(['presence:rate', 'presence:rate']);
  });
});

describe('message handler: limits', () => {
  it('drops messages beyond the link processing budget unopened, and takes them again once there is room', async () => {
    const h = setup();
    const { link } = h.open();
    const updates = Array.from({ length: 12 }, (_, i) => encodeLiveUpdate(bigUpdate(i)));
    const sealedBytes = (updates[0] as Uint8Array).length + AES_GCM_OVERHEAD;
    expect(updates.every((update) => update.length + AES_GCM_OVERHEAD === sealedBytes)).toBe(true);
    const fit = Math.floor(MAX_PROCESSING_BYTES / sealedBytes);
    expect(fit).toBeLessThan(updates.length);
    await h.deliver(link, ...updates.slice(0, -1));
    expect(count(h.drops, 'frame:budget')).toBe(updates.length - 1 - fit);
    expect(h.drops.every((drop) => drop === 'frame:budget')).toBe(true);
    expect(h.doc.getMap('messages').size).toBe(fit);
    expect(link.processingBytes).toBe(0);
    await h.deliver(link, updates[updates.length - 1] as Uint8Array);
    expect(h.doc.getMap('messages').size).toBe(fit + 1);
  });

  it('cuts off a peer that keeps going over its message rate, before opening what is over it', async () => {
    const h = setup();
    const { link } = h.open();
    await h.deliver(link, ...Array.from({ length: MESSAGE_BURST + FLOOD_STRIKES + 50 }, () => encodeSyncRequest()));
    expect(count(h.drops, 'frame:rate')).toBe(FLOOD_STRIKES + 1);
    expect(h.drops).toHaveLength(FLOOD_STRIKES + 1);
    expect(h.cutOffs).toEqual(['flood']);
    expect(link.closed).toBe(true);
  });

  it('cuts a peer off after more than FLOOD_STRIKES strikes within FLOOD_WINDOW_MS, not for as many spread over two windows', () => {
    const h = setup();
    const { link } = h.open();
    const junk = Uint8Array.of(99, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 5);
    for (let i = 0; i < FLOOD_STRIKES; i++) h.handler.receiveChunk(link, junk);
    expect(link.closed).toBe(false);
    h.advance(FLOOD_WINDOW_MS + 1);
    for (let i = 0; i < FLOOD_STRIKES; i++) h.handler.receiveChunk(link, junk);
    expect(link.closed).toBe(false);
    expect(h.cutOffs).toEqual([]);
    h.advance(FLOOD_WINDOW_MS);
    h.handler.receiveChunk(link, junk);
    expect(h.cutOffs).toEqual(['flood']);
    expect(link.closed).toBe(true);
    // A closed link's chunks are not even counted.
    h.handler.receiveChunk(link, junk);
    expect(h.drops).toEqual(Array.from({ length: 2 * FLOOD_STRIKES + 1 }, () => 'frame:chunk'));
  });

  it('refuses a message sealed with another key as decrypt, with INVALID_STRIKES strikes', async () => {
    const h = setup();
    const { link } = h.open();
    const otherKey = deriveRoomKeys(createRoomSecret()).wireKey;
    for (const chunk of await sealAndChunk(otherKey, encodeSyncRequest(), 1)) h.handler.receiveChunk(link, chunk);
    await link.processing;
    expect(h.drops).toEqual(['frame:decrypt']);
    expectStrikes(h, link, INVALID_STRIKES);
  });

  it('stops handling a closed link, including messages already received', async () => {
    const h = setup();
    const { link, sent } = h.open();
    const record = await signPresence(peer, PEER_CLIENT_ID, 1, FIELDS);
    const received = [encodePresence(encodePresenceUpdate([record])), encodeLiveUpdate(Y.encodeStateAsUpdate(docWith(1))), encodeHello(new Uint8Array(16)), await proofFor(link)];
    const sealed = await Promise.all(received.map((message, i) => sealAndChunk(wireKey, message, i + 1)));
    for (const chunks of sealed) for (const chunk of chunks) h.handler.receiveChunk(link, chunk);
    h.handler.closeLink(link);
    await link.processing;
    expect(h.table.entries().size).toBe(0);
    expect(h.doc.getMap('messages').size).toBe(0);
    expect(sent).toEqual([]);
    expect(link.proven).toBeNull();
    expect(h.drops).toEqual([]);
  });
});

describe('message handler: live updates and admission', () => {
  it('applies a live update of one message and refuses one of more structs than allowed', async () => {
    const h = setup();
    const { link } = h.open();
    await h.deliver(link, encodeLiveUpdate(Y.encodeStateAsUpdate(docWith(1))), encodeLiveUpdate(Y.encodeStateAsUpdate(docWith(1000))));
    expect(h.doc.getMap('messages').size).toBe(1);
    expect(h.drops).toEqual(['update:unsolicited']);
    expectStrikes(h, link, INVALID_STRIKES);
  });

  it('applies what admission lets through, and neither applies nor forgives what it refuses', async () => {
    const seen: AdmitMode[] = [];
    const trimmed = Y.encodeStateAsUpdate(docWith(1, () => 'trimmed'));
    const h = setup({
      admit: async (update, mode) => {
        seen.push(mode);
        const probe = new Y.Doc();
        Y.applyUpdate(probe, update);
        const value = probe.getMap('messages').get('k0');
        if (value === 'bad') return { ok: false, reason: 'unknown_root' };
        if (value === 'trim me') return { ok: true, update: trimmed };
        if (value === 'throw') throw new Error('admission broke');
        return { ok: true, update };
      },
    });
    const { link } = h.open();
    const live = (value: string): Uint8Array => encodeLiveUpdate(Y.encodeStateAsUpdate(docWith(1, () => value)));
    await h.deliver(link, live('bad'));
    expect(h.doc.getMap('messages').size).toBe(0);
    expect(h.drops).toEqual(['update:unknown_root']);
    await h.deliver(link, live('trim me'), live('throw'));
    expect(messagesOf(h.doc)).toEqual({ k0: 'trimmed' });
    expect(h.drops).toEqual(['update:unknown_root', 'update:decode']);
    expect(seen).toEqual(['live', 'live', 'live']);
    expectStrikes(h, link, 2 * INVALID_STRIKES);
  });
});

describe('message handler: tabs', () => {
  it('holds another tab to no limits: no rate, no budget, no struct cap, no strikes, pieces without asking', async () => {
    const h = setup({ doc: docWith(HISTORY_ITEMS + 1) });
    const { link, sent } = h.open('tab', true);
    // Past the message rate.
    await h.deliver(link, ...Array.from({ length: MESSAGE_BURST + 20 }, () => encodeSyncRequest()));
    expect(h.syncRequests).toHaveLength(MESSAGE_BURST + 20);
    // Past the state vector budget, each answered at once.
    const before = sent.length;
    await h.deliver(link, ...Array.from({ length: STATE_VECTOR_BURST + 5 }, () => encodeStateVector(new Y.Doc())));
    expect(kinds(sent.slice(before))).toEqual(Array.from({ length: STATE_VECTOR_BURST + 5 }, () => 'piece'));
    // Past the struct cap, and a piece without being asked.
    await h.deliver(link, encodeLiveUpdate(Y.encodeStateAsUpdate(docWith(1000, (i) => i, 'tab'))));
    await h.deliver(link, encodePiece(Y.encodeStateAsUpdate(docWith(5, (i) => i, 'piece')), true));
    expect(h.doc.getMap('messages').has('tab999')).toBe(true);
    expect(h.doc.getMap('messages').has('piece4')).toBe(true);
    expect(h.historiesDone).toEqual([]);
    // Past the processing budget.
    await h.deliver(link, ...Array.from({ length: 12 }, (_, i) => encodeLiveUpdate(bigUpdate(i))));
    expect(Array.from({ length: 12 }, (_, i) => h.doc.getMap('messages').has(`big${String(i).padStart(3, '0')}`))).toEqual(Array.from({ length: 12 }, () => true));
    // Many windows' worth of junk: counted, never cut off.
    for (let i = 0; i < 2 * FLOOD_STRIKES; i++) h.handler.receiveChunk(link, Uint8Array.of(99, 1));
    expect(h.drops).toEqual(Array.from({ length: 2 * FLOOD_STRIKES }, () => 'frame:chunk'));
    expect(h.cutOffs).toEqual([]);
    expect(link.closed).toBe(false);
    expect(count(kinds(sent), 'ack')).toBe(0);
    // Proofs are between peers: a tab's is ignored.
    await h.deliver(link, await proofFor(link));
    expect(link.proven).toBeNull();
    expect(h.proven).toEqual([]);
    expect(h.drops).toHaveLength(2 * FLOOD_STRIKES);
  });
});
