import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { admitUpdate, type AdmissionRules, type AdmitOptions, type RootRule } from '../../src/core/doc-admission.js';
import { formatStamp } from '../../src/core/hlc.js';
import { createMessageEntry, decodeMessageEntry, encodeMessageEntry, verifyMessageEntry } from '../../src/core/message-entry.js';
import { nextPiece, startHistory } from '../../src/core/history-pieces.js';
import { createIdentity } from '../../src/crypto/identity.js';
import { createRandom } from '../helpers/random.js';

/** Toy values: JSON {author, sig}; the "signature" is good when sig is 'ok'. */
const toy = (author: string, sig = 'ok', extra = ''): string => JSON.stringify({ author, sig, extra });

function toyRule(calls: [string | null, string][] = []): RootRule {
  return {
    check(key, value) {
      calls.push([key, value]);
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch {
        return { ok: false, reason: 'shape' };
      }
      const { author, sig } = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
      if (typeof author !== 'string' || typeof sig !== 'string') return { ok: false, reason: 'shape' };
      return { ok: true, author, verify: async () => sig === 'ok' };
    },
  };
}

const toyRules = (mayDelete?: AdmissionRules['mayDelete']): AdmissionRules => {
  const roots = new Map([
    ['messages', toyRule()],
    ['acts', toyRule()],
  ]);
  return mayDelete === undefined ? { roots } : { roots, mayDelete };
};

const ALL: AdmitOptions = { verify: 'all' };

function newDoc(clientID: number): Y.Doc {
  const doc = new Y.Doc();
  doc.clientID = clientID;
  return doc;
}

/** The updates `change` makes to `doc`, merged into one (its live updates). */
function capture(doc: Y.Doc, change: () => void): Uint8Array {
  const updates: Uint8Array[] = [];
  const record = (update: Uint8Array): void => void updates.push(update);
  doc.on('update', record);
  change();
  doc.off('update', record);
  return Y.mergeUpdates(updates);
}

const copyOf = (doc: Y.Doc, clientID: number): Y.Doc => {
  const copy = newDoc(clientID);
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
  return copy;
};

async function expectRefused(doc: Y.Doc, update: Uint8Array, reason: string, rules = toyRules(), options = ALL): Promise<void> {
  const before = Y.encodeStateAsUpdate(doc);
  const result = await admitUpdate(doc, update, rules, options);
  expect(result).toEqual({ ok: false, reason });
  // Nothing touched the doc: not even a root type named by the update.
  expect(Y.encodeStateAsUpdate(doc)).toEqual(before);
  expect([...doc.share.keys()].every((name) => name === 'messages' || name === 'acts')).toBe(true);
}

async function admitted(doc: Y.Doc, update: Uint8Array, rules = toyRules(), options = ALL) {
  const result = await admitUpdate(doc, update, rules, options);
  if (!result.ok) throw new Error(`refused: ${result.reason}`);
  return result;
}

