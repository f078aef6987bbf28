/**
 * Member cards: each identity publishes, in the shared `members` map under its own key, the box
 * key others may seal things to, signed with its signing key. The admin seals a new room key to
 * these after a ban. A card for someone else's key cannot be forged (the signature is checked),
 * and any other value is dropped and counted.
 */
import { toBase64Url, utf8, concatBytes } from '../crypto/encoding.js';
import { PUBLIC_KEY_BYTES, SIGNATURE_BYTES, sign, verifySignature, type Identity } from '../crypto/identity.js';
import { BOX_KEY_BYTES, prepareBoxKeyPair } from '../crypto/member-box.js';
import { fixedBytes, parseStrictObject } from './strict-json.js';
import type { DropReason } from './types.js';

export interface MemberCard {
  readonly v: 1;
  /** ed25519 public key (base64url): the map key too. */
  readonly key: string;
  /** X25519 box public key (base64url). */
  readonly box: string;
  readonly sig: string;
}

const MAX_CARD_CHARS = 512;
const DOMAIN = utf8('parley/v1/member-card\u0000');
const FIELDS = ['v', 'key', 'box', 'sig'];

const signingBytes = (key: string, box: string): Uint8Array => concatBytes(DOMAIN, utf8(`${key}\u0000${box}`));

export async function createMemberCard(identity: Identity): Promise<MemberCard> {
  const key = toBase64Url(identity.publicKey);
  const box = toBase64Url((await prepareBoxKeyPair(identity)).publicKey);
  return { v: 1, key, box, sig: toBase64Url(await sign(identity, signingBytes(key, box))) };
}

export const encodeMemberCard = (card: MemberCard): string => JSON.stringify({ v: card.v, key: card.key, box: card.box, sig: card.sig });


/** Parses an untrusted `members` map value; does not check the signature. Never throws. */
export function decodeMemberCard(mapKey: string, value: unknown): { ok: true; card: MemberCard } | { ok: false; reason: DropReason } {
  const fields = parseStrictObject(value, MAX_CARD_CHARS, FIELDS);
  if (typeof fields === 'string') return { ok: false, reason: fields };
  const { v, key, box, sig } = fields;
  if (v !== 1 || fixedBytes(key, PUBLIC_KEY_BYTES) === null || fixedBytes(box, BOX_KEY_BYTES) === null || fixedBytes(sig, SIGNATURE_BYTES) === null) return { ok: false, reason: 'shape' };
  if (key !== mapKey) return { ok: false, reason: 'key_mismatch' };
  return { ok: true, card: { v: 1, key: key as string, box: box as string, sig: sig as string } };
}

/** True only if the card is signed by the key it names. Never throws. */
export async function verifyMemberCard(card: MemberCard): Promise<boolean> {
  const key = fixedBytes(card.key, PUBLIC_KEY_BYTES);
  const sig = fixedBytes(card.sig, SIGNATURE_BYTES);
  if (key === null || sig === null) return false;
  return verifySignature(key, signingBytes(card.key, card.box), sig);
}
