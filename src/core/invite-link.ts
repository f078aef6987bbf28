/**
 * Invite links: the room secret rides in the URL fragment (`#k=<base64url>`), which browsers
 * never send to a server. The fragment is a `&`-separated list of `name=value` pairs so later
 * versions can add parameters; unknown names are ignored, a repeated `k` is rejected.
 */
import { fromBase64Url, toBase64Url } from '../crypto/encoding.js';
import { ROOM_SECRET_BYTES } from '../crypto/keys.js';
import type { InviteLink } from './types.js';

const SECRET_PARAM = 'k';
/** base64url length of the 32-byte secret, unpadded. */
const SECRET_CHARS = Math.ceil((ROOM_SECRET_BYTES * 4) / 3);
/** Longer fragments are not ours; refuse before splitting them. */
const MAX_FRAGMENT_CHARS = 2048;

/** Formats the fragment (with its leading `#`) that carries `link`. */
export function formatInviteFragment(link: InviteLink): string {
  if (link.secret.length !== ROOM_SECRET_BYTES) throw new RangeError(`room secret must be ${ROOM_SECRET_BYTES} bytes`);
  return `#${SECRET_PARAM}=${toBase64Url(link.secret)}`;
}

/** Reads an invite from a location hash, with or without its `#`; null unless it holds exactly one well-formed secret. */
export function parseInviteFragment(hash: string): InviteLink | null {
  if (typeof hash !== 'string' || hash.length > MAX_FRAGMENT_CHARS) return null;
  const body = hash.startsWith('#') ? hash.slice(1) : hash;
  let encoded: string | null = null;
  for (const pair of body.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = eq < 0 ? pair : pair.slice(0, eq);
    if (name !== SECRET_PARAM) continue;
    // Two secrets would make the link mean two rooms; neither is trusted.
    if (encoded !== null || eq < 0) return null;
    encoded = pair.slice(eq + 1);
  }
  if (encoded === null || encoded.length !== SECRET_CHARS) return null;
  // fromBase64Url rejects foreign characters and non-zero trailing bits, so the encoding is canonical.
  const secret = fromBase64Url(encoded);
  if (secret === null || secret.length !== ROOM_SECRET_BYTES) return null;
  return { secret };
}

/** The full invite URL: `origin` + `path` (query kept) + the secret fragment. */
export function inviteUrl(origin: string, path: string, link: InviteLink): string {
  const url = new URL(path, origin);
  url.hash = '';
  return `${url.href}${formatInviteFragment(link)}`;
}
