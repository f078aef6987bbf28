import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { VerifiedMap } from '../../src/state/verified-map.js';
import type { DropReason } from '../../src/core/types.js';

/** Values are "group:payload:ok|bad"; a value verifies when it ends in ":ok". */
type Value = { group: string; text: string; ok: boolean; stamp: number };
const decode = (_key: string, raw: unknown) => {
  if (typeof raw !== 'string') return { ok: false as const, reason: 'shape' as DropReason };
  const [group, text, ok, stamp] = raw.split(':');
  return group && text && ok && stamp ? { ok: true as const, value: { group, text, ok: ok === 'ok', stamp: Number(stamp) } } : { ok: false as const, reason: 'shape' as DropReason };
};
const encode = (value: Value): string => `${value.group}:${value.text}:${value.ok ? 'ok' : 'bad'}:${value.stamp}`;

function setup(doc: Y.Doc, options: { defer?: boolean } = {}) {
  const drops: DropReason[] = [];
  const map = new VerifiedMap<Value>({
    map: doc.getMap('acts'),
    decode,
    encode,
    verify: async (value) => value.ok,
    failReason: 'signature',
    onDrop: (reason) => drops.push(reason),
    supersedes: (known, incoming) => incoming.stamp >= known.stamp,
    mayRemove: (_key, known) => known.text === 'removable',
    ...(options.defer ? { deferGroup: (value: Value) => value.group } : {}),
  });
  return { map, drops };
}

describe('verified map', () => {
  it('defers a stored history by group until asked, then counts what verifies', async () => {
    const doc = new Y.Doc();
    const acts = doc.getMap('acts');
    acts.set('a1', 'm1:hello:ok:1');
    acts.set('a2', 'm1:forged:bad:1');
    acts.set('b1', 'm2:later:ok:1');
    const { map, drops } = setup(doc, { defer: true });
    await map.start();
    expect(map.values.size).toBe(0);
    await map.verifyGroups(['m1']);
    expect([...map.values.keys()]).toEqual(['a1']);
    expect(drops).toEqual(['signature']);
    expect(map.pendingGroups()).toEqual(['m2']);
    // A live change is checked at once.
    acts.set('c1', 'm3:live:ok:1');
    await map.settled();
    expect(map.values.has('c1')).toBe(true);
  });

  it('defers a history arriving by sync (many keys at once), and checks small changes at once', async () => {
    const doc = new Y.Doc();
    const acts = doc.getMap('acts');
    const { map } = setup(doc, { defer: true });
    await map.start();
    doc.transact(() => {
      for (let i = 0; i < 300; i++) acts.set(`k${i}`, `m${i % 10}:synced:ok:1`);
    });
    await map.settled();
    expect(map.values.size).toBe(0);
    expect(map.pendingGroups()).toHaveLength(10);
    await map.verifyGroups(['m0']);
    expect(map.values.size).toBe(30);
  });

  it('puts back an older value or a removal, but lets removable values go', async () => {
    const doc = new Y.Doc();
    const acts = doc.getMap('acts');
    const { map } = setup(doc);
    await map.start();
    acts.set('k', 'g:new:ok:5');
    acts.set('r', 'g:removable:ok:1');
    await map.settled();
    acts.set('k', 'g:old:ok:3');
    await map.settled();
    expect(acts.get('k')).toBe('g:new:ok:5');
    acts.delete('k');
    acts.delete('r');
    await map.settled();
    expect(acts.get('k')).toBe('g:new:ok:5');
    expect(acts.has('r')).toBe(false);
    expect(map.values.has('r')).toBe(false);
    acts.set('k', 'g:newer:ok:6');
    await map.settled();
    expect(map.values.get('k')?.text).toBe('newer');
  });
});
