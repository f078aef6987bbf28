import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { isDone, nextPiece, remaining, startHistory } from '../../src/core/history-pieces.js';
import { createRandom } from '../helpers/random.js';

type Random = ReturnType<typeof createRandom>;

const ROOTS = ['messages', 'acts', 'members'] as const;

/** Several Yjs clients editing a few root maps, syncing now and then, so overwrites cross clients. */
class World {
  readonly replicas: Y.Doc[];
  /** Real earlier states of some replica: what a late joiner may hold. */
  readonly snapshots: Uint8Array[] = [new Uint8Array([0, 0])];

  constructor(private readonly random: Random, clients: number) {
    this.replicas = Array.from({ length: clients }, (_, i) => {
      const doc = new Y.Doc();
      doc.clientID = 1000 + i * 7919 + random.int(1000);
      return doc;
    });
  }

  /** One edit on a random replica: a set (often of an existing key) or a delete. */
  edit(doc: Y.Doc = this.random.pick(this.replicas)): void {
    const map = doc.getMap<string>(this.random.pick(ROOTS));
    const key = `k${this.random.int(40)}`;
    if (this.random.next() < 0.25 && map.has(key)) map.delete(key);
    else map.set(key, this.value());
  }

  value(): string {
    // Now and then a long value, so that some structs are bigger than a small piece.
    const length = this.random.next() < 0.03 ? 1500 : 1 + this.random.int(60);
    return `v${this.random.int(1e6)}`.padEnd(length, 'x');
  }

  /** Brings `to` up to date with `from`, as a sync step 2 would. */
  static sync(from: Y.Doc, to: Y.Doc): void {
    Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)));
  }

  run(steps: number): void {
    for (let i = 0; i < steps; i++) {
      this.edit();
      if (this.random.next() < 0.1) World.sync(this.random.pick(this.replicas), this.random.pick(this.replicas));
      if (this.random.next() < 0.05) this.snapshots.push(Y.encodeStateAsUpdate(this.random.pick(this.replicas)));
    }
  }

  /** One replica holding everything. */
  merged(): Y.Doc {
    const [first, ...rest] = this.replicas as [Y.Doc, ...Y.Doc[]];
    for (const other of rest) World.sync(other, first);
    return first;
  }
}

const docFrom = (update: Uint8Array): Y.Doc => {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, update);
  return doc;
};

const contents = (doc: Y.Doc): unknown => Object.fromEntries(ROOTS.map((root) => [root, doc.getMap(root).toJSON()]));

function expectSame(actual: Y.Doc, expected: Y.Doc): void {
  expect(Y.decodeStateVector(Y.encodeStateVector(actual))).toEqual(Y.decodeStateVector(Y.encodeStateVector(expected)));
  expect(contents(actual)).toEqual(contents(expected));
}

/** Streams `source` to `receiver` in pieces, running `between` after each piece but the last. */
function stream(source: Y.Doc, receiver: Y.Doc, maxBytes: number, between: () => void = () => {}, limit = Infinity): Uint8Array[] {
  const cursor = startHistory(source, Y.encodeStateVector(receiver));
  if (cursor === null) throw new Error('state vector refused');
  const pieces: Uint8Array[] = [];
  while (pieces.length < limit) {
    const { update, last } = nextPiece(source, cursor, maxBytes);
    pieces.push(update);
    Y.applyUpdate(receiver, update);
    if (last) {
      expect(isDone(cursor)).toBe(true);
      expect(remaining(cursor)).toBe(0);
      break;
    }
    if (pieces.length > 100_000) throw new Error('no progress');
    between();
  }
  return pieces;
}

/** Encoded size of a struct in a v1 update, as the sender writes it. */
function structBytes(struct: Y.Item | Y.GC | Y.Skip): number {
  const encoder = new Y.UpdateEncoderV1();
  struct.write(encoder, 0);
  return encoder.toUint8Array().length;
}

/**
 * A piece passes the bound by less than its last struct (a piece ends after the struct that fills
 * it), or is one struct that alone outgrows it.
 */
function expectBounded(pieces: readonly Uint8Array[], maxBytes: number): void {
  for (const piece of pieces) {
    if (piece.length <= maxBytes) continue;
    const { structs } = Y.decodeUpdate(piece);
    if (structs.length === 1) continue;
    const largest = Math.max(...structs.map(structBytes));
    expect(piece.length).toBeLessThan(maxBytes + largest + 16);
  }
}