describe('document admission', () => {
  it('admits string values in known roots and reports each entry, with its bytes when a tombstone choice needs them', async () => {
    const sender = newDoc(1);
    const update = capture(sender, () => {
      sender.getMap('messages').set('m1', toy('alice'));
      sender.getMap('acts').set('a1', toy('bob'));
    });
    expect((await admitted(newDoc(2), update)).entries.map((entry) => entry.bytes)).toEqual([0, 0]);
    const result = await admitted(newDoc(2), update, toyRules(), { ...ALL, tombstone: () => new Set() });
    expect(result.update).toBe(update);
    expect(result.strippedDeletes).toBe(0);
    expect(result.entries).toEqual([
      { root: 'messages', key: 'm1', author: 'alice', bytes: toy('alice').length, clientClock: [1, 0] },
      { root: 'acts', key: 'a1', author: 'bob', bytes: toy('bob').length, clientClock: [1, 1] },
    ]);
  });

  it('refuses an unknown root and leaves the doc unchanged', async () => {
    const sender = newDoc(1);
    const update = capture(sender, () => {
      sender.getMap('messages').set('m1', toy('alice'));
      sender.getMap('secrets').set('x', toy('alice'));
    });
    await expectRefused(newDoc(2), update, 'unknown_root');
  });

  it('refuses nested types, text and values that are not one string', async () => {
    const cases: ((doc: Y.Doc) => void)[] = [
      (doc) => doc.getMap('messages').set('k', new Y.Map()),
      (doc) => doc.getMap('messages').set('k', new Y.Text('hi')),
      (doc) => doc.getText('messages').insert(0, 'hello'),
      (doc) => doc.getMap('messages').set('k', 42),
      (doc) => doc.getMap('messages').set('k', { author: 'a', sig: 'ok' }),
      (doc) => doc.getMap('messages').set('k', new Uint8Array([1, 2])),
      (doc) => doc.getArray('messages').push(['a', 'b']),
      // One string, but in a root used as an array: no key.
      (doc) => doc.getArray('messages').insert(0, [toy('a')]),
      (doc) => doc.getXmlFragment('messages').insert(0, [new Y.XmlElement('p')]),
    ];
    for (const change of cases) {
      const sender = newDoc(1);
      await expectRefused(newDoc(2), capture(sender, () => change(sender)), 'shape');
    }
    // Items inside a nested map name an item of the doc as their parent.
    const holder = newDoc(3);
    const nested = new Y.Map<string>();
    holder.getMap('messages').set('k', nested);
    const receiver = newDoc(4);
    const inner = capture(holder, () => nested.set('x', toy('a')));
    await expectRefused(receiver, inner, 'shape');
  });

  it('refuses the whole update when the rule fails one value', async () => {
    const sender = newDoc(1);
    const update = capture(sender, () => {
      for (let i = 0; i < 20; i++) sender.getMap('messages').set(`m${i}`, toy('alice'));
      sender.getMap('messages').set('bad', 'not json');
    });
    await expectRefused(newDoc(2), update, 'shape');
  });

  it('refuses a forged signature; a sample catches a piece of forgeries', async () => {
    const sender = newDoc(1);
    const oneForged = capture(sender, () => {
      for (let i = 0; i < 1000; i++) sender.getMap('messages').set(`m${i}`, toy('alice', i === 500 ? 'forged' : 'ok'));
    });
    await expectRefused(newDoc(2), oneForged, 'signature');

    const forger = newDoc(3);
    const allForged = capture(forger, () => {
      for (let i = 0; i < 200; i++) forger.getMap('messages').set(`f${i}`, toy('mallory', 'forged'));
    });
    const random = createRandom(9);
    await expectRefused(newDoc(2), allForged, 'signature', toyRules(), { verify: 4, random: random.next });

    // One forgery in 1000 with a sample of 4 is caught with probability 1 - C(999,4)/C(1000,4) = 4/1000:
    // sampling bounds the cost of honest histories, it does not catch a lone forgery (the
    // display-time check of each entry does). Measured over 300 seeded draws: about 1.2 expected.
    let caught = 0;
    for (let trial = 0; trial < 300; trial++) {
      const result = await admitUpdate(newDoc(2), oneForged, toyRules(), { verify: 4, random: random.next });
      if (!result.ok) caught++;
    }
    console.log(`one forgery in 1000, sample of 4: caught in ${caught} of 300 draws`);
    expect(caught).toBeLessThan(10);
  });

  it('resolves the root and key of an overwrite from the doc and from the same update', async () => {
    const alice = newDoc(1);
    alice.getMap('messages').set('k', toy('alice'));
    const bob = copyOf(alice, 2);
    const receiver = copyOf(alice, 3);
    const overwrite = capture(bob, () => bob.getMap('messages').set('k', toy('bob')));
    // The overwrite names its origin (alice's item), not its parent or key.
    const [item] = Y.decodeUpdate(overwrite).structs as Y.Item[];
    expect(item?.parent).toBeNull();
    expect(item?.parentSub).toBeNull();

    const calls: [string | null, string][] = [];
    const rules: AdmissionRules = { roots: new Map([['messages', toyRule(calls)]]) };
    const result = await admitted(receiver, overwrite, rules);
    expect(calls).toEqual([['k', toy('bob')]]);
    expect(result.entries[0]).toMatchObject({ root: 'messages', key: 'k', author: 'bob' });

    // A chain of overwrites in one update, all resolved through its first item.
    const carol = newDoc(4);
    const chain = capture(carol, () => {
      for (let i = 0; i < 5; i++) carol.getMap('acts').set('a', toy(`carol${i}`));
    });
    const chained = await admitted(newDoc(5), chain);
    expect(chained.entries.map((entry) => [entry.root, entry.key])).toEqual(new Array(5).fill(['acts', 'a']));
  });

  it('checks a value whose origin is unknown here against every rule, with no key', async () => {
    const alice = newDoc(1);
    alice.getMap('messages').set('k', toy('alice'));
    const bob = copyOf(alice, 2);
    const overwrite = capture(bob, () => bob.getMap('messages').set('k', toy('bob')));
    const messages: [string | null, string][] = [];
    const acts: [string | null, string][] = [];
    const rules: AdmissionRules = { roots: new Map([['messages', toyRule(messages)], ['acts', toyRule(acts)]]) };
    const result = await admitted(newDoc(3), overwrite, rules, { ...ALL, tombstone: () => new Set() });
    expect(result.entries).toEqual([{ root: null, key: null, author: 'bob', bytes: toy('bob').length, clientClock: [2, 0] }]);
    expect(messages).toEqual([[null, toy('bob')]]);

    const junk = capture(bob, () => bob.getMap('messages').set('k', 'junk'));
    await expectRefused(newDoc(3), junk, 'shape', rules);
  });

  it('strips a deletion the rules refuse; the value stays and the rest applies', async () => {
    const sender = newDoc(1);
    sender.getMap('messages').set('keep', toy('alice'));
    sender.getMap('messages').set('drop', toy('alice'));
    const receiver = copyOf(sender, 2);
    const update = capture(sender, () => {
      sender.getMap('messages').delete('keep');
      sender.getMap('messages').delete('drop');
      sender.getMap('messages').set('new', toy('bob'));
    });
    const mayDelete = (root: string, key: string): boolean => !(root === 'messages' && key === 'keep');
    const result = await admitted(receiver, update, toyRules(mayDelete));
    expect(result.strippedDeletes).toBe(1);
    expect(result.update).not.toBe(update);
    Y.applyUpdate(receiver, result.update);
    expect(receiver.getMap('messages').toJSON()).toEqual({ keep: toy('alice'), new: toy('bob') });
  });

  it('turns a refused removal by a deleted item into a GC struct', async () => {
    const alice = newDoc(1);
    alice.getMap('messages').set('k', toy('alice'));
    const receiver = copyOf(alice, 2);
    const bob = copyOf(alice, 3);
    // Bob overwrites and then deletes: after GC his item is deleted content that still names its origin.
    bob.getMap('messages').set('k', toy('bob'));
    bob.getMap('messages').delete('k');
    const reply = Y.encodeStateAsUpdate(bob, Y.encodeStateVector(receiver));
    expect(Y.decodeUpdate(reply).structs.some((s) => s instanceof Y.Item && s.content instanceof Y.ContentDeleted)).toBe(true);

    const refused = await admitted(receiver, reply, toyRules(() => false));
    expect(refused.strippedDeletes).toBeGreaterThan(0);
    Y.applyUpdate(receiver, refused.update);
    expect(receiver.getMap('messages').toJSON()).toEqual({ k: toy('alice') });
    expect(Y.encodeStateVector(receiver)).toEqual(Y.encodeStateVector(bob));

    const other = copyOf(alice, 4);
    const allowed = await admitted(other, reply, toyRules(() => true));
    Y.applyUpdate(other, allowed.update);
    expect(other.getMap('messages').toJSON()).toEqual({});
  });

  it('strips deletions of clocks that neither the doc nor the update holds', async () => {
    // A delete set naming clocks of client 1 that nobody has sent yet.
    const bytes = Uint8Array.from([0, 1, 1, 1, 5, 100]);
    const result = await admitted(newDoc(2), bytes);
    expect(result.strippedDeletes).toBe(100);
    expect(Y.decodeUpdate(result.update).ds.clients.size).toBe(0);
  });

  it('tombstones chosen entries and keeps the clocks contiguous for later updates', async () => {
    const sender = newDoc(1);
    const receiver = newDoc(2);
    const update = capture(sender, () => {
      for (const key of ['a', 'b', 'c']) sender.getMap('messages').set(key, toy('alice'));
    });
    const result = await admitted(receiver, update, toyRules(), { verify: 'all', tombstone: () => new Set([1]) });
    Y.applyUpdate(receiver, result.update);
    expect(receiver.getMap('messages').toJSON()).toEqual({ a: toy('alice'), c: toy('alice') });
    expect(Y.encodeStateVector(receiver)).toEqual(Y.encodeStateVector(sender));

    const later = capture(sender, () => sender.getMap('messages').set('d', toy('alice')));
    Y.applyUpdate(receiver, (await admitted(receiver, later)).update);
    expect(receiver.store.pendingStructs).toBeNull();
    expect(receiver.getMap('messages').get('d')).toBe(toy('alice'));
  });

  it('refuses malformed bytes as decode without throwing', async () => {
    const sender = newDoc(1);
    const real = capture(sender, () => {
      for (let i = 0; i < 10; i++) sender.getMap('messages').set(`m${i}`, toy('alice'));
    });
    const overlong = [...new Array<number>(147).fill(0x80), 0x01];
    const cases = [
      real.subarray(0, real.length - 3),
      // A GC struct of length Infinity; a deleted range of length Infinity.
      Uint8Array.from([1, 1, 5, 0, 0, ...overlong, 0]),
      Uint8Array.from([0, 1, 5, 1, 0, ...overlong]),
      // A struct of length zero; one client listed twice.
      Uint8Array.from([1, 1, 5, 0, 0, 0, 0]),
      Uint8Array.from([2, 1, 5, 0, 0, 1, 1, 5, 3, 0, 1, 0]),
      Uint8Array.from([1, 1, 5, 0, 0x7f]),
      // A value nested 200k arrays deep under messages/k: lib0's readAny recurses until the stack ends.
      Uint8Array.from([1, 1, 5, 0, 0x28, 1, 8, ...new TextEncoder().encode('messages'), 1, 107, 1, ...Array.from({ length: 200_000 }, () => [117, 1]).flat(), 119, 0, 0]),
    ];
    for (const bytes of cases) await expectRefused(newDoc(2), bytes, 'decode');

    // Random and mutated bytes: a verdict every time, never an exception or a hang.
    const random = createRandom(5);
    for (let trial = 0; trial < 2000; trial++) {
      const bytes = trial % 2 === 0 ? Uint8Array.from({ length: random.int(64) }, () => random.int(256)) : Uint8Array.from(real);
      if (trial % 2 === 1) for (let flips = 1 + random.int(4); flips > 0; flips--) bytes[random.int(bytes.length)] = random.int(256);
      const result = await admitUpdate(newDoc(2), bytes, toyRules(), ALL);
      expect(typeof result.ok).toBe('boolean');
    }
  });

  it('refuses an update over the size bound', async () => {
    const sender = newDoc(1);
    const update = capture(sender, () => sender.getMap('messages').set('m', toy('alice', 'ok', 'x'.repeat(2000))));
    await expectRefused(newDoc(2), update, 'size', toyRules(), { verify: 'all', maxBytes: 1024 });
  });

  it('admits every piece of an honest history, which then converges', async () => {
    for (let seed = 1; seed <= 12; seed++) {
      const random = createRandom(seed);
      const replicas = Array.from({ length: 3 }, (_, i) => newDoc(100 * seed + i));
      const snapshots: Uint8Array[] = [Uint8Array.from([0, 0])];
      for (let step = 0; step < 300; step++) {
        const doc = random.pick(replicas);
        const map = doc.getMap<string>(random.pick(['messages', 'acts']));
        const key = `k${random.int(30)}`;
        if (random.next() < 0.25) map.delete(key);
        else map.set(key, toy(`author${doc.clientID}`, 'ok', 'x'.repeat(random.int(80))));
        const [from, to] = [random.pick(replicas), random.pick(replicas)];
        if (random.next() < 0.1) Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)));
        if (random.next() < 0.05) snapshots.push(Y.encodeStateAsUpdate(random.pick(replicas)));
      }
      const source = newDoc(1);
      for (const replica of replicas) Y.applyUpdate(source, Y.encodeStateAsUpdate(replica));
      const receiver = newDoc(2);
      Y.applyUpdate(receiver, random.pick(snapshots));
      const cursor = startHistory(source, Y.encodeStateVector(receiver));
      if (cursor === null) throw new Error('refused');
      for (let last = false; !last; ) {
        const piece = nextPiece(source, cursor, 200 + random.int(2000));
        last = piece.last;
        const result = await admitted(receiver, piece.update, toyRules(() => true));
        expect(result.strippedDeletes).toBe(0);
        Y.applyUpdate(receiver, result.update);
      }
      expect(Y.encodeStateVector(receiver)).toEqual(Y.encodeStateVector(source));
      for (const root of ['messages', 'acts']) expect(receiver.getMap(root).toJSON()).toEqual(source.getMap(root).toJSON());
    }
  });

  it('admits real message entries and refuses a forged one', async () => {
    const identity = await createIdentity();
    const messages: RootRule = {
      check(key, value) {
        const parsed = decodeMessageEntry(key ?? '', value);
        if (!parsed.ok) return parsed;
        return { ok: true, author: parsed.entry.author, verify: () => verifyMessageEntry(parsed.entry) };
      },
    };
    const rules: AdmissionRules = { roots: new Map([['messages', messages]]) };
    const sender = newDoc(1);
    const entries = await Promise.all(
      Array.from({ length: 20 }, (_, i) => createMessageEntry(identity, { nick: 'Ann', text: `hello ${i}`, hlc: formatStamp({ wallMs: 1_700_000_000_000 + i, counter: 0 }) })),
    );
    const update = capture(sender, () => {
      for (const entry of entries) sender.getMap('messages').set(entry.id, encodeMessageEntry(entry));
    });
    const result = await admitted(newDoc(2), update, rules);
    expect(result.entries).toHaveLength(20);
    expect(result.entries.every((entry) => entry.author === entries[0]?.author)).toBe(true);

    const [first] = entries;
    if (first === undefined) throw new Error('no entry');
    const forger = newDoc(3);
    const forged = capture(forger, () => forger.getMap('messages').set(first.id, encodeMessageEntry({ ...first, text: 'changed' })));
    await expectRefused(newDoc(2), forged, 'signature', rules);
    const misplaced = capture(forger, () => forger.getMap('messages').set('elsewhere', encodeMessageEntry(first)));
    await expectRefused(newDoc(2), misplaced, 'key_mismatch', rules);

    // Cost per history piece: 2000 real entries of ~300 bytes cut into 256 KiB pieces.
    const history = newDoc(4);
    const many = await Promise.all(
      Array.from({ length: 2000 }, (_, i) => createMessageEntry(identity, { nick: 'Ann', text: `${i} `.padEnd(120, 'x'), hlc: formatStamp({ wallMs: 1_700_000_000_000 + i, counter: 0 }) })),
    );
    history.transact(() => {
      for (const entry of many) history.getMap('messages').set(entry.id, encodeMessageEntry(entry));
    });
    const cursor = startHistory(history, Uint8Array.from([0]));
    if (cursor === null) throw new Error('refused');
    const joiner = newDoc(5);
    const times: { all: number[]; sample16: number[] } = { all: [], sample16: [] };
    for (let last = false; !last; ) {
      const piece = nextPiece(history, cursor, 256 * 1024);
      last = piece.last;
      for (const [mode, verify] of [['all', 'all'], ['sample16', 16]] as const) {
        const start = performance.now();
        const verdict = await admitUpdate(joiner, piece.update, rules, { verify });
        times[mode].push(performance.now() - start);
        expect(verdict.ok).toBe(true);
      }
      Y.applyUpdate(joiner, piece.update);
    }
    expect(joiner.getMap('messages').size).toBe(2000);
    const mean = (list: number[]): string => (list.reduce((a, b) => a + b, 0) / list.length).toFixed(1);
    console.log(`admission of ${times.all.length} pieces of 2000 signed entries: ${mean(times.all)} ms/piece verifying all, ${mean(times.sample16)} ms/piece sampling 16`);
  }, 60_000);
});
