/**
 * A hostile member against files in Chromium, from a Node peer speaking the real protocol over
 * real WebRTC: it serves wrong bytes (detected; the file comes from someone else), floods piece
 * requests (limited, counted, cut off, while the honest transfer goes on), announces a file with a
 * malformed manifest (refused, never shown), and shares an SVG with a script (offered for saving,
 * never rendered).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { isFileEntry, decodeMessageEntry, createMessageEntry, encodeMessageEntry } from '../../src/core/message-entry.js';
import { createClock } from '../../src/core/hlc.js';
import { parseInviteFragment } from '../../src/core/invite-link.js';
import { createIdentity } from '../../src/crypto/identity.js';
import { createFileSwarm, type FileSwarm } from '../../src/transport/file-swarm.js';
import type { FilePieceStore } from '../../src/persistence/file-store.js';
import { peopleItems, useRoomHarness } from '../helpers/e2e.js';
import { answerSavePicker, attach, fileRow, randomFile, savedDigestOf, savedHash, transferCount } from '../helpers/files.js';
import { createFsPieceStore } from '../helpers/fs-piece-store.js';
import { until } from '../helpers/node.js';
import { createNodePeer, type NodePeer } from '../helpers/node-peer.js';

/** The count of one row of Diagnostics' "Dropped inputs" (0 when absent). */
async function dropped(page: Page, name: string): Promise<number> {
  const table = page.getByRole('table', { name: 'Dropped inputs' });
  if (!(await table.isVisible())) await page.getByText('Diagnostics', { exact: true }).click();
  const row = table.getByRole('row', { name });
  if ((await row.count()) === 0) return 0;
  return Number(((await row.getByRole('cell').textContent()) ?? '').replace(/[^0-9]/g, ''));
}

