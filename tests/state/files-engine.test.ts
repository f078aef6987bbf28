/**
 * A room's files engine between members, each with its own IndexedDB rows (fake-indexeddb),
 * real encryption and real signed file messages, connected through the real wire encoder and
 * parser: what a person does (attach, download, save) and what the room's rules take away
 * (blocked people, banned authors, deleted or expired messages, private files, the budget).
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { FILE_PIECE_BYTES, type FileManifest } from '../../src/core/file-manifest.js';
import { createMessageEntry } from '../../src/core/message-entry.js';
import { createClock } from '../../src/core/hlc.js';
import type { MessageEntry } from '../../src/core/types.js';
import { toBase64Url } from '../../src/crypto/encoding.js';
import { createIdentity, type Identity } from '../../src/crypto/identity.js';
import { FilesEngine, type RoomFilesHost } from '../../src/state/files-engine.js';
import { createFileLinks } from '../../src/transport/file-links.js';
import { parseWireMessage } from '../../src/transport/wire-messages.js';

interface Member {
  readonly name: string;
  readonly key: string;
  readonly engine: FilesEngine;
  readonly drops: string[];
  readonly excluded: Set<string>;
  readonly gone: Set<string>;
  deliver(from: string, key: string, message: Parameters<ReturnType<typeof createFileLinks>['deliver']>[2]): void;
  changed(): void;
}

const clock = createClock(Date.now);

function createRoom() {
  const members = new Map<string, Member>();
  /** The room's shown messages, the same for everyone (what each member's message index would show). */
  const messages = new Map<string, MessageEntry>();
  const privates = new Map<string, { author: string; to: string; text: string; file: FileManifest }>();
  const identities = new Map<string, Identity>();
  const online = new Set<string>();
  const room = {
    messages,
    privates,
    /** `nosy`: this member reads every private file's manifest (as a hostile one who learned it would). */
    async join(name: string, nosy = false): Promise<Member> {
      const identity = await createIdentity();
      identities.set(name, identity);
      const key = toBase64Url(identity.publicKey);
      const drops: string[] = [];
      const excluded = new Set<string>();
      const gone = new Set<string>();
      let member: Member;
      const links = createFileLinks({
        peers: () => new Map([...online].filter((other) => other !== name).map((other) => [other, members.get(other)!.key])),
        sendTo: (to, bytes) => {
          const parsed = parseWireMessage(bytes);
          if (parsed.kind !== 'file') throw new Error('not a file message');
          setTimeout(() => {
            if (online.has(to) && online.has(name)) members.get(to)?.deliver(name, key, parsed.message);
          }, 0);
        },
        whenLow: (_peer, listener) => void setTimeout(listener, 0),
        strike: () => undefined,
      });
      const host: RoomFilesHost = {
        // Each member's own rows: a room id of its own keeps two members in one IndexedDB apart.
        keys: { roomId: `room-${name}-${toBase64Url(crypto.getRandomValues(new Uint8Array(6)))}`, storeKey: crypto.getRandomValues(new Uint8Array(32)) },
        links: links.links,
        shown: (id) => (gone.has(id) ? undefined : messages.get(id)),
        privateFile: (id) => {
          const secret = privates.get(id);
          return secret !== undefined && (nosy || secret.author === key || secret.to === key) ? secret : undefined;
        },
        gone: (id) => gone.has(id),
        excluded: (other) => excluded.has(other),
        ownKey: () => key,
        maxFileBytes: () => null,
        sendFile: (text, id, file, to) => {
          if (to !== undefined) privates.set(id, { author: key, to, text, file });
          else void createMessageEntry(identity, { nick: name, text, hlc: clock.tick(), file }, () => id).then((entry) => messages.set(id, entry));
          return true;
        },
        drop: (reason) => void drops.push(reason),
      };
      const engine = new FilesEngine(host, { changed: () => undefined, usage: () => undefined });
      member = { name, key, engine, drops, excluded, gone, deliver: links.deliver, changed: links.changed };
      members.set(name, member);
      online.add(name);
      for (const other of members.values()) other.changed();
      return member;
    },
  };
  return room;
}

