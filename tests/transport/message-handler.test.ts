/**
 * The receiving side of one link, driven directly: messages are sealed with a real wire key and
 * fed chunk by chunk, the clock is the test's, and replies are collected. Deterministic.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { createRoomSecret, deriveRoomKeys } from '../../src/crypto/keys.js';
import * as encoding from 'lib0/encoding';
import { FLOOD_STRIKES, HISTORY_COST, HISTORY_ITEMS, MESSAGE_BURST, PRESENCE_BURST, PRESENCE_PER_SECOND, STEP1_BURST, createMessageHandler, type Link } from '../../src/transport/message-handler.js';
import { sealAndChunk } from '../../src/transport/wire-frames.js';
import { encodeAwareness, encodeHello, encodeSyncRequest, encodeSyncStep1, encodeSyncStep2, encodeSyncUpdate, parseWireMessage, type WireMessage } from '../../src/transport/wire-messages.js';

const { wireKey } = deriveRoomKeys(createRoomSecret());

afterEach(() => {
  vi.useRealTimers();
});

/** An awareness update of `n` made-up people, client ids from `first`. */
function presence(first: number, n: number): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, n);
  for (let client = first; client < first + n; client++) {
    encoding.writeVarUint(encoder, client);
    encoding.writeVarUint(encoder, 1);
    encoding.writeVarString(encoder, '{"nick":"x"}');
  }
  return encodeAwareness(encoding.toUint8Array(encoder));
}

function setup(doc = new Y.Doc()) {
  let at = 0;
  const drops: string[] = [];
  const cutOff: string[] = [];
  const refused = new Set<number>();
  const sent: WireMessage[] = [];
  const awareness = new Awareness(doc);
  const handler = createMessageHandler({
    doc,
    awareness,
    wireKey,
    isValidPresence: () => true,
    onDrop: (source, reason) => drops.push(`${source}:${reason}`),
    whenReady: (work) => work(),
    replyOrigin: (origin) => `reply:${origin}`,
    cutOff: (link, why) => {
      cutOff.push(why);
      handler.closeLink(link);
    },
    isRefusedClient: (client) => refused.has(client),
    isDestroyed: () => false,
    now: () => at,
  });
  const link = handler.createLink('peer', false, (message) => sent.push(parseWireMessage(message)));
  let nextId = 1;
  /** Seals and feeds messages, then waits until the link has handled them. */
  const deliver = async (target: Link, ...messages: Uint8Array[]): Promise<void> => {
    for (const message of messages) for (const chunk of await sealAndChunk(wireKey, message, nextId++)) handler.receiveChunk(target, chunk);
    await target.opening;
  };
  return { doc, awareness, handler, link, drops, cutOff, refused, sent, deliver, advance: (ms: number) => void (at += ms) };
}

const kinds = (sent: WireMessage[]): string[] => sent.map((message) => message.kind);

function docWith(n: number): Y.Doc {
  const doc = new Y.Doc();
  doc.transact(() => {
    for (let i = 0; i < n; i++) doc.getMap('messages').set(`k${i}`, i);
  });
  return doc;
}

describe('message handler', () => {
  it('accepts a sync step 2 only in reply to its own step 1, one per request', async () => {
    const { doc, handler, link, drops, sent, deliver } = setup();
    handler.greet(link);
    expect(kinds(sent)).toEqual(['hello', 'sync-step1', 'awareness']);
    const remote = docWith(3);
    await deliver(link, encodeSyncStep2(remote, Y.encodeStateVector(doc)));
    expect(doc.getMap('messages').size).toBe(3);
    const more = docWith(5);
    await deliver(link, encodeSyncStep2(more, Y.encodeStateVector(doc)));
    expect(drops).toEqual(['frame:unsolicited']);
    expect(doc.getMap('messages').size).toBe(3);
  });

  it('answers a sync request with a step 1 only when none is outstanding', async () => {
    const { handler, link, sent, deliver } = setup();
    handler.greet(link);
    await deliver(link, encodeSyncRequest(), encodeSyncRequest());
    expect(kinds(sent).filter((kind) => kind === 'sync-step1')).toHaveLength(1);
    await deliver(link, encodeSyncStep2(new Y.Doc(), Uint8Array.of(0)), encodeSyncRequest());
    expect(kinds(sent).filter((kind) => kind === 'sync-step1')).toHaveLength(2);
  });

  it('applies a live update of one message and refuses one of more structs than allowed', async () => {
    const { doc, link, drops, deliver } = setup();
    await deliver(link, encodeSyncUpdate(Y.encodeStateAsUpdate(docWith(1))), encodeSyncUpdate(Y.encodeStateAsUpdate(docWith(1000))));
    expect(doc.getMap('messages').size).toBe(1);
    expect(drops).toEqual(['frame:unsolicited']);
  });

  it('refuses a second HELLO, and cuts off a peer whose HELLO names a refused client', async () => {
    const { handler, link, drops, cutOff, refused, deliver } = setup();
    await deliver(link, encodeHello(1), encodeHello(2));
    expect(link.clientId).toBe(1);
    expect(drops).toEqual(['frame:unsolicited']);
    refused.add(7);
    const next = handler.createLink('other', false, () => undefined);
    await deliver(next, encodeHello(7), encodeSyncRequest());
    expect(cutOff).toEqual(['refused']);
    expect(drops).toEqual(['frame:unsolicited', 'frame:refused']);
    expect(next.closed).toBe(true);
  });

  it('cuts off a peer that keeps going over its message budget, without opening what is over it', async () => {
    const { link, drops, cutOff, deliver } = setup();
    const flood = Array.from({ length: MESSAGE_BURST + FLOOD_STRIKES + 50 }, () => encodeSyncRequest());
    await deliver(link, ...flood);
    expect(drops.filter((drop) => drop === 'frame:rate')).toHaveLength(FLOOD_STRIKES + 1);
    expect(cutOff).toEqual(['flood']);
  });

  it('charges presence by the people an update carries: a full greeting passes, a flood of people does not', async () => {
    const { awareness, link, drops, deliver, advance } = setup();
    await deliver(link, presence(1000, PRESENCE_BURST), presence(5000, 1));
    expect(awareness.getStates().size).toBe(1 + PRESENCE_BURST);
    expect(drops).toEqual(['presence:rate']);
    advance(1000);
    await deliver(link, presence(6000, PRESENCE_PER_SECOND));
    expect(awareness.getStates().size).toBe(1 + PRESENCE_BURST + PRESENCE_PER_SECOND);
  });

  it('answers history requests beyond their budget late, and only the newest of them', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { doc, link, drops, sent, deliver, advance } = setup(docWith(HISTORY_ITEMS + 1));
    const empty = encodeSyncStep1(new Y.Doc());
    const affordable = Math.floor(STEP1_BURST / HISTORY_COST);
    await deliver(link, ...Array.from({ length: affordable + 3 }, () => empty));
    expect(kinds(sent)).toEqual(Array.from({ length: affordable }, () => 'sync-step2'));
    expect(drops).toEqual(['frame:rate', 'frame:rate']);
    // Once the bucket holds a history's worth again, the newest request is answered.
    advance(HISTORY_COST * 1000);
    vi.advanceTimersByTime(HISTORY_COST * 1000);
    expect(kinds(sent)).toHaveLength(affordable + 1);
    // A request for a little is answered at once.
    advance(1000);
    await deliver(link, encodeSyncStep1(doc));
    expect(kinds(sent)).toHaveLength(affordable + 2);
  });
});
