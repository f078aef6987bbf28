/**
 * Realistic room histories for the "Encrypted rooms" bench: MessageEntry values exactly as
 * Parley stores them (`doc.getMap('messages')`, keyed by id), from a handful of authors, each
 * author writing through their own Y.Doc (own Yjs client id), as in a real room.
 *
 * Signatures are valid: ed25519 is deterministic, so Node's native `crypto.sign` with the
 * tweetnacl identity's seed imported as a JWK gives the very bytes tweetnacl would (checked
 * once against tweetnacl), at a small fraction of tweetnacl's 3.6 ms per signature.
 */
import { createPrivateKey, sign as nodeSign, type KeyObject } from 'node:crypto';
import * as Y from 'yjs';
import nacl from '../../src/crypto/nacl.js';
import { toBase64Url } from '../../src/crypto/encoding.js';
import { formatStamp } from '../../src/core/hlc.js';
import { MESSAGE_ID_BYTES, encodeMessageEntry, messageSigningBytes, verifyMessageEntry } from '../../src/core/message-entry.js';
import type { MessageEntry } from '../../src/core/types.js';
import { createRandom } from '../helpers/random.js';

const WORDS = (
  'the a to and of in is it you that for on was with he this at be are have not but what all were we when your can said there use an ' +
  'each which she do how their if will up other about out many then them these so some her would make like him into time has look two ' +
  'more write go see number no way could people my than first water been call who oil its now find long down day did get come made may ' +
  'part meeting tomorrow lunch deploy branch review coffee thanks sounds good ok sure later tonight link photo train late weekend plan ' +
  'ticket bug fix release draft budget call again maybe yes great idea lol nice cool agreed done'
).split(' ');
const NICKS = ['Amber Otter', 'Brave Heron', 'Calm Lynx', 'Daring Finch', 'Eager Puffin', 'Gentle Tapir', 'Jolly Wombat', 'Quiet Raven'];

export interface Author {
  readonly nick: string;
  readonly publicKey: string;
  readonly key: KeyObject;
  /** tweetnacl layout (seed ‖ public key), to cross-check Node's signatures. */
  readonly secretKey: Uint8Array;
}

export interface History {
  /** In send order, which is also hlc order. */
  readonly entries: readonly MessageEntry[];
  readonly authors: readonly Author[];
}

function makeAuthor(seed: Uint8Array, nick: string): Author {
  const pair = nacl.sign.keyPair.fromSeed(seed);
  const key = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: toBase64Url(seed), x: toBase64Url(pair.publicKey) }, format: 'jwk' });
  return { nick, publicKey: toBase64Url(pair.publicKey), key, secretKey: pair.secretKey };
}

function sentence(random: ReturnType<typeof createRandom>): string {
  const target = 40 + random.int(41); // 40–80 characters
  let text = '';
  while (text.length < target) text += (text === '' ? '' : ' ') + random.pick(WORDS);
  text = text.slice(0, target).trimEnd();
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}${random.pick(['.', '!', '?', '', ' :)'])}`;
}

/**
 * `count` messages from `authorCount` authors over the last 30 days, oldest first. The last one's
 * text starts with `lastText` when given, so a test can find the newest message by its text.
 */
export function generateHistory(count: number, seed: number, authorCount = NICKS.length, lastText?: string): History {
  const random = createRandom(seed);
  const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => random.int(256));
  const authors = Array.from({ length: authorCount }, (_, i) => makeAuthor(bytes(32), NICKS[i % NICKS.length] as string));
  const entries: MessageEntry[] = [];
  const start = Date.now() - 30 * 24 * 3600_000;
  const step = (30 * 24 * 3600_000) / Math.max(1, count);
  for (let i = 0; i < count; i++) {
    const author = random.pick(authors);
    const text = i === count - 1 && lastText !== undefined ? `${lastText} ${sentence(random)}` : sentence(random);
    const unsigned = { v: 1, id: toBase64Url(bytes(MESSAGE_ID_BYTES)), author: author.publicKey, nick: author.nick, hlc: formatStamp({ wallMs: Math.floor(start + i * step), counter: 0 }), text } as const;
    const sig = toBase64Url(nodeSign(null, messageSigningBytes(unsigned), author.key));
    entries.push({ ...unsigned, sig });
  }
  return { entries, authors };
}

/** Throws unless Node's signature of the first entry is the one tweetnacl makes and Parley accepts. */
export async function checkSignatures(history: History): Promise<void> {
  for (const entry of [history.entries[0], history.entries[history.entries.length - 1]]) {
    if (entry === undefined) continue;
    if (!(await verifyMessageEntry(entry))) throw new Error('generated signature does not verify');
    const author = history.authors.find((candidate) => candidate.publicKey === entry.author);
    const expected = author && toBase64Url(nacl.sign.detached(messageSigningBytes(entry), author.secretKey));
    if (expected !== entry.sig) throw new Error('Node ed25519 signature differs from tweetnacl');
  }
}

/**
 * The whole history as one Yjs update, written the way a room would: each author through their
 * own doc (own client id), one transaction per `perTransaction` of their messages, then merged.
 */
export function historyUpdate(history: History, perTransaction = 50): Uint8Array {
  const docs = new Map<string, { doc: Y.Doc; batch: MessageEntry[] }>();
  for (const author of history.authors) docs.set(author.publicKey, { doc: new Y.Doc(), batch: [] });
  const flush = (slot: { doc: Y.Doc; batch: MessageEntry[] }): void => {
    const map = slot.doc.getMap<unknown>('messages');
    slot.doc.transact(() => {
      for (const entry of slot.batch) map.set(entry.id, encodeMessageEntry(entry));
    });
    slot.batch = [];
  };
  for (const entry of history.entries) {
    const slot = docs.get(entry.author);
    if (slot === undefined) throw new Error('entry of an unknown author');
    slot.batch.push(entry);
    if (slot.batch.length >= perTransaction) flush(slot);
  }
  const updates: Uint8Array[] = [];
  for (const slot of docs.values()) {
    if (slot.batch.length > 0) flush(slot);
    updates.push(Y.encodeStateAsUpdate(slot.doc));
    slot.doc.destroy();
  }
  return Y.mergeUpdates(updates);
}

/** A fresh doc holding `update`. */
export function docFrom(update: Uint8Array): Y.Doc {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, update);
  return doc;
}
