import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createIdentity, type Identity } from '../../src/crypto/identity.js';
import { toBase64Url } from '../../src/crypto/encoding.js';
import { createClock } from '../../src/core/hlc.js';
import { createMemberCard, type MemberCard } from '../../src/core/member-card.js';
import { PrivateMessages } from '../../src/state/private-messages.svelte.js';
import type { DropReason } from '../../src/core/types.js';

/** Several devices sharing one document (updates applied at once), each with its own PrivateMessages. */
async function room(count: number) {
  const identities = await Promise.all(Array.from({ length: count }, () => createIdentity()));
  const cards = new Map<string, MemberCard>();
  for (const identity of identities) {
    const card = await createMemberCard(identity);
    cards.set(card.key, card);
  }
  const docs = identities.map(() => new Y.Doc());
  docs.forEach((doc, i) => doc.on('update', (update: Uint8Array, origin: unknown) => {
    if (origin === 'remote') return;
    docs.forEach((other, j) => j !== i && Y.applyUpdate(other, update, 'remote'));
  }));
  const clock = createClock(Date.now);
  const devices = identities.map((identity: Identity, i) => {
    const drops: DropReason[] = [];
    const state = { reply: null as string | null, refused: new Set<string>() };
    const privates = new PrivateMessages({
      doc: docs[i]!,
      identity: () => identity,
      boxOf: (key) => cards.get(key)?.box,
      refused: (key) => state.refused.has(key),
      nick: () => `Person ${i}`,
      tick: () => clock.tick(),
      drop: (reason) => drops.push(reason),
      autoReply: () => state.reply,
    });
    return { key: toBase64Url(identity.publicKey), privates, drops, state, doc: docs[i]! };
  });
  await Promise.all(devices.map((device) => device.privates.start()));
  return devices;
}

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 30));
const texts = (privates: PrivateMessages): string[] => privates.visible().map((message) => message.text);

describe('private messages on each device', () => {
  it('the sender and recipient read one; a third device keeps it unopened', async () => {
    const [ana, bo, cy] = await room(3);
    expect(await ana!.privates.send(bo!.key, 'only for Bo')).toBe(true);
    await settle();
    expect(texts(ana!.privates)).toEqual(['only for Bo']);
    expect(bo!.privates.visible()).toMatchObject([{ text: 'only for Bo', nick: 'Person 0', outgoing: false, author: ana!.key }]);
    expect(cy!.privates.all).toEqual([]);
    expect(cy!.doc.getMap('private').size).toBe(1);
    expect(cy!.drops).toEqual([]); // not even tried: it is not Cy's to open
    expect(ana!.privates.canSendTo(ana!.key)).toBe(false);
  });

  it('drops a forged entry, and hides a refused sender', async () => {
    const [ana, bo] = await room(2);
    await ana!.privates.send(bo!.key, 'hello');
    await settle();
    const [key, value] = [...bo!.doc.getMap<string>('private').entries()][0]!;
    const forged = JSON.parse(value) as Record<string, string>;
    forged['hlc'] = createClock(() => Date.now() + 1000).tick();
    bo!.doc.getMap('private').set(key, JSON.stringify(forged));
    await settle();
    expect(bo!.drops).toContain('signature');
    expect(bo!.doc.getMap('private').get(key)).toBe(value); // the verified entry is put back
    bo!.state.refused.add(ana!.key);
    expect(texts(bo!.privates)).toEqual([]);
  });

  it('answers once per away period, never an auto-reply, and never when off', async () => {
    const [ana, bo] = await room(2);
    ana!.state.reply = 'Ana is away';
    bo!.state.reply = 'Bo is away too';
    await bo!.privates.send(ana!.key, 'not away yet');
    await settle();
    ana!.privates.setAway(true);
    bo!.privates.setAway(true); // both away: an auto-reply must not start a ping-pong
    await bo!.privates.send(ana!.key, 'first');
    await bo!.privates.send(ana!.key, 'second');
    await settle();
    expect(texts(bo!.privates)).toEqual(['not away yet', 'first', 'second', 'Ana is away']);
    ana!.privates.setAway(false);
    ana!.privates.setAway(true);
    await bo!.privates.send(ana!.key, 'third');
    await settle();
    expect(texts(bo!.privates).filter((text) => text === 'Ana is away')).toHaveLength(2);
    expect(texts(bo!.privates)).not.toContain('Bo is away too');
    ana!.state.reply = null;
    ana!.privates.setAway(false);
    ana!.privates.setAway(true);
    await bo!.privates.send(ana!.key, 'fourth');
    await settle();
    expect(texts(bo!.privates).filter((text) => text === 'Ana is away')).toHaveLength(2);
  });
});

describe('private messages and the room lifetime', () => {
  it('expire like messages: hidden once older than the lifetime, and removed from every document for good', async () => {
    const identities = await Promise.all([createIdentity(), createIdentity()]);
    const cards = new Map<string, MemberCard>();
    for (const identity of identities) {
      const card = await createMemberCard(identity);
      cards.set(card.key, card);
    }
    const docs = [new Y.Doc(), new Y.Doc()];
    docs.forEach((doc, i) => doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== 'remote') Y.applyUpdate(docs[1 - i]!, update, 'remote');
    }));
    let lifetimeMs = 0;
    // Stamps from an hour and a half ago, as if the messages were written then.
    let wallMs = Date.now() - 90 * 60_000;
    const clock = createClock(() => (wallMs += 1000));
    const arrived: string[] = [];
    const devices = identities.map((identity, i) => new PrivateMessages({
      doc: docs[i]!,
      identity: () => identity,
      boxOf: (key) => cards.get(key)?.box,
      refused: () => false,
      nick: () => `Person ${i}`,
      tick: () => clock.tick(),
      drop: () => undefined,
      autoReply: () => null,
      lifetimeMs: () => lifetimeMs,
      arrived: (message) => arrived.push(`${i}:${message.text}`),
    }));
    await Promise.all(devices.map((device) => device.start()));
    const [ana, bo] = devices as [PrivateMessages, PrivateMessages];
    await ana.send(toBase64Url(identities[1]!.publicKey), 'an old secret');
    await settle();
    expect(texts(bo)).toEqual(['an old secret']);
    expect(arrived).toEqual(['1:an old secret']); // the recipient's device, not the sender's

    lifetimeMs = 3600_000; // the admin sets one hour
    expect(texts(bo)).toEqual([]);
    bo.expire();
    ana.expire();
    await settle();
    for (const doc of docs) expect(doc.getMap('private').size).toBe(0);
    // Not put back by either device: an expired entry may go.
    await settle();
    for (const doc of docs) expect(doc.getMap('private').size).toBe(0);
    expect(ana.all).toEqual([]);
  });
});
