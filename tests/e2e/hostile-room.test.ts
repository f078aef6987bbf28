/**
 * A hostile member against an honest Chromium page and an honest Node peer, in one room: the
 * hostile Node peer writes straight into the shared document (forged, impersonating, malformed,
 * non-admin moderation, removals, a flood). The page must keep working and show none of it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import * as Y from 'yjs';
import { parseInviteFragment } from '../../src/core/invite-link.js';
import { createClock } from '../../src/core/hlc.js';
import { createMessageEntry, encodeMessageEntry, MAX_ENTRY_CHARS } from '../../src/core/message-entry.js';
import { createModerationAction, encodeModerationAction } from '../../src/core/moderation.js';
import { toBase64Url } from '../../src/crypto/encoding.js';
import { createIdentity, type Identity } from '../../src/crypto/identity.js';
import { useRoomHarness } from '../helpers/e2e.js';
import { until } from '../helpers/node.js';
import { createNodePeer, type NodePeer } from '../helpers/node-peer.js';

describe('a hostile member in a room with a Chromium page', () => {
  const harness = useRoomHarness();
  const peers: NodePeer[] = [];
  afterAll(() => {
    for (const peer of peers) peer.destroy();
  });

  const clock = createClock(Date.now);
  const messages = (peer: NodePeer): Y.Map<unknown> => peer.doc.getMap('messages');
  async function post(peer: NodePeer, identity: Identity, text: string): Promise<string> {
    const entry = await createMessageEntry(identity, { nick: 'Node', text, hlc: clock.tick() });
    messages(peer).set(entry.id, encodeMessageEntry(entry));
    return entry.id;
  }
  const log = (page: Page) => page.getByRole('log', { name: 'Messages' });

  it('shows no forged, impersonating, malformed or non-admin content, contains the flood, and keeps chatting', async () => {
    const context = await harness.browser().newContext();
    harness.track(context);
    const page = await context.newPage();
    await page.goto(harness.node().url());
    await page.getByRole('button', { name: 'Create room' }).click();
    await expect.poll(() => page.url()).toMatch(/&a=/);
    const link = parseInviteFragment(new URL(page.url()).hash);
    if (link?.adminKey === undefined) throw new Error('no admin key in the link');
    await page.getByRole('textbox', { name: 'Message' }).fill('House rules: be kind');
    await page.getByRole('textbox', { name: 'Message' }).press('Enter');
    await log(page).getByText('House rules: be kind').waitFor({ timeout: 10_000 });

    const honest = createNodePeer(harness.node().url().replace(/^http/, 'ws') + '/signal', link.secret, { adminKey: link.adminKey });
    const hostile = createNodePeer(harness.node().url().replace(/^http/, 'ws') + '/signal', link.secret, { adminKey: link.adminKey });
    peers.push(honest, hostile);
    const findRules = (): [string, string] | undefined => [...messages(hostile).entries()].find(([, value]) => String(value).includes('House rules')) as [string, string] | undefined;
    await until(() => findRules() !== undefined && messages(honest).size > 0, 30_000, 'both Node peers synced');
    const [rulesId, rulesValue] = findRules() as [string, string];
    const adminAuthor = (JSON.parse(rulesValue) as { author: string }).author;
    const mallory = await createIdentity();
    const friend = await createIdentity();
    const notices = page.getByRole('status', { name: 'Notices' });

    // 1. A flood of validly signed messages, in bursts a live update may carry: admitted (each is
    // valid), hidden by every member beyond the flood rule, with a calm note.
    for (let burst = 0; burst < 10; burst++) {
      const entries = await Promise.all(Array.from({ length: 100 }, (_, i) => createMessageEntry(mallory, { nick: 'Mallory', text: `FLOOD ${burst * 100 + i}`, hlc: clock.tick() })));
      hostile.doc.transact(() => {
        for (const entry of entries) messages(hostile).set(entry.id, encodeMessageEntry(entry));
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await notices.getByText('Mallory is sending too fast').waitFor({ timeout: 20_000 });

    // 2. What no honest member sends, each in a transaction of its own: refused whole by the page and
    // by the honest Node peer, never relayed, and counted; together they cut the sender off.
    const attacks: Array<() => Promise<void> | void> = [
      // A forged signature, and a message claiming the admin as its author.
      async () => {
        const forged = await createMessageEntry(mallory, { nick: 'Mallory', text: 'FORGED: signature of zeros', hlc: clock.tick() });
        messages(hostile).set(forged.id, encodeMessageEntry({ ...forged, sig: toBase64Url(new Uint8Array(64)) }));
      },
      async () => {
        const impostor = await createMessageEntry(mallory, { nick: 'Admin', text: 'IMPOSTOR: I am the admin', hlc: clock.tick() });
        messages(hostile).set(impostor.id, encodeMessageEntry({ ...impostor, author: adminAuthor }));
      },
      // A flood in the honest friend's name (forged signatures), to spend the friend's flood budget.
      async () => {
        const inFriendsName = await Promise.all(Array.from({ length: 150 }, (_, i) => createMessageEntry(mallory, { nick: 'Friend', text: `IMPOSTOR flood ${i}`, hlc: clock.tick() })));
        hostile.doc.transact(() => {
          for (const entry of inFriendsName) messages(hostile).set(entry.id, encodeMessageEntry({ ...entry, author: toBase64Url(friend.publicKey) }));
        });
      },
      // Malformed entries: not a string, oversized, deeply nested, a key that is not the id.
      () => void messages(hostile).set('AAAAAAAAAAAAAAAAAAAAAA', { text: 'MALFORMED object' }),
      () => void messages(hostile).set('BBBBBBBBBBBBBBBBBBBBBB', `MALFORMED ${'x'.repeat(MAX_ENTRY_CHARS)}`),
      () => {
        let nested: unknown = 'MALFORMED';
        for (let i = 0; i < 2000; i++) nested = [nested];
        messages(hostile).set('CCCCCCCCCCCCCCCCCCCCCC', JSON.stringify(nested));
      },
      async () => void messages(hostile).set('DDDDDDDDDDDDDDDDDDDDDD', encodeMessageEntry(await createMessageEntry(mallory, { nick: 'M', text: 'MALFORMED key', hlc: clock.tick() }))),
      // Moderation by a non-admin: signed by Mallory as herself, and claiming to be the admin.
      async () => {
        const asSelf = await createModerationAction(mallory, { kind: 'delete', target: rulesId }, clock.tick());
        hostile.doc.getMap('moderation').set(asSelf.id, encodeModerationAction(asSelf));
      },
      async () => {
        const claimed = await createModerationAction(mallory, { kind: 'ban', target: adminAuthor, reason: 'coup' }, clock.tick());
        hostile.doc.getMap('moderation').set(claimed.id, encodeModerationAction({ ...claimed, by: toBase64Url(link.adminKey as Uint8Array) }));
      },
      // Junk under a root the room does not have.
      () => void hostile.doc.getMap('junk').set('blob', 'MALFORMED '.repeat(20_000)),
    ];
    // First, removing the admin's message from the document outright: a deletion nobody's rules make, stripped.
    messages(hostile).delete(rulesId);
    for (const attack of attacks) {
      await attack();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    // The page keeps working: an honest message sent after all that shows up.
    await post(honest, friend, 'Honest message after the attack');
    await log(page).getByText('Honest message after the attack').waitFor({ timeout: 30_000 });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // Forgeries in the friend's name did not count against the friend.
    expect(await notices.textContent()).not.toMatch(/Friend|Node/);

    expect(await log(page).getByText('House rules: be kind').count()).toBe(1);
    for (const text of ['FORGED', 'IMPOSTOR', 'MALFORMED']) expect(await log(page).getByText(text).count(), text).toBe(0);
    const floodShown = await log(page).getByText(/^FLOOD \d+$/).count();
    expect(floodShown).toBeGreaterThan(0);
    expect(floodShown).toBeLessThanOrEqual(20);
    // Nothing refused reached the honest Node peer either, and it kept the admin's message.
    for (const text of ['FORGED', 'IMPOSTOR', 'MALFORMED']) expect([...messages(honest).values()].map(String).join('\n')).not.toContain(text);
    expect(honest.doc.share.has('junk')).toBe(false);
    expect(messages(honest).has(rulesId)).toBe(true);
    expect(await page.getByRole('textbox', { name: 'Message' }).isEnabled()).toBe(true);

    // Every attack was counted where the page shows it.
    await page.getByText('Diagnostics').click();
    const counters = (await page.getByRole('table', { name: 'Dropped inputs' }).textContent()) ?? '';
    for (const counter of ['update.signature', 'update.shape', 'update.size', 'update.refused']) expect(counters, counter).toContain(counter);
    expect((await page.getByRole('table', { name: 'Hidden messages' }).textContent()) ?? '').toContain('hidden: flood');
  });

  it('a banned member who ignores the ban stops receiving new messages after the rekey, while the others keep chatting', async () => {
    const contextA = await harness.browser().newContext();
    const contextB = await harness.browser().newContext();
    harness.track(contextA);
    harness.track(contextB);
    const admin = await contextA.newPage();
    await admin.goto(harness.node().url());
    await admin.getByRole('button', { name: 'Create room' }).click();
    await expect.poll(() => admin.url()).toMatch(/&a=/);
    const member = await contextB.newPage();
    await member.goto(admin.url());
    const link = parseInviteFragment(new URL(admin.url()).hash);
    if (link?.adminKey === undefined) throw new Error('no admin key in the link');

    // Mallory: a Node peer with a real identity, present and posting, that will ignore her ban.
    const mallory = await createIdentity();
    const hostile = createNodePeer(harness.node().url().replace(/^http/, 'ws') + '/signal', link.secret, { adminKey: link.adminKey, identity: mallory, nick: 'Mallory' });
    peers.push(hostile);
    await post(hostile, mallory, 'Mallory was here before the ban');
    const people = (page: Page) => page.getByRole('list', { name: 'People' }).getByRole('listitem');
    await expect.poll(() => people(admin).count(), { timeout: 20_000 }).toBe(3);
    await log(member).getByText('Mallory was here before the ban').waitFor({ timeout: 10_000 });

    admin.once('dialog', (dialog) => void dialog.accept('threats'));
    await admin.getByRole('button', { name: 'Ban Mallory' }).click();
    for (const page of [admin, member]) {
      await page.getByRole('status', { name: 'Notices' }).getByText('moved to a new key').waitFor({ timeout: 20_000 });
    }
    await expect.poll(() => people(admin).count(), { timeout: 20_000 }).toBe(2);

    await member.getByRole('textbox', { name: 'Message' }).fill('The new meeting place is the library');
    await member.getByRole('textbox', { name: 'Message' }).press('Enter');
    await log(admin).getByText('The new meeting place is the library').waitFor({ timeout: 20_000 });
    await admin.getByRole('textbox', { name: 'Message' }).fill('Agreed, see you there');
    await admin.getByRole('textbox', { name: 'Message' }).press('Enter');
    await log(member).getByText('Agreed, see you there').waitFor({ timeout: 20_000 });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const seenByMallory = [...messages(hostile).values()].map(String).join('\n');
    expect(seenByMallory).toContain('Mallory was here before the ban'); // she keeps what she had
    expect(seenByMallory).not.toContain('library');
    expect(seenByMallory).not.toContain('see you there');
    // Coming back with the old link under a fresh identity gets her nothing new either: nobody is
    // left on the old keys (without the rekey, members would sync the whole room to the new identity).
    const comeback = createNodePeer(harness.node().url().replace(/^http/, 'ws') + '/signal', link.secret, { adminKey: link.adminKey });
    peers.push(comeback);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect([...messages(comeback).values()].map(String).join('\n')).not.toContain('library');
    // Her messages after the ban are refused even if some path still carried them.
    await post(hostile, mallory, 'Mallory after the ban');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await log(admin).getByText('Mallory after the ban').count()).toBe(0);
  });
});
