/**
 * Signed presence: what a member says about themselves (nickname, colour, status, typing), signed
 * with their room identity together with the client id and clock it travels under, so nobody can
 * speak for another member, replay an old state over a newer one, or push a clock out of reach.
 *
 * Wire format (the shape of y-protocols' awareness update, read with bounded numbers):
 *   varUint count, then per record: varUint clientId, varUint clock, varString JSON
 *   JSON = {"key": ed25519 public key (base64url), "sig": signature (base64url), "state": text}
 * where `state` is the JSON text of the presence fields, or '' for "gone". The signature covers
 * parley/v1/presence ‖ u32 clientId ‖ u32 clock ‖ key ‖ UTF-8 of `state`, so the state is signed
 * exactly as sent and never re-serialised.
 */
import * as encoding from 'lib0/encoding';
import { concatBytes, toBase64Url, utf8 } from '../crypto/encoding.js';
import { PUBLIC_KEY_BYTES, SIGNATURE_BYTES, sign, verifySignature, type Identity } from '../crypto/identity.js';
import { atEnd, createReader, readBoundedString, readBoundedUint } from './bounded-decoding.js';
import { parsePresenceFields, type PresenceFields } from './presence.js';
import { fixedBytes, parseStrictObject } from './strict-json.js';
import type { DropReason, PresenceState } from './types.js';

/** Client ids are Yjs client ids: 32-bit. */
export const MAX_CLIENT_ID = 0xffff_ffff;
/** Clocks are signed as u32; a member renewing every 15 s needs two thousand years to run out. */
export const MAX_PRESENCE_CLOCK = 0xffff_ffff;
/** Records one update may carry: a greeting carries everyone present (the node caps a topic at 256). */
export const MAX_RECORDS_PER_UPDATE = 1000;
/** One record's JSON: a key, a signature and a state of a few short fields. */
export const MAX_RECORD_BYTES = 2048;

const DOMAIN = utf8('parley/v1/presence\u0000');
const RECORD_FIELDS = ['key', 'sig', 'state'];

/** One presence record as received: not yet verified. */
export interface PresenceRecord {
  readonly clientId: number;
  readonly clock: number;
  /** The member's public key, base64url. */
  readonly key: string;
  readonly sig: string;
  /** The signed state text ('' when the member left). */
  readonly stateText: string;
  /** The parsed state, null when the member left. */
  readonly state: PresenceState | null;
  /** The record's JSON as received, relayed as is so the signature still holds. */
  readonly json: string;
}

/** Bytes a presence record's signature covers. */
export function presenceSigningBytes(clientId: number, clock: number, key: Uint8Array, stateText: string): Uint8Array {
  const numbers = new Uint8Array(8);
  const view = new DataView(numbers.buffer);
  view.setUint32(0, clientId);
  view.setUint32(4, clock);
  return concatBytes(DOMAIN, numbers, key, utf8(stateText));
}

/** Signs this member's presence (or their departure, with null) under `clientId` and `clock`. */
export async function signPresence(identity: Identity, clientId: number, clock: number, fields: PresenceFields | null): Promise<PresenceRecord> {
  if (clientId > MAX_CLIENT_ID || clock > MAX_PRESENCE_CLOCK || clock < 0) throw new RangeError('presence clock or client id out of range');
  const stateText = fields === null ? '' : JSON.stringify({ nick: fields.nick, color: fields.color, status: fields.status, text: fields.text, typing: fields.typing, ...(fields.call === undefined ? {} : { call: fields.call }) });
  const key = toBase64Url(identity.publicKey);
  const sig = toBase64Url(await sign(identity, presenceSigningBytes(clientId, clock, identity.publicKey, stateText)));
  const json = JSON.stringify({ key, sig, state: stateText });
  return { clientId, clock, key, sig, stateText, state: fields === null ? null : { ...fields, key }, json };
}

/** Parses one record's JSON (not its signature); a reason to count if it is not a record. Never throws. */
export function parsePresenceRecord(clientId: number, clock: number, json: string): PresenceRecord | DropReason {
  const fields = parseStrictObject(json, MAX_RECORD_BYTES, RECORD_FIELDS);
  if (typeof fields === 'string') return fields;
  const { key, sig, state } = fields;
  if (typeof key !== 'string' || typeof sig !== 'string' || typeof state !== 'string') return 'shape';
  if (fixedBytes(key, PUBLIC_KEY_BYTES) === null || fixedBytes(sig, SIGNATURE_BYTES) === null) return 'shape';
  if (state === '') return { clientId, clock, key, sig, stateText: state, state: null, json };
  let parsed: unknown;
  try {
    parsed = JSON.parse(state);
  } catch {
    return 'shape';
  }
  const presence = parsePresenceFields(parsed);
  if (presence === null) return 'shape';
  return { clientId, clock, key, sig, stateText: state, state: { ...presence, key }, json };
}

/** True only if the record is signed by the key it names, for its client id and clock. Never throws. */
export async function verifyPresenceRecord(record: PresenceRecord): Promise<boolean> {
  const key = fixedBytes(record.key, PUBLIC_KEY_BYTES);
  const sig = fixedBytes(record.sig, SIGNATURE_BYTES);
  if (key === null || sig === null) return false;
  return verifySignature(key, presenceSigningBytes(record.clientId, record.clock, key, record.stateText), sig);
}

/** A decoded presence update: the records that parsed, and a reason for each that did not. */
export interface DecodedPresence {
  readonly records: PresenceRecord[];
  readonly dropped: DropReason[];
}

/**
 * Decodes a presence update with every number bounded before use; null if the update itself is
 * malformed (then nothing in it counts). Never throws, and returns in time linear in its length.
 */
export function decodePresenceUpdate(update: Uint8Array): DecodedPresence | null {
  try {
    const reader = createReader(update);
    const count = readBoundedUint(reader, MAX_RECORDS_PER_UPDATE);
    const records: PresenceRecord[] = [];
    const dropped: DropReason[] = [];
    for (let i = 0; i < count; i++) {
      const clientId = readBoundedUint(reader, MAX_CLIENT_ID);
      const clock = readBoundedUint(reader, MAX_PRESENCE_CLOCK);
      const json = readBoundedString(reader, MAX_RECORD_BYTES);
      const record = parsePresenceRecord(clientId, clock, json);
      if (typeof record === 'string') dropped.push(record);
      else records.push(record);
    }
    return atEnd(reader) ? { records, dropped } : null;
  } catch {
    return null;
  }
}

/** Encodes records as one presence update (their JSON as received or signed). */
export function encodePresenceUpdate(records: readonly Pick<PresenceRecord, 'clientId' | 'clock' | 'json'>[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, records.length);
  for (const record of records) {
    encoding.writeVarUint(encoder, record.clientId);
    encoding.writeVarUint(encoder, record.clock);
    encoding.writeVarString(encoder, record.json);
  }
  return encoding.toUint8Array(encoder);
}