const until = async (check: () => boolean, what: string, ms = 10_000): Promise<void> => {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

const fileOf = (size: number, name = 'data.bin', type = 'application/octet-stream'): File => {
  const bytes = new Uint8Array(size);
  for (let at = 0; at < size; at += 65536) crypto.getRandomValues(bytes.subarray(at, Math.min(size, at + 65536)));
  return new File([bytes], name, { type });
};

/** The id of the file message named `name` once it is in the room. */
async function sentId(room: ReturnType<typeof createRoom>, name: string): Promise<string> {
  await until(() => [...room.messages.values()].some((entry) => entry.text === name) || [...room.privates.values()].some((secret) => secret.text === name), `${name} to be sent`);
  const entry = [...room.messages.values()].find((candidate) => candidate.text === name);
  return entry?.id ?? [...room.privates.entries()].find(([, secret]) => secret.text === name)![0];
}

describe('files engine', () => {
  it('attaches, downloads from the sender, and keeps the room within its storage budget', async () => {
    const room = createRoom();
    const ana = await room.join('ana');
    const bo = await room.join('bo');
    expect(await ana.engine.attach(fileOf(3 * FILE_PIECE_BYTES + 10, 'notes.bin'))).toBeNull();
    const id = await sentId(room, 'notes.bin');
    expect(ana.engine.status(id).phase).toBe('complete');
    bo.engine.track(room.messages.get(id)!);
    bo.engine.download(id);
    await until(() => bo.engine.status(id).phase === 'complete', 'the download');
    expect(bo.engine.transfers()['pieces received']).toBe(4);
    await until(() => ana.engine.holders(id).includes(bo.key), 'ana to see bo holds it');

    // A file that would not fit the budget is refused before anything is stored.
    bo.engine.setBudget(256 * 1024 ** 2);
    expect(await bo.engine.attach(fileOf(1, 'tiny.bin'))).toBeNull();
    // Only its size is read before the refusal: a stand-in rather than 300 MiB of memory.
    const huge = { name: 'huge.bin', size: 300 * 1024 ** 2, type: '', slice: () => new Blob([]) } as unknown as File;
    expect(await bo.engine.attach(huge)).toMatch(/Not enough storage/);
  });

  it('neither fetches files of people this person excluded nor serves anyone they excluded', async () => {
    const room = createRoom();
    const ana = await room.join('ana');
    const bo = await room.join('bo');
    expect(await ana.engine.attach(fileOf(FILE_PIECE_BYTES, 'from-ana.bin'))).toBeNull();
    const id = await sentId(room, 'from-ana.bin');
    // Bo blocked Ana: her file is not his to fetch.
    bo.excluded.add(ana.key);
    bo.engine.track(room.messages.get(id)!);
    bo.engine.download(id);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(bo.engine.status(id).phase).toBe('idle');
    expect(bo.engine.transfers()['pieces received']).toBe(0);
    // Ana blocked Cy: he is answered with nothing.
    const cy = await room.join('cy');
    ana.excluded.add(cy.key);
    cy.engine.track(room.messages.get(id)!);
    cy.engine.download(id);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(cy.engine.status(id).bytes).toBe(0);
    expect(ana.engine.transfers()['pieces served']).toBe(0);
  });

  it('serves a private file only between its two ends', async () => {
    const room = createRoom();
    const ana = await room.join('ana');
    const bo = await room.join('bo');
    const cy = await room.join('cy', true);
    expect(await ana.engine.attach(fileOf(FILE_PIECE_BYTES * 2, 'secret.bin'), bo.key)).toBeNull();
    const id = await sentId(room, 'secret.bin');
    const secret = { id, author: ana.key, file: room.privates.get(id)!.file };
    // Cy learned the id and manifest somehow: he asks, and is answered with nothing.
    cy.engine.track(secret);
    cy.engine.download(id);
    bo.engine.track(secret);
    bo.engine.download(id);
    await until(() => bo.engine.status(id).phase === 'complete', 'bo to get it');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(cy.engine.status(id).phase).toBe('downloading');
    expect(cy.engine.status(id).bytes).toBe(0);
    expect(ana.engine.transfers()['pieces served']).toBe(2);
  });

  it('takes the pieces of a deleted or expired message off the device', async () => {
    const room = createRoom();
    const ana = await room.join('ana');
    const bo = await room.join('bo');
    expect(await ana.engine.attach(fileOf(FILE_PIECE_BYTES * 2, 'gone.bin'))).toBeNull();
    const id = await sentId(room, 'gone.bin');
    ana.engine.track(room.messages.get(id)!);
    bo.engine.track(room.messages.get(id)!);
    bo.engine.download(id);
    await until(() => bo.engine.status(id).phase === 'complete', 'bo to get it');
    await bo.engine.sweep();
    expect(bo.engine.usage).toBeGreaterThan(0);
    for (const member of [ana, bo]) member.gone.add(id);
    await ana.engine.sweep();
    await bo.engine.sweep();
    expect(ana.engine.usage).toBe(0);
    expect(bo.engine.usage).toBe(0);
    expect(bo.engine.status(id).phase).toBe('idle');
  });
});
