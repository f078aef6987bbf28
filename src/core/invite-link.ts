/**
 * Invite links: the room secret rides in the URL fragment, which browsers never send to a
 * server. The fragment is a `&`-separated list of `name=value` pairs; unknown names are ignored,
 * a repeated known name is rejected.
 *   k  the 32-byte room secret (required)
 *   a  the room admin's ed25519 public key (rooms created by Parley have one; it is bound into
 *      every derived key, see crypto/keys.ts)
 *   s  the admin's 32-byte signing seed: only in an admin link, which appoints a co-moderator
 */
import { toBase64Url } from '../crypto/encoding.js';
import { ADMIN_KEY_BYTES, ROOM_SECRET_BYTES } from '../crypto/sizes.js';
import { fixedBytes } from './strict-json.js';
import type { InviteLink } from './types.js';

const PARAMS = { secret: 'k', adminKey: 'a', adminSeed: 's' } as const;
const ADMIN_SEED_BYTES = 32;
/** Longer fragments are not ours; refuse before splitting them. */
const MAX_FRAGMENT_CHARS = 2048;

function encodeField(bytes: Uint8Array, length: number, what: string): string {
  if (bytes.length !== length) throw new RangeError(`${what} must be ${length} bytes`);
  return toBase64Url(bytes);
}

/** Formats the fragment (with its leading `#`) that carries `link`. */
export function formatInviteFragment(link: InviteLink): string {
  let fragment = `#${PARAMS.secret}=${encodeField(link.secret, ROOM_SECRET_BYTES, 'room secret')}`;
  if (link.adminKey !== undefined) fragment += `&${PARAMS.adminKey}=${encodeField(link.adminKey, ADMIN_KEY_BYTES, 'admin key')}`;
  if (link.adminSeed !== undefined) {
    if (link.adminKey === undefined) throw new RangeError('an admin seed needs its admin key');
    fragment += `&${PARAMS.adminSeed}=${encodeField(link.adminSeed, ADMIN_SEED_BYTES, 'admin seed')}`;
  }
  return fragment;
}

/** The member link of a room: the same fragment without the admin seed. */
export function memberLink(link: InviteLink): InviteLink {
  return link.adminKey === undefined ? { secret: link.secret } : { secret: link.secret, adminKey: link.adminKey };
}


/** Reads an invite from a location hash, with or without its `#`; null unless it is well formed. */
export function parseInviteFragment(hash: string): InviteLink | null {
  if (typeof hash !== 'string' || hash.length > MAX_FRAGMENT_CHARS) return null;
  const body = hash.startsWith('#') ? hash.slice(1) : hash;
  const values = new Map<string, string>();
  const known: readonly string[] = Object.values(PARAMS);
  for (const pair of body.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = eq < 0 ? pair : pair.slice(0, eq);
    if (!known.includes(name)) continue;
    // Two secrets (or keys) would make the link mean two rooms; neither is trusted.
    if (values.has(name) || eq < 0) return null;
    values.set(name, pair.slice(eq + 1));
  }
  const secretText = values.get(PARAMS.secret);
  const secret = secretText === undefined ? null : fixedBytes(secretText, ROOM_SECRET_BYTES);
  if (secret === null) return null;
  const adminKeyText = values.get(PARAMS.adminKey);
  const adminSeedText = values.get(PARAMS.adminSeed);
  if (adminKeyText === undefined) return adminSeedText === undefined ? { secret } : null;
  const adminKey = fixedBytes(adminKeyText, ADMIN_KEY_BYTES);
  if (adminKey === null) return null;
  if (adminSeedText === undefined) return { secret, adminKey };
  const adminSeed = fixedBytes(adminSeedText, ADMIN_SEED_BYTES);
  return adminSeed === null ? null : { secret, adminKey, adminSeed };
}

/** The full invite URL: `origin` + `path` (query kept) + the fragment. */
export function inviteUrl(origin: string, path: string, link: InviteLink): string {
  const url = new URL(path, origin);
  url.hash = '';
  return `${url.href}${formatInviteFragment(link)}`;
}
