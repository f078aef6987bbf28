/**
 * Load time of a room whose log holds a 100k-message Y.Doc, under fake-indexeddb in Node.
 * Not a test: `npx tsx tests/persistence/measure-load.ts [--long-fields]`.
 * --long-fields uses schema-length author (43) and sig (86) strings instead of short fakes.
 */
import 'fake-indexeddb/auto';
import { createStore } from 'idb-keyval';
import * as Y from 'yjs';
import { openAesGcm, sealAesGcm } from '../../src/crypto/aes-gcm.js';
import { deriveRoomKeys } from '../../src/crypto/keys.js';
import { openRoomStore } from '../../src/persistence/room-store.js';

const MESSAGES = 100_000;
const SMALL_UPDATES = 100;
const longFields = process.argv.includes('--long-fields');

const timings: [string, number][] = [];
async function time<T>(label: string, work: () => T | Promise<T>): Promise<T> {
  const start = performance.now();
  const result = await work();
  timings.push([label, performance.now() - start]);
  return result;
}

const keys = deriveRoomKeys(new Uint8Array(32).fill(7));
const store = createStore('parley-measure', 'kv');
const room = openRoomStore(keys, { store, compactAfter: 10_000 });

const doc = new Y.Doc();
const messages = doc.getMap('messages');
await time(`build ${MESSAGES} entries (one transaction)`, () =>
  doc.transact(() => {
    for (let i = 0; i < MESSAGES; i++) {
      const id = i.toString(36).padStart(22, '0');
      const author = longFields ? `author${i % 50}`.padEnd(43, 'A') : `a${i % 50}`;
      const sig = longFields ? `${i}`.padEnd(86, 'S') : `s${i}`;
      messages.set(id, { v: 1, id, author, nick: `n${i % 7}`, hlc: String(1.7e12 + i), text: `message ${i}`, sig });
    }
  }),
);
const big = await time('encodeStateAsUpdate', () => Y.encodeStateAsUpdate(doc));
const sealed = await time('sealAesGcm of the big update (WebCrypto AES-GCM)', () => sealAesGcm(keys.storeKey, big));
await time('openAesGcm of the big update (WebCrypto AES-GCM)', () => openAesGcm(keys.storeKey, sealed));
await time('appendUpdate(big): seal + one IndexedDB add', () => room.appendUpdate(big));

const smalls: Uint8Array[] = [];
doc.on('update', (update: Uint8Array) => smalls.push(update));
for (let i = 0; i < SMALL_UPDATES; i++) messages.set(`late${i}`, { v: 1, id: `late${i}`, author: 'a', nick: 'n', hlc: '2', text: `late ${i}`, sig: 's' });
await time(`appendUpdate x${SMALL_UPDATES} small, awaited one by one`, async () => {
  for (const update of smalls) await room.appendUpdate(update);
});
await time('Y.mergeUpdates(big + 100 small), for reference', () => Y.mergeUpdates([big, ...smalls]));

const reloaded = openRoomStore(keys, { store });
const state = await time(`loadState (${1 + SMALL_UPDATES} rows: read, open, merge)`, () => reloaded.loadState());
if (state === null) throw new Error('nothing loaded');
const fresh = new Y.Doc();
await time('Y.applyUpdate into a fresh doc', () => Y.applyUpdate(fresh, state));
if (fresh.getMap('messages').size !== MESSAGES + SMALL_UPDATES) throw new Error('state incomplete');

await time(`compact (${1 + SMALL_UPDATES} rows to 1)`, () => reloaded.compact());
const compacted = await time('loadState (1 row: read, open, parseUpdateMeta)', () => openRoomStore(keys, { store }).loadState());
if (compacted === null) throw new Error('nothing loaded');
const fresh2 = new Y.Doc();
await time('Y.applyUpdate into a fresh doc', () => Y.applyUpdate(fresh2, compacted));
if (fresh2.getMap('messages').size !== MESSAGES + SMALL_UPDATES) throw new Error('state incomplete after compaction');

console.log(`doc: ${MESSAGES} messages${longFields ? ' (schema-length author/sig)' : ' (short fake fields)'}, update ${(big.length / 1048576).toFixed(1)} MiB`);
for (const [label, ms] of timings) console.log(`${ms.toFixed(0).padStart(7)} ms  ${label}`);