describe('history pieces', () => {
  it('applied in order, give what one sync step 2 gives', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const random = createRandom(seed);
      const world = new World(random, 2 + random.int(4));
      world.run(150 + random.int(250));
      const source = world.merged();
      const snapshot = random.pick(world.snapshots);
      const maxBytes = 40 + random.int(3000);
      const receiver = docFrom(snapshot);
      const expected = docFrom(snapshot);
      Y.applyUpdate(expected, Y.encodeStateAsUpdate(source, Y.encodeStateVector(expected)));

      const pieces = stream(source, receiver, maxBytes);
      expectBounded(pieces, maxBytes);
      expectSame(receiver, expected);
      expectSame(receiver, source);
      expect(receiver.store.pendingStructs).toBeNull();
    }
  });

  it('sends only the delete set when nothing is missing', () => {
    const world = new World(createRandom(7), 3);
    world.run(200);
    const source = world.merged();
    const receiver = docFrom(Y.encodeStateAsUpdate(source));
    const pieces = stream(source, receiver, 64 * 1024);
    expect(pieces).toHaveLength(1);
    const decoded = Y.decodeUpdate(pieces[0] as Uint8Array);
    expect(decoded.structs).toHaveLength(0);
    expect(Y.equalDeleteSets(decoded.ds, Y.createDeleteSetFromStructStore(source.store))).toBe(true);
  });

  it('cuts a large delete set across pieces without outgrowing them', () => {
    const doc = new Y.Doc();
    const map = doc.getMap<string>('messages');
    for (let i = 0; i < 2000; i++) map.set(`k${i}`, 'x');
    // Every other entry deleted: 1000 separate ranges.
    for (let i = 0; i < 2000; i += 2) map.delete(`k${i}`);
    const receiver = new Y.Doc();
    const pieces = stream(doc, receiver, 256);
    expectBounded(pieces, 256);
    expect(pieces.length).toBeGreaterThan(10);
    expectSame(receiver, doc);
  });

  it('ends a piece with the struct that fills it, even one bigger than a piece', () => {
    const doc = new Y.Doc();
    const map = doc.getMap<string>('messages');
    map.set('a', 'small');
    map.set('big', 'x'.repeat(5000));
    map.set('b', 'small');
    const receiver = new Y.Doc();
    const pieces = stream(doc, receiver, 1000);
    expect(pieces.map((piece) => Y.decodeUpdate(piece).structs.length)).toEqual([2, 1]);
    expect(pieces[0]?.length).toBeGreaterThan(5000);
    expect(pieces[1]?.length).toBeLessThan(100);
    expectBounded(pieces, 1000);
    expectSame(receiver, doc);
  });

  it('converges when the doc changes between pieces', () => {
    for (let seed = 100; seed < 115; seed++) {
      const random = createRandom(seed);
      const world = new World(random, 3 + random.int(3));
      world.run(300);
      const source = world.merged();
      const receiver = docFrom(random.pick(world.snapshots));
      const maxBytes = 60 + random.int(1500);
      const pieces = stream(source, receiver, maxBytes, () => {
        // Edits on the source itself (new items, deletions, GC merging) and on others merged in.
        for (let i = random.int(6); i > 0; i--) world.edit(random.next() < 0.5 ? source : undefined);
        if (random.next() < 0.3) World.sync(random.pick(world.replicas), source);
      });
      expectBounded(pieces, maxBytes);
      World.sync(source, receiver);
      expectSame(receiver, source);
    }
  });

  it('resumes from the receiver state against another replica', () => {
    for (let seed = 200; seed < 215; seed++) {
      const random = createRandom(seed);
      const world = new World(random, 4);
      world.run(400);
      const source = world.merged();
      // Same data, different struct layout: built from the replicas in another order.
      const other = new Y.Doc();
      for (const replica of [...world.replicas].reverse()) World.sync(replica, other);
      const receiver = docFrom(random.pick(world.snapshots));
      const maxBytes = 100 + random.int(800);
      stream(source, receiver, maxBytes, () => {}, 1 + random.int(5));
      stream(other, receiver, maxBytes);
      expectSame(receiver, source);
    }
  });

  it('refuses malformed state vectors without hanging', () => {
    const doc = new Y.Doc();
    doc.getMap('messages').set('a', 'b');
    const overlong = Uint8Array.from([1, ...new Array<number>(147).fill(0x80), 0x01, 5]);
    const real = Y.encodeStateVector(doc);
    const cases = [
      overlong,
      Uint8Array.from([1, 5, ...new Array<number>(147).fill(0x80), 0x01]),
      real.subarray(0, real.length - 1),
      new Uint8Array(0),
      Uint8Array.from([0xff, 0xff, 0xff, 0x0f, 1, 1]),
      // Client 2^40, then clock 2^60.
      Uint8Array.from([1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20, 1]),
      Uint8Array.from([1, 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10]),
      Uint8Array.from([2, 1, 1, 1, 2]),
      Uint8Array.from([...real, 0]),
    ];
    for (const bytes of cases) expect(startHistory(doc, bytes)).toBeNull();
    expect(startHistory(doc, Uint8Array.from([0]))).not.toBeNull();
  });

  it('streams 100k entries of ~300 bytes from 8 clients in 256 KiB pieces', () => {
    const random = createRandom(42);
    const source = new Y.Doc();
    for (let c = 0; c < 8; c++) {
      const writer = new Y.Doc();
      writer.clientID = 10_000 + c;
      const map = writer.getMap<string>('messages');
      writer.transact(() => {
        for (let i = 0; i < 12_500; i++) map.set(`${c}-${String(i).padStart(20, '0')}`, `${random.int(1e9)}`.padEnd(300, 'x'));
      });
      World.sync(writer, source);
    }
    const maxBytes = 256 * 1024;
    const cursor = startHistory(source, Uint8Array.from([0]));
    if (cursor === null) throw new Error('refused');
    const receiver = new Y.Doc();
    const times: number[] = [];
    let applyMs = 0;
    let total = 0;
    for (let last = false; !last; ) {
      const start = performance.now();
      const piece = nextPiece(source, cursor, maxBytes);
      times.push(performance.now() - start);
      expectBounded([piece.update], maxBytes);
      total += piece.update.length;
      const applyStart = performance.now();
      Y.applyUpdate(receiver, piece.update);
      applyMs += performance.now() - applyStart;
      last = piece.last;
    }
    expect(receiver.getMap('messages').size).toBe(100_000);
    const mean = times.reduce((a, b) => a + b, 0) / times.length;
    console.log(
      `100k entries: ${times.length} pieces, ${(total / 2 ** 20).toFixed(1)} MiB; ` +
        `cutting ${mean.toFixed(1)} ms/piece (max ${Math.max(...times).toFixed(1)}), applying ${(applyMs / times.length).toFixed(1)} ms/piece`,
    );
  }, 120_000);
});
