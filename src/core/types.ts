/**
 * Public shapes of the Parley core, shared by transport, persistence, state and UI.
 * Plain TypeScript: no Svelte, DOM or provider imports.
 */

import type { CallPresence } from './call-state.js';
import type { FileManifest } from './file-manifest.js';

/** Version of the wire and document formats; bumped on any incompatible change. */
export const PROTOCOL_VERSION = 1;

/** What an invite link's fragment carries. */
export interface InviteLink {
  /** 32 random bytes: the room secret. Never leaves the fragment or this device. */
  readonly secret: Uint8Array;
  /** The room admin's ed25519 public key (32 bytes), part of the room's identity. */
  readonly adminKey?: Uint8Array;
  /** The admin's signing seed (32 bytes): present only in an admin link. */
  readonly adminSeed?: Uint8Array;
}

/**
 * One chat message as stored in the shared document: `doc.getMap('messages')`, keyed by `id`.
 * A Y.Map keyed by id keeps appends flat as the room grows (a Y.Array was quadratic: 30k messages took 12 s to append one by one, 100k took 156 s).
 * The map holds each entry as its JSON text (core/message-entry.ts encodeMessageEntry).
 */
export interface MessageEntry {
  /**
   * 1: a plain message; 2: a reply, which adds `re`; 3: a file, which adds `file` and whose text is
   * the file's name (v1 and v2 entries stay valid and keep their signatures).
   */
  readonly v: 1 | 2 | 3;
  /** 22-char base64url of 16 random bytes; equals the entry's key in the map. */
  readonly id: string;
  /** Author's ed25519 public key, 43-char base64url. The signature must verify under it. */
  readonly author: string;
  /** Author's nickname when sending (1–40 chars), so history shows names of people who left. */
  readonly nick: string;
  /** Hybrid logical clock stamp, see core/hlc.ts; with `author` it totally orders messages. */
  readonly hlc: string;
  /** Message text, 1–MAX_TEXT_CHARS characters, any script; in v3 the file's name (core/file-manifest.ts isValidFileName). */
  readonly text: string;
  /** v2 only: id of the message this one replies to (it may be deleted or not loaded here). */
  readonly re?: string;
  /** v3 only: the shared file's manifest (core/file-manifest.ts); the file id is the message id. */
  readonly file?: FileManifest;
  /** ed25519 signature (86-char base64url) over messageSigningBytes(entry). */
  readonly sig: string;
}

/** Why a document entry, frame, stored blob or awareness state was dropped; each is counted. */
export type DropReason =
  | 'shape'
  | 'size'
  | 'key_mismatch'
  | 'signature'
  | 'decrypt'
  | 'decode'
  | 'chunk'
  | 'unknown_type'
  /** A moderation action not signed by the room's admin key. */
  | 'not_admin'
  /** Over a rate limit (frames, presence updates, or an author's messages). */
  | 'rate'
  /** A sync reply nobody asked for, or a live update carrying more than a live update may. */
  | 'unsolicited'
  /** From someone banned, muted or blocked. */
  | 'refused'
  /** An edit or delete of a message signed by someone other than the message's author. */
  | 'not_author'
  /** A document update touching a root type the room's schema does not have. */
  | 'unknown_root'
  /** Over a byte budget: partial messages, a send queue, or an author's storage allowance. */
  | 'budget'
  /** A partial message not completed in time. */
  | 'expired'
  /** A presence clock outside the accepted window (a replay, or a jump meant to freeze it). */
  | 'clock'
  /** A media description the browser refused, or one that breaks the limits (core/call-state.ts checkSdp). */
  | 'sdp'
  /** A media description repeated or older than one already handled. */
  | 'stale';

/** Presence: what a member says about themselves, in signed records (core/presence-record.ts); validated on receipt like everything else. */
export interface PresenceState {
  readonly nick: string;
  /** `#rrggbb` */
  readonly color: string;
  readonly status: 'online' | 'away' | 'busy';
  /** A status message ("in a meeting until 3"), 0–80 characters; empty when none. */
  readonly text: string;
  readonly typing: boolean;
  /** Their part in the room's call (core/call-state.ts); absent when not in it. */
  readonly call?: CallPresence;
  /** ed25519 public key, 43-char base64url, for the safety code in the People list. */
  readonly key: string;
}

/** A connection state a person understands. */
export type ConnectionState =
  | { readonly kind: 'connecting' }
  | { readonly kind: 'connected'; readonly peers: number }
  | { readonly kind: 'offline' };

/** Where a dropped input came from, for the drop counters. */
export type DropSource = 'entry' | 'frame' | 'blob' | 'presence' | 'moderation' | 'act' | 'private' | 'update' | 'media' | 'file';

/** Signature check state of one message; the UI verifies the visible range first. */
export type VerificationStatus = 'pending' | 'valid' | 'invalid';
