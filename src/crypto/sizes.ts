/**
 * Byte lengths of the values an invite link carries, apart from keys.ts so that reading a link
 * (core/invite-link.ts, on every page load) does not pull tweetnacl into the home page's code.
 */
export const ROOM_SECRET_BYTES = 32;
export const ADMIN_KEY_BYTES = 32;
