/**
 * The file swarm between in-process members: every message goes through the real encoder and the
 * one wire parser, so what is tested is what travels. Members hold real (memory) piece stores and
 * real encrypted pieces made by sealFile.
 */
import { describe, expect, it } from 'vitest';
import { FILE_PIECE_BYTES } from '../../src/core/file-manifest.js';
import { toBase64Url } from '../../src/crypto/encoding.js';
import { createFileKey, decryptPiece, sealFile } from '../../src/crypto/file-pieces.js';
import { createMemoryPieceStore, type FilePieceStore } from '../../src/persistence/file-store.js';
import { createFileLinks, type FileLinks } from '../../src/transport/file-links.js';
import type { FileMessage } from '../../src/transport/file-messages.js';
import { createFileSwarm, type FileSwarm } from '../../src/transport/file-swarm.js';
import { parseWireMessage } from '../../src/transport/wire-messages.js';

interface Member {
  readonly id: string;
  readonly key: string;
  readonly store: FilePieceStore;
  readonly swarm: FileSwarm;
  readonly links: FileLinks;
  readonly drops: string[];
  readonly strikes: string[];
  /** Rewrites what this member sends (a hostile member), or drops it (null). */
  tamper: ((to: string, message: FileMessage) => FileMessage | null) | null;
  deliver(from: string, key: string, message: FileMessage): void;
  changed(): void;
}

interface Room {
  readonly members: Map<string, Member>;
  readonly files: Map<string, { size: number; root: string }>;
  connected: Set<string>;
  join(name: string, store?: FilePieceStore): Member;
  leave(name: string): void;
}

const randomId = (): string => toBase64Url(crypto.getRandomValues(new Uint8Array(16)));

function createRoom(): Room {
  const members = new Map<string, Member>();
  const files = new Map<string, { size: number; root: string }>();
  const room: Room = {
    members,
    files,
    connected: new Set(),
    join(name, store = createMemoryPieceStore()) {
      const drops: string[] = [];
      const strikes: string[] = [];
      const key = `key-${name}`;
      let member: Member;
      const host = createFileLinks({
        peers: () => new Map([...room.connected].filter((other) => other !== name).map((other) => [other, `key-${other}`])),
        sendTo: (to, bytes) => {
          // Through the wire parser, as a data channel would deliver it.
          const parsed = parseWireMessage(bytes);
          if (parsed.kind !== 'file') throw new Error(`not a file message: ${parsed.kind}`);
          const message = member.tamper === null ? parsed.message : member.tamper(to, parsed.message);
          if (message === null) return;
          if (process.env['SWARM_DEBUG']) console.log(performance.now().toFixed(0), name, '->', to, message.kind, 'piece' in message ? message.piece : '', 'pieces' in message ? message.pieces : '');
          setTimeout(() => {
            if (room.connected.has(to) && room.connected.has(name)) members.get(to)?.deliver(name, key, message);
          }, 0);
        },
        whenLow: (_peerId, listener) => void setTimeout(listener, 0),
        strike: (peerId) => void strikes.push(peerId),
      });
      const swarm = createFileSwarm({
        links: host.links,
        store,
        fileOf: (fileId) => files.get(fileId) ?? null,
        mayServe: (fileId) => files.has(fileId),
        onDrop: (reason) => void drops.push(reason),
        every: () => () => undefined,
      });
      member = { id: name, key, store, swarm, links: host.links, drops, strikes, tamper: null, deliver: host.deliver, changed: host.changed };
      members.set(name, member);
      room.connected.add(name);
      // Everyone hears that the set of links changed, as the provider tells them.
      queueMicrotask(() => {
        for (const other of members.values()) other.changed();
      });
      return member;
    },
    leave(name) {
      room.connected.delete(name);
      for (const other of members.values()) other.changed();
    },
  };
  return room;
}

/** Seals `bytes` into `member`'s store as its sender would, and registers the file in the room. */
async function share(room: Room, member: Member, bytes: Uint8Array): Promise<{ fileId: string; key: Uint8Array }> {
  const fileId = randomId();
  const key = createFileKey();
  const source = { size: bytes.length, slice: async (start: number, end: number) => bytes.slice(start, end) };
  const { index, root } = await sealFile(source, key, (piece, cipher) => member.store.putPiece(fileId, piece, cipher));
  await member.store.putIndex(fileId, index);
  room.files.set(fileId, { size: bytes.length, root });
  member.swarm.seeded(fileId, { size: bytes.length, root });
  return { fileId, key };
}

function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const poll = (): void => {
      if (check()) return resolve();
      if (Date.now() - started > ms) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(poll, 5);
    };
    poll();
  });
}

async function plaintextOf(store: FilePieceStore, fileId: string, key: Uint8Array, size: number): Promise<Uint8Array> {
  const out = new Uint8Array(size);
  for (let piece = 0; piece * FILE_PIECE_BYTES < size; piece++) {
    const cipher = await store.getPiece(fileId, piece);
    if (cipher === null) throw new Error(`piece ${piece} missing`);
    const plain = await decryptPiece(key, piece, cipher);
    if (plain === null) throw new Error(`piece ${piece} does not open`);
    out.set(plain, piece * FILE_PIECE_BYTES);
  }
  return out;
}

