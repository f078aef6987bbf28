/** Loading this device's identities for a room: its own (made on first visit) and the admin's, if this device holds it. */
import type { InviteLink } from '../core/types.js';
import { equalBytes } from '../crypto/encoding.js';
import { createIdentity, identityFromSeed, type Identity } from '../crypto/identity.js';

export interface IdentityStore {
  saveIdentity(secretKey: Uint8Array): Promise<void>;
  /** The stored identity, already checked to be a valid key pair, or null. */
  loadIdentity(): Promise<Identity | null>;
  saveAdminSeed(seed: Uint8Array): Promise<void>;
  loadAdminSeed(): Promise<Uint8Array | null>;
}

/** This person's identity in the room: the stored one, or a new one (then stored). */
export async function loadOrCreateIdentity(store: IdentityStore): Promise<Identity> {
  const restored = await store.loadIdentity();
  if (restored !== null) return restored;
  const created = await createIdentity();
  await store.saveIdentity(created.secretKey);
  return created;
}

/** The admin key pair if this device holds it: from an admin link (then kept), else from storage; with an error to show if the link's seed was damaged. */
export async function loadAdmin(store: IdentityStore, link: InviteLink): Promise<{ readonly admin: Identity | null; readonly error: string | null }> {
  const { adminKey, adminSeed } = link;
  if (adminKey === undefined) return { admin: null, error: null };
  const matches = (identity: Identity | null): identity is Identity => identity !== null && equalBytes(identity.publicKey, adminKey);
  let error: string | null = null;
  if (adminSeed !== undefined) {
    const fromLink = await identityFromSeed(adminSeed);
    if (matches(fromLink)) {
      await store.saveAdminSeed(adminSeed);
      return { admin: fromLink, error: null };
    }
    error = 'This admin link is damaged: you are in the room as a member.';
  }
  const stored = await store.loadAdminSeed();
  const fromStore = stored === null ? null : await identityFromSeed(stored);
  return { admin: matches(fromStore) ? fromStore : null, error };
}
