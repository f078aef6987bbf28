/**
 * Room key epochs, for bans that hold: the admin makes a new random room secret and seals it to
 * every member still welcome (to the box key on their member card), as one entry of the shared
 * `epochs` map signed with the admin key. Members who can open their box move the room's traffic
 * to the keys derived from the new secret (a new topic, new signal and wire keys); the banned
 * identity has no box, so it is left on the old keys and reads nothing said afterwards.
 */
import { concatBytes, toBase64Url, utf8 } from '../crypto/encoding.js';
import { PUBLIC_KEY_BYTES, SIGNATURE_BYTES, sign, verifySignature, type Identity } from '../crypto/identity.js';
import { ROOM_SECRET_BYTES } from '../crypto/keys.js';
import { BOX_KEY_BYTES, boxKeyPairOf, openFromMember, sealToMember } from '../crypto/member-box.js';
import { parseStamp } from './hlc.js';
import type { MemberCard } from './member-card.js';
import { fixedBytes, parseStrictObject } from './strict-json.js';
import type { DropReason } from './types.js';

export interface EpochKey {
  readonly v: 1;
  /** 1, 2, 3…: the map key is its decimal form. */
  readonly epoch: number;
  readonly hlc: string;
  /** The admin key that signed it (base64url). */
  readonly by: string;
  /** The admin's box public key the boxes were sealed with (base64url). */
  readonly from: string;
  /** [member key, sealed new secret], both base64url. */
  readonly boxes: ReadonlyArray<readonly [string, string]>;
  readonly sig: string;
}

export const MAX_EPOCH_MEMBERS = 1000;
const MAX_EPOCH = 1_000_000;
/** nonce (24) + secret (32) + tag (16) = 72 bytes. */
const SEALED_BYTES = 72;
const SEALED_CHARS = Math.ceil((SEALED_BYTES * 4) / 3);
const MAX_EPOCH_CHARS = 1024 + MAX_EPOCH_MEMBERS * (46 + SEALED_CHARS + 6);
const DOMAIN = utf8('parley/v1/epoch-key\u0000');
const FIELDS = ['v', 'epoch', 'hlc', 'by', 'from', 'boxes', 'sig'];

function signingBytes(e: Omit<EpochKey, 'sig'>): Uint8Array {
  const values = [String(e.v), String(e.epoch), e.hlc, e.by, e.from, String(e.boxes.length), ...e.boxes.flat()];
  const parts: Uint8Array[] = [DOMAIN];
  for (const value of values) {
    const bytes = utf8(value);
    const length = new Uint8Array(4);
    new DataView(length.buffer).setUint32(0, bytes.length);
    parts.push(length, bytes);
  }
  return concatBytes(...parts);
}


/** Seals `secret` to each card's box key and signs the whole with the admin key. */
export async function createEpochKey(admin: Identity, epoch: number, secret: Uint8Array, cards: readonly MemberCard[], hlc: string): Promise<EpochKey> {
  if (!Number.isInteger(epoch) || epoch < 1 || epoch > MAX_EPOCH) throw new RangeError('epoch out of range');
  if (secret.length !== ROOM_SECRET_BYTES || cards.length > MAX_EPOCH_MEMBERS) throw new RangeError('bad secret or too many members');
  const sender = boxKeyPairOf(admin);
  const boxes = cards.flatMap((card): Array<readonly [string, string]> => {
    const recipient = fixedBytes(card.box, BOX_KEY_BYTES);
    return recipient === null ? [] : [[card.key, toBase64Url(sealToMember(secret, recipient, sender))]];
  });
  const unsigned = { v: 1 as const, epoch, hlc, by: toBase64Url(admin.publicKey), from: toBase64Url(sender.publicKey), boxes };
  return { ...unsigned, sig: toBase64Url(await sign(admin, signingBytes(unsigned))) };
}

export const encodeEpochKey = (e: EpochKey): string =>
  JSON.stringify({ v: e.v, epoch: e.epoch, hlc: e.hlc, by: e.by, from: e.from, boxes: e.boxes.map(([key, sealed]) => [key, sealed]), sig: e.sig });

/** Parses an untrusted `epochs` map value; does not check the signature. Never throws. */
export function decodeEpochKey(mapKey: string, value: unknown): { ok: true; epoch: EpochKey } | { ok: false; reason: DropReason } {
  const f = parseStrictObject(value, MAX_EPOCH_CHARS, FIELDS);
  if (typeof f === 'string') return { ok: false, reason: f };
  const { v, epoch, hlc, by, from, boxes, sig } = f;
  if (v !== 1 || typeof epoch !== 'number' || !Number.isInteger(epoch) || epoch < 1 || epoch > MAX_EPOCH) return { ok: false, reason: 'shape' };
  if (typeof hlc !== 'string' || parseStamp(hlc) === null) return { ok: false, reason: 'shape' };
  if (fixedBytes(by, PUBLIC_KEY_BYTES) === null || fixedBytes(from, BOX_KEY_BYTES) === null || fixedBytes(sig, SIGNATURE_BYTES) === null) return { ok: false, reason: 'shape' };
  if (!Array.isArray(boxes) || boxes.length > MAX_EPOCH_MEMBERS) return { ok: false, reason: 'shape' };
  const checked: Array<readonly [string, string]> = [];
  for (const item of boxes as unknown[]) {
    if (!Array.isArray(item) || item.length !== 2 || fixedBytes(item[0], PUBLIC_KEY_BYTES) === null || fixedBytes(item[1], SEALED_BYTES) === null) return { ok: false, reason: 'shape' };
    checked.push([item[0] as string, item[1] as string]);
  }
  if (mapKey !== String(epoch)) return { ok: false, reason: 'key_mismatch' };
  return { ok: true, epoch: { v: 1, epoch, hlc, by: by as string, from: from as string, boxes: checked, sig: sig as string } };
}

/** True only if signed by `adminKey` (base64url). Never throws. */
export async function verifyEpochKey(e: EpochKey, adminKey: string): Promise<boolean> {
  const key = fixedBytes(e.by, PUBLIC_KEY_BYTES);
  const sig = fixedBytes(e.sig, SIGNATURE_BYTES);
  if (e.by !== adminKey || key === null || sig === null) return false;
  const { sig: _sig, ...unsigned } = e;
  return verifySignature(key, signingBytes(unsigned), sig);
}

/** The new room secret sealed to `member`, or null if there is no box for them (or it does not open). */
export function openEpochKey(e: EpochKey, member: Identity): Uint8Array | null {
  const own = toBase64Url(member.publicKey);
  const sealed = fixedBytes(e.boxes.find(([key]) => key === own)?.[1], SEALED_BYTES);
  const from = fixedBytes(e.from, BOX_KEY_BYTES);
  if (sealed === null || from === null) return null;
  const secret = openFromMember(sealed, from, boxKeyPairOf(member));
  return secret !== null && secret.length === ROOM_SECRET_BYTES ? secret : null;
}