/** Comparing hashes: a deep equality of megabytes takes seconds. */
const digest = async (bytes: Uint8Array): Promise<string> => toBase64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)));

const randomBytes = (size: number): Uint8Array => {
  const bytes = new Uint8Array(size);
  for (let at = 0; at < size; at += 65536) crypto.getRandomValues(bytes.subarray(at, Math.min(size, at + 65536)));
  return bytes;
};

/** Alice shares a file, Bob downloads it whole and leaves: the room a newcomer then joins. */
async function heldByBobWhoLeft(): Promise<{ room: Room; bob: Member; fileId: string }> {
    const room = createRoom();
    const alice = room.join('alice');
    const bob = room.join('bob');
    const { fileId } = await share(room, alice, randomBytes(FILE_PIECE_BYTES + 5));
    bob.swarm.download(fileId);
    await until(() => bob.swarm.status(fileId).phase === 'complete', 'bob');
    room.leave('bob');
  return { room, bob, fileId };
}

describe('file swarm', () => {
  it('brings a file from its sender, piece by piece, byte for byte', async () => {
    const room = createRoom();
    const alice = room.join('alice');
    const bob = room.join('bob');
    const bytes = randomBytes(3 * FILE_PIECE_BYTES + 123);
    const { fileId, key } = await share(room, alice, bytes);
    expect((await bob.swarm.track(fileId)).phase).toBe('idle');
    bob.swarm.download(fileId);
    await until(() => bob.swarm.status(fileId).phase === 'complete', 'the download');
    expect(await digest(await plaintextOf(bob.store, fileId, key, bytes.length))).toBe(await digest(bytes));
    expect(bob.swarm.status(fileId).bytes).toBe(bytes.length);
    // Alice hears that Bob has it now.
    await until(() => alice.swarm.holders(fileId).includes('key-bob'), 'alice to see bob holds it');
    expect(bob.drops).toEqual([]);
  });

  it('reaches a late joiner from another member after the sender left', async () => {
    const room = createRoom();
    const alice = room.join('alice');
    const bob = room.join('bob');
    const bytes = randomBytes(2 * FILE_PIECE_BYTES + 7);
    const { fileId, key } = await share(room, alice, bytes);
    bob.swarm.download(fileId);
    await until(() => bob.swarm.status(fileId).phase === 'complete', 'bob');
    room.leave('alice');
    const carol = room.join('carol');
    carol.swarm.download(fileId);
    await until(() => carol.swarm.status(fileId).phase === 'complete', 'carol');
    expect(await digest(await plaintextOf(carol.store, fileId, key, bytes.length))).toBe(await digest(bytes));
  });

  it('counts a holder whose link opens after the file was shown', async () => {
    const { room, bob, fileId } = await heldByBobWhoLeft();
    // Carol is shown the file while only Alice is linked to her; Bob comes back with his copy.
    const carol = room.join('carol');
    await carol.swarm.track(fileId);
    carol.swarm.query([fileId]);
    await until(() => carol.swarm.holders(fileId).length === 1, 'carol to see alice');
    room.join('bob', bob.store);
    await until(() => carol.swarm.holders(fileId).includes('key-bob'), 'carol to count bob, who was linked later');
    expect(carol.swarm.holders(fileId)).toHaveLength(2);
  });

  it('counts a holder whose answer never came: the holder tells of what it holds when linked', async () => {
    const { room, bob, fileId } = await heldByBobWhoLeft();
    const carol = room.join('carol');
    await carol.swarm.track(fileId);
    // Every question Carol sends is lost on the way; Bob comes back with his copy and shows the file.
    carol.tamper = (_to, message) => (message.kind === 'query' ? null : message);
    const back = room.join('bob', bob.store);
    await back.swarm.track(fileId);
    await until(() => carol.swarm.holders(fileId).includes('key-bob'), 'carol to count bob without asking');
  });

  it('takes pieces from two sources at once', async () => {
    const room = createRoom();
    const alice = room.join('alice');
    const bob = room.join('bob');
    const bytes = randomBytes(24 * FILE_PIECE_BYTES);
    const { fileId } = await share(room, alice, bytes);
    bob.swarm.download(fileId);
    await until(() => bob.swarm.status(fileId).phase === 'complete', 'bob');
    const sentBy = new Map<string, number>();
    for (const member of [alice, bob]) member.tamper = (_to, message) => {
      if (message.kind === 'piece') sentBy.set(member.id, (sentBy.get(member.id) ?? 0) + 1);
      return message;
    };
    const carol = room.join('carol');
    carol.swarm.download(fileId);
    await until(() => carol.swarm.status(fileId).phase === 'complete', 'carol');
    expect(sentBy.get('alice') ?? 0).toBeGreaterThan(0);
    expect(sentBy.get('bob') ?? 0).toBeGreaterThan(0);
    expect((sentBy.get('alice') ?? 0) + (sentBy.get('bob') ?? 0)).toBe(24);
  });

  it('detects a member serving wrong bytes and gets the file from someone else', async () => {
    const room = createRoom();
    const alice = room.join('alice');
    const mallory = room.join('mallory');
    const bytes = randomBytes(24 * FILE_PIECE_BYTES);
    const { fileId, key } = await share(room, alice, bytes);
    mallory.swarm.download(fileId);
    await until(() => mallory.swarm.status(fileId).phase === 'complete', 'mallory');
    // Mallory now flips a byte in every piece she serves.
    mallory.tamper = (_to, message) => {
      if (message.kind !== 'piece') return message;
      const bytes = message.bytes.slice();
      bytes[0]! ^= 1;
      return { ...message, bytes };
    };
    const bob = room.join('bob');
    // Bob knows both hold it before he starts, so both are asked.
    await bob.swarm.track(fileId);
    bob.swarm.query([fileId]);
    await until(() => bob.swarm.holders(fileId).length === 2, 'bob to know both holders');
    bob.swarm.download(fileId);
    await until(() => bob.swarm.status(fileId).phase === 'complete', 'bob');
    expect(await digest(await plaintextOf(bob.store, fileId, key, bytes.length))).toBe(await digest(bytes));
    expect(bob.drops).toContain('signature');
    expect(bob.strikes).toContain('mallory');
    expect(bob.strikes).not.toContain('alice');
  });

  it('refuses an index that does not hash to the signed root', async () => {
    const room = createRoom();
    const alice = room.join('alice');
    const bytes = randomBytes(3 * FILE_PIECE_BYTES);
    const { fileId } = await share(room, alice, bytes);
    alice.tamper = (_to, message) => (message.kind === 'index' ? { ...message, index: message.index.map((byte) => byte ^ 0xff) } : message);
    const bob = room.join('bob');
    bob.swarm.download(fileId);
    await until(() => bob.drops.includes('signature'), 'the bad index to be refused');
    expect(await bob.store.getIndex(fileId)).toBeNull();
    expect(bob.swarm.status(fileId).phase).toBe('downloading');
    expect(bob.swarm.status(fileId).bytes).toBe(0);
  });

  it('counts pieces nobody asked for, and limits a flood of requests', async () => {
    const room = createRoom();
    const alice = room.join('alice');
    const bob = room.join('bob');
    const { fileId } = await share(room, alice, randomBytes(20 * FILE_PIECE_BYTES));
    // Unasked: a piece of a file bob is not downloading.
    alice.deliver('bob', 'key-bob', { kind: 'piece', id: fileId, piece: 0, bytes: new Uint8Array(16) });
    // A flood: bob asks alice for 10 × 8 pieces at once; she keeps 16 waiting and refuses the rest.
    for (let batch = 0; batch < 10; batch++) alice.deliver('bob', 'key-bob', { kind: 'request', id: fileId, pieces: [0, 1, 2, 3, 4, 5, 6, 7] });
    await until(() => alice.drops.filter((reason) => reason === 'budget').length > 0, 'the flood to be counted');
    expect(alice.drops.filter((reason) => reason === 'unsolicited').length).toBe(1);
    expect(alice.drops.filter((reason) => reason === 'budget').length).toBeGreaterThanOrEqual(80 - 16 - 8);
    expect(alice.strikes.filter((peer) => peer === 'bob').length).toBeGreaterThan(50);
  });

  it('resumes after a reload without asking again for the pieces it had', async () => {
    const room = createRoom();
    const alice = room.join('alice');
    const bobStore = createMemoryPieceStore();
    const bob = room.join('bob', bobStore);
    const bytes = randomBytes(16 * FILE_PIECE_BYTES);
    const { fileId, key } = await share(room, alice, bytes);
    const asked: number[] = [];
    bob.tamper = (_to, message) => {
      if (message.kind === 'request') asked.push(...message.pieces);
      return message;
    };
    bob.swarm.download(fileId);
    await until(() => bob.swarm.status(fileId).bytes >= 5 * FILE_PIECE_BYTES, 'part of it');
    // The page goes away mid-download.
    room.leave('bob');
    bob.swarm.destroy();
    const stored = [...Array(16).keys()].filter((piece) => asked.includes(piece));
    const before = (await Promise.all(stored.map((piece) => bobStore.getPiece(fileId, piece)))).filter((piece) => piece !== null).length;
    expect(before).toBeGreaterThanOrEqual(5);
    asked.length = 0;
    const again = room.join('bob', bobStore);
    again.tamper = (_to, message) => {
      if (message.kind === 'request') asked.push(...message.pieces);
      return message;
    };
    await again.swarm.track(fileId);
    await until(() => again.swarm.status(fileId).phase === 'complete', 'the resumed download');
    expect(asked.length).toBeLessThanOrEqual(16 - before);
    expect(await digest(await plaintextOf(bobStore, fileId, key, bytes.length))).toBe(await digest(bytes));
  });
});