describe('a hostile member and files', () => {
  const harness = useRoomHarness();
  const peers: NodePeer[] = [];
  const swarms: FileSwarm[] = [];
  const dirs: string[] = [];
  afterAll(() => {
    for (const swarm of swarms) swarm.destroy();
    for (const peer of peers) peer.destroy();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  async function person(url: string): Promise<Page> {
    const context = await harness.browser().newContext({ acceptDownloads: true });
    harness.track(context);
    await answerSavePicker(context);
    return harness.openPage(url, { context });
  }

  /** A Node member with a file swarm over its own store; `tamper` rewrites what its store hands out. */
  function nodeMember(url: string, tamper?: (bytes: Uint8Array) => Uint8Array): { peer: NodePeer; swarm: FileSwarm; store: FilePieceStore } {
    const link = parseInviteFragment(new URL(url).hash);
    if (link === null) throw new Error('no invite link');
    const peer = createNodePeer(harness.node().url().replace(/^http/, 'ws') + '/signal', link.secret, link.adminKey === undefined ? {} : { adminKey: link.adminKey });
    peers.push(peer);
    const dir = mkdtempSync(join(tmpdir(), 'parley-hostile-files-'));
    dirs.push(dir);
    const honestStore = createFsPieceStore(dir, { budget: 1024 ** 3 });
    const store: FilePieceStore = tamper === undefined ? honestStore : { ...honestStore, getPiece: async (fileId, index) => {
      const bytes = await honestStore.getPiece(fileId, index);
      return bytes === null ? null : tamper(bytes);
    } };
    const fileOf = (id: string) => {
      const value = peer.doc.getMap('messages').get(id);
      const parsed = decodeMessageEntry(id, value);
      return parsed.ok && isFileEntry(parsed.entry) ? { size: parsed.entry.file.size, root: parsed.entry.file.root } : null;
    };
    const swarm = createFileSwarm({ links: peer.provider.files, store, fileOf, mayServe: (id) => fileOf(id) !== null, onDrop: () => undefined });
    swarms.push(swarm);
    return { peer, swarm, store };
  }

  const fileIdOf = (peer: NodePeer, name: string): string | undefined => {
    for (const [id, value] of peer.doc.getMap('messages')) if (String(value).includes(`"text":"${name}"`)) return id;
    return undefined;
  };

  it('refuses wrong bytes and takes the file from someone else; limits a request flood', { timeout: 300_000 }, async () => {
    const a = await person(harness.node().url());
    await a.getByRole('button', { name: 'Create room' }).click();
    await expect.poll(() => a.url()).toMatch(/#k=/);
    const file = randomFile('honest.bin', 8 * 1000 * 1000);
    await attach(a, file);

    // Mallory fetches the file honestly, then serves every piece with one bit flipped.
    const mallory = nodeMember(a.url(), (bytes) => {
      const bad = bytes.slice();
      bad[bad.length - 1]! ^= 1;
      return bad;
    });
    await until(() => fileIdOf(mallory.peer, file.name) !== undefined, 30_000, 'mallory sees the file');
    const fileId = fileIdOf(mallory.peer, file.name) as string;
    await mallory.swarm.track(fileId);
    mallory.swarm.download(fileId);
    await until(() => mallory.swarm.status(fileId).phase === 'complete', 60_000, 'mallory holds the file');

    const b = await person(a.url());
    // A, Mallory (a Node peer has presence too) and B.
    await expect.poll(() => peopleItems(b).count(), { timeout: 30_000 }).toBe(3);
    const row = fileRow(b, file.name);
    await row.getByText(/Available from 2 /).waitFor({ timeout: 30_000 });
    await row.getByRole('button', { name: 'Download' }).click();
    await row.getByRole('button', { name: 'Save' }).waitFor({ timeout: 120_000 });
    await row.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => savedHash(b, file.name), { timeout: 30_000 }).toBe(savedDigestOf(file.buffer));
    // Mallory was asked, served a bad piece, and was refused for it.
    expect(await transferCount(b, 'bad pieces refused')).toBeGreaterThan(0);
    expect(await dropped(b, 'file.signature')).toBeGreaterThan(0);

    // A flood of piece requests at everyone: 16 wait per peer, the rest are refused and counted,
    // each refusal is a strike, and past 100 strikes in 5 s the flooder is cut off.
    const floodTargets = [...mallory.peer.provider.files.peers().keys()];
    expect(floodTargets.length).toBe(2);
    for (const peerId of floodTargets) {
      for (let i = 0; i < 400; i++) mallory.peer.provider.files.send(peerId, { kind: 'request', id: fileId, pieces: [0, 1, 2, 3, 4, 5, 6, 7] });
    }
    await expect.poll(() => dropped(a, 'file.budget'), { timeout: 30_000 }).toBeGreaterThan(0);
    await expect.poll(async () => (await dropped(a, 'frame.rate')) + (await dropped(a, 'file.budget')), { timeout: 30_000 }).toBeGreaterThanOrEqual(100);
    await until(() => mallory.peer.provider.files.peers().size === 0, 30_000, 'the flooder to be cut off');
    // A still works for honest people.
    const second = randomFile('after-flood.bin', 1 * 1000 * 1000);
    await attach(a, second);
    await fileRow(b, second.name).getByRole('button', { name: 'Download' }).click({ timeout: 30_000 });
    await fileRow(b, second.name).getByRole('button', { name: 'Save' }).waitFor({ timeout: 60_000 });
  });

  it('refuses a file message with a malformed manifest, and never renders an SVG', { timeout: 180_000 }, async () => {
    const a = await person(harness.node().url());
    await a.getByRole('button', { name: 'Create room' }).click();
    await expect.poll(() => a.url()).toMatch(/#k=/);
    const hostile = nodeMember(a.url());
    await expect.poll(() => peopleItems(a).count(), { timeout: 30_000 }).toBe(2);

    // A validly signed v3 entry, then its manifest altered in the stored form: refused by the parser.
    const identity = await createIdentity();
    const clock = createClock(Date.now);
    const good = await createMessageEntry(identity, { nick: 'Mallory', text: 'trap.bin', hlc: clock.tick(), file: { size: 1000, type: 'application/octet-stream', key: 'A'.repeat(43), root: 'A'.repeat(43) } });
    const stored = JSON.parse(encodeMessageEntry(good)) as { file: Record<string, unknown> };
    stored.file['size'] = -5;
    hostile.peer.doc.getMap('messages').set(good.id, JSON.stringify(stored));
    const other = await createMessageEntry(identity, { nick: 'Mallory', text: 'extra.bin', hlc: clock.tick(), file: { size: 1000, type: 'application/octet-stream', key: 'A'.repeat(43), root: 'A'.repeat(43) } });
    const extra = JSON.parse(encodeMessageEntry(other)) as { file: Record<string, unknown> };
    extra.file['script'] = 'alert(1)';
    hostile.peer.doc.getMap('messages').set(other.id, JSON.stringify(extra));
    await expect.poll(async () => (await dropped(a, 'entry.shape')) + (await dropped(a, 'update.shape')), { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
    await expect.poll(() => a.getByText('trap.bin').count()).toBe(0);
    expect(await a.getByText('extra.bin').count()).toBe(0);

    // An SVG whose script would mark the page: shared, downloaded, saved, and never rendered.
    const b = await person(a.url());
    await expect.poll(() => peopleItems(b).count(), { timeout: 30_000 }).toBe(3);
    const svg = { name: 'drawing.svg', mimeType: 'image/svg+xml', buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="top.__pwned=1"><script>top.__pwned=1</script><rect width="10" height="10"/></svg>') };
    await attach(a, svg);
    const row = fileRow(b, svg.name);
    await row.getByRole('button', { name: 'Download' }).click({ timeout: 30_000 });
    await row.getByRole('button', { name: 'Save' }).waitFor({ timeout: 30_000 });
    await row.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => savedHash(b, svg.name), { timeout: 30_000 }).toBe(savedDigestOf(svg.buffer));
    expect(await row.locator('img, svg image, object, embed, iframe').count()).toBe(0);
    expect(await b.evaluate(() => (window as unknown as { __pwned?: number }).__pwned ?? 0)).toBe(0);
  });
});
