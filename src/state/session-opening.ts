/**
 * Opening a room session: identity, the stored history and the network start in parallel; the
 * stored tail shows the newest messages before the history is read; sending waits until the
 * history, moderation, acts, epochs and private messages have been read.
 */
import * as Y from 'yjs';
import { nicknameForKey } from '../core/presence.js';
import type { Identity } from '../crypto/identity.js';
import { loadAdmin, loadOrCreateIdentity, type IdentityStore } from './identity-loading.js';
import { deviceProfile } from './profile.svelte.js';
import type { RoomSession } from './room-session.svelte.js';
import { MODERATION_ORIGIN } from './session-moderation.svelte.js';
import { StoredTail } from './stored-tail.js';

/** What the session needs from storage (src/persistence provides it; tests may pass another). */
export interface SessionStore extends IdentityStore {
  appendUpdate(update: Uint8Array): Promise<void>;
  /** Stored updates, unparsed (see RoomStore.loadUpdates): applying each is its check. */
  loadUpdates(): Promise<Uint8Array[]>;
  saveTail(payload: Uint8Array): Promise<void>;
  loadTail(): Promise<Uint8Array | null>;
  saveBlocked(payload: Uint8Array): Promise<void>;
  loadBlocked(): Promise<Uint8Array | null>;
  /** Commits pending writes and detaches. */
  close(): Promise<void>;
}

const STORE_ORIGIN = 'store';
/** This person's own messages within this long before opening count for pacing (the flood rule's memory is shorter). */
const PACING_MEMORY_MS = 60_000;

/** Resolves after the next frame is painted, or soon in a hidden tab (which paints no frames). */
function afterNextPaint(): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => void setTimeout(resolve, 0);
    if (typeof requestAnimationFrame === 'function') requestAnimationFrame(done);
    setTimeout(resolve, 50);
  });
}

/** Opens `session`: see the module comment. */
export async function openSession(session: RoomSession): Promise<void> {
  const store = session.options.openStore(session.keys);
  session.store = store;
  // Kicks stamped before this moment happened before this visit and do not apply to it.
  const startStamp = session.clock.tick();
  // The tail is read first: it is small and shows the newest messages while the history loads.
  const tail = new StoredTail(session.log, store, (reason) => session.drop('blob', reason));
  session.tail = tail;
  const tailShown = tail.show().then((shown) => {
    if (shown && !session.historyLoaded) session.logVersion++;
  });
  const identity = loadOrCreateIdentity(store);
  const admin = loadAdmin(store, session.options.link);
  const profile = deviceProfile.load();
  const stored = store.loadUpdates();
  let markLoaded: () => void = () => undefined;
  session.network.start(new Promise<void>((resolve) => (markLoaded = resolve)));
  const own: Identity = await identity;
  session.identity = own;
  const { admin: adminIdentity, error } = await admin;
  session.admin = adminIdentity;
  session.isAdmin = adminIdentity !== null;
  if (error !== null) session.error = error;
  // Parts of the stored profile that could not be read are counted like any other stored blob.
  for (let i = 0; i < deviceProfile.dropped; i++) session.drop('blob', 'shape');
  session.presence.start(own, (await profile).nick ?? nicknameForKey(own.publicKey));

  const updates = await stored;
  // Applying a long history blocks the page for a while: let the tail reach the screen first.
  if (tail.showing) await afterNextPaint();
  if (session.closed) return;
  for (const update of updates) {
    try {
      Y.applyUpdate(session.doc, update, STORE_ORIGIN);
    } catch {
      session.drop('blob', 'decode'); // a row Yjs cannot read: skipped, the others still load
    }
  }
  // Only now: with an 'update' listener, Yjs re-encodes everything applied (0.44 s for 100k
  // messages) just for the listener to skip it.
  session.doc.on('update', (update: Uint8Array) => void store.appendUpdate(update).catch(() => session.drop('blob', 'decode')));
  await session.index.indexAll();
  if (session.closed) return;
  // The document is the truth: a tail entry it does not hold (deleted since) goes.
  await tailShown;
  const messages = session.doc.getMap<unknown>('messages');
  tail.settle((id) => messages.has(id));
  session.index.follow(MODERATION_ORIGIN);
  await session.moderation.start(startStamp);
  if (session.closed) return;
  // Acts are checked in the background: the history is shown without waiting for them.
  void session.acts.start();
  await session.epochs.start(own);
  if (session.closed) return;
  await session.privates.start();
  if (session.closed) return;
  const since = Date.now() - PACING_MEMORY_MS;
  session.outbox.seed(session.log.slice(Math.max(0, session.log.size - 50), session.log.size).filter((entry) => entry.author === session.ownKey && Number.parseInt(entry.hlc.slice(0, 9), 36) >= since));
  session.historyLoaded = true;
  tail.schedule();
  markLoaded();
  session.outbox.pump();
}
