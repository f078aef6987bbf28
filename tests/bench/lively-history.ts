/**
 * A lively room for the bench: the plain history of rooms-history.ts, but a quarter of the
 * messages reply to a recent one (v2 entries), 15% were edited by their author, 40% carry one to
 * three reactions, and every author has a read receipt; all signed (Node's ed25519, the bytes
 * tweetnacl would make) and written through each author's own Y.Doc, as in a real room.
 */
import { sign as nodeSign } from 'node:crypto';
import * as Y from 'yjs';
import { toBase64Url } from '../../src/crypto/encoding.js';
import { formatStamp, parseStamp } from '../../src/core/hlc.js';
import { messageSigningBytes } from '../../src/core/message-entry.js';
import { actKey, actSigningBytes, encodeMessageAct, QUICK_REACTIONS, verifyMessageAct, type MessageAct } from '../../src/core/message-acts.js';
import type { MessageEntry } from '../../src/core/types.js';
import { createRandom } from '../helpers/random.js';
import { generateHistory, historyUpdate, type Author, type History } from './rooms-history.js';

export interface LivelyHistory extends History {
  readonly acts: readonly MessageAct[];
  readonly replies: number;
  readonly edits: number;
  readonly reactions: number;
}

type Unsigned<T> = T extends unknown ? Omit<T, 'sig'> : never;

function signAct(author: Author, unsigned: Unsigned<MessageAct>): MessageAct {
  return { ...unsigned, sig: toBase64Url(nodeSign(null, actSigningBytes(unsigned), author.key)) } as MessageAct;
}

const later = (hlc: string, ms: number): string => {
  const stamp = parseStamp(hlc);
  if (stamp === null) throw new Error('bad stamp');
  return formatStamp({ wallMs: stamp.wallMs + ms, counter: 0 });
};

export function generateLivelyHistory(count: number, seed: number, lastText: string): LivelyHistory {
  const plain = generateHistory(count, seed, 8, lastText);
  const random = createRandom(seed ^ 0x5eed);
  const byKey = new Map(plain.authors.map((author) => [author.publicKey, author]));
  const authorOf = (entry: MessageEntry): Author => byKey.get(entry.author) as Author;
  const entries: MessageEntry[] = [];
  const acts: MessageAct[] = [];
  let replies = 0;
  let edits = 0;
  let reactions = 0;
  plain.entries.forEach((entry, i) => {
    const last = i === plain.entries.length - 1;
    let message = entry;
    if (!last && i > 10 && random.int(4) === 0) {
      const target = entries[i - 1 - random.int(Math.min(50, i - 1))] as MessageEntry;
      const { sig: _drop, ...fields } = entry;
      const unsigned = { ...fields, v: 2 as const, re: target.id };
      message = { ...unsigned, sig: toBase64Url(nodeSign(null, messageSigningBytes(unsigned), authorOf(entry).key)) };
      replies++;
    }
    entries.push(message);
    if (last) return;
    if (random.int(100) < 15) {
      acts.push(signAct(authorOf(message), { v: 1, k: 'e', target: message.id, author: message.author, hlc: later(message.hlc, 30_000), text: `${message.text} (edited: fixed a typo)` }));
      edits++;
    }
    if (random.int(100) < 40) {
      const reactors = new Set<Author>();
      const wanted = 1 + random.int(3);
      while (reactors.size < wanted) reactors.add(random.pick(plain.authors));
      for (const reactor of reactors) {
        acts.push(signAct(reactor, { v: 1, k: 'r', target: message.id, author: reactor.publicKey, hlc: later(message.hlc, 60_000), emoji: random.pick(QUICK_REACTIONS), on: true }));
        reactions++;
      }
    }
  });
  const newest = entries[entries.length - 1] as MessageEntry;
  for (const author of plain.authors) acts.push(signAct(author, { v: 1, k: 's', author: author.publicKey, hlc: later(newest.hlc, 1000), upTo: newest.hlc }));
  return { entries, authors: plain.authors, acts, replies, edits, reactions };
}

/** Throws unless a sample of the acts verifies the way Parley checks them. */
export async function checkActs(history: LivelyHistory): Promise<void> {
  for (const act of [history.acts[0], history.acts[history.acts.length - 1]]) {
    if (act !== undefined && !(await verifyMessageAct(act))) throw new Error('generated act does not verify');
  }
}

/** Messages as historyUpdate writes them, plus each author's acts through that author's doc. */
export function livelyUpdate(history: LivelyHistory): Uint8Array {
  const docs = new Map<string, Y.Doc>();
  for (const author of history.authors) docs.set(author.publicKey, new Y.Doc());
  for (const [key, doc] of docs) {
    const mine = history.acts.filter((act) => act.author === key);
    doc.transact(() => {
      const map = doc.getMap<unknown>('acts');
      for (const act of mine) map.set(actKey(act), encodeMessageAct(act));
    });
  }
  const updates = [historyUpdate(history)];
  for (const doc of docs.values()) {
    updates.push(Y.encodeStateAsUpdate(doc));
    doc.destroy();
  }
  return Y.mergeUpdates(updates);
}
