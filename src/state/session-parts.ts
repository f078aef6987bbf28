/**
 * How a room session's parts are made and joined (room-session.svelte.ts is the facade). Each
 * part is made from the parts made before it; events that flow back up (cards changed, away, the
 * people changed, the traffic moved to new keys, a new room secret) are subscriptions made in
 * joinParts, once every part exists. Callbacks below read the session's data (identity, whether
 * the history is loaded) when they run, never a part that does not exist yet.
 */
import { DEFAULT_CALL_LIMITS } from '../core/call-state.js';
import { CallSession } from './call.svelte.js';
import { RoomFiles } from './room-files.svelte.js';
import { encodeMessageEntry } from '../core/message-entry.js';
import type { MessageEntry } from '../core/types.js';
import type { Identity } from '../crypto/identity.js';
import { MessageIndex } from './message-index.js';
import { Outbox } from './outbox.svelte.js';
import { PrivateMessages } from './private-messages.svelte.js';
import { deviceProfile } from './profile.svelte.js';
import { RoomEpochs } from './room-epochs.js';
import { RoomNetwork } from './room-network.svelte.js';
import type { RoomSession } from './room-session.svelte.js';
import { Roster } from './roster.svelte.js';
import { MODERATION_ORIGIN, SessionModeration } from './session-moderation.svelte.js';
import { SessionActs } from './session-acts.svelte.js';
import { sessionAdmission, sessionPreview } from './session-sync.js';

/** While a long history streams in, the list is rendered at most this often. */
const SYNC_RENDER_MS = 1000;

/**
 * What is shown changed: the list is rendered again once per frame at most, and while a long
 * history streams in (a change per piece: 130 pieces for 100k messages) at most every
 * SYNC_RENDER_MS, since each render measures the rows on screen.
 */
export function createRenderPacer(bump: () => void, syncing: () => boolean): () => void {
  let pending = false;
  let last = 0;
  const run = (): void => {
    if (!pending) return;
    pending = false;
    last = performance.now();
    bump();
  };
  return () => {
    if (pending) return;
    pending = true;
    const wait = syncing() ? Math.max(0, last + SYNC_RENDER_MS - performance.now()) : 0;
    setTimeout(() => {
      if (typeof requestAnimationFrame === 'function') requestAnimationFrame(run);
      // A hidden tab paints no frames.
      setTimeout(run, 100);
    }, wait);
  };
}

const identityOf = (session: RoomSession) => (): Identity | null => session.identity;
const tickOf = (session: RoomSession) => (): string => session.clock.tick();

export function createActs(session: RoomSession): SessionActs {
  return new SessionActs({ doc: session.doc, filter: session.filter, removalOrigin: MODERATION_ORIGIN, identity: identityOf(session), tick: tickOf(session), drop: (reason) => session.drop('act', reason), refresh: () => session.shownChanged() });
}

export function createEpochs(session: RoomSession, adminKey: string | null): RoomEpochs {
  return new RoomEpochs({ doc: session.doc, adminKey, onDrop: (reason) => session.drop('moderation', reason) });
}

export function createPrivates(session: RoomSession, epochs: RoomEpochs): PrivateMessages {
  const { filter } = session;
  return new PrivateMessages({
    doc: session.doc,
    identity: identityOf(session),
    tick: tickOf(session),
    boxOf: (key) => epochs.boxOf(key),
    refused: (key) => filter.refuses(key),
    nick: () => session.presence.nick,
    drop: (reason) => session.drop('private', reason),
    autoReply: () => (deviceProfile.current.autoReply.enabled ? deviceProfile.current.autoReply.text : null),
    lifetimeMs: () => filter.moderation.rules.lifetimeSeconds * 1000,
    arrived: () => session.alerts.emit('private'),
  });
}

export function createNetwork(session: RoomSession, adminKey: string | null): RoomNetwork {
  const { options } = session;
  return new RoomNetwork({
    link: options.link,
    keys: session.keys,
    signalingUrl: options.signalingUrl,
    ...(options.iceServers === undefined ? {} : { iceServers: options.iceServers }),
    ...(options.ice === undefined ? {} : { ice: options.ice }),
    ...(options.relayOnly === undefined ? {} : { relayOnly: options.relayOnly }),
    doc: session.doc,
    presence: session.presenceTable,
    whoAmI: () => session.whoAmI(),
    admit: sessionAdmission(session, adminKey),
    ...sessionPreview(session),
    drop: (source, reason) => session.drop(source, reason),
  });
}

export function createRoster(session: RoomSession): Roster {
  const { filter } = session;
  const roster = new Roster({ table: session.presenceTable, ownId: () => session.presence.id, refused: (key) => filter.refuses(key) || (filter.moderation.locked !== null && !filter.moderation.locked.has(key)) });
  roster.onChange((people) => session.names.note(people));
  return roster;
}

/** Every identity this device knows in the room, those present first (they stay admitted if a lock's list is cut at its maximum). */
function knownKeys(session: RoomSession, roster: Roster, adminKey: string | null): string[] {
  const keys = session.filter.authors();
  const present = new Set([...roster.presentKeys(), session.ownKey]);
  for (const key of present) if (key !== null) keys.add(key);
  if (adminKey !== null) keys.add(adminKey);
  return [...keys].sort((a, b) => Number(present.has(b)) - Number(present.has(a)));
}

export function createModeration(session: RoomSession, network: RoomNetwork, roster: Roster, adminKey: string | null): SessionModeration {
  return new SessionModeration({
    doc: session.doc,
    filter: session.filter,
    adminKey,
    tick: tickOf(session),
    ownKey: () => session.ownKey,
    admin: () => session.admin,
    presentKeys: () => roster.presentKeys(),
    knownKeys: () => knownKeys(session, roster, adminKey),
    refuseKey: (key) => network.refuseKey(key),
    allowKey: (key) => network.allowKey(key),
    dropKey: (key) => network.dropKey(key),
    leave: () => {
      // Kicked or banned: the call ends with the room.
      session.call.leave();
      network.leave();
    },
    drop: (reason) => session.drop('moderation', reason),
    loadBlocked: () => session.store?.loadBlocked() ?? Promise.resolve(null),
    saveBlocked: (payload) => session.store?.saveBlocked(payload) ?? Promise.resolve(),
    refresh: () => session.moderationChanged(),
  });
}

export function createIndex(session: RoomSession, acts: SessionActs, moderation: SessionModeration): MessageIndex {
  return new MessageIndex(session.doc.getMap('messages'), session.log, session.filter, {
    drop: (reason) => session.drop('entry', reason),
    changed: () => {
      session.shownChanged();
      acts.judge();
      session.tail?.schedule();
    },
    flooded: (entries) => moderation.noteFlood(entries),
    indexed: (entries) => session.names.note(entries.map((entry) => ({ key: entry.author, nick: entry.nick }))),
    observeStamp: (hlc) => session.clock.observe(hlc),
    arrived: (entries) => session.arrived(entries),
    closed: () => session.closed,
    removalOrigin: MODERATION_ORIGIN,
  });
}

export function createOutbox(session: RoomSession, index: MessageIndex, privates: PrivateMessages, moderation: SessionModeration): Outbox {
  return new Outbox({
    identity: identityOf(session),
    tick: tickOf(session),
    ready: () => session.historyLoaded,
    nick: () => session.presence.nick,
    policy: () => session.filter.policy(),
    refusal: (text) => {
      if (moderation.removed !== null) return 'removed';
      if (moderation.mutedUntil > Date.now()) return 'muted';
      return text.length > session.filter.moderation.rules.maxMessageChars ? 'too_long' : null;
    },
    write: (entry: MessageEntry) => {
      index.signedHere(entry);
      if (!session.closed) session.doc.getMap<unknown>('messages').set(entry.id, encodeMessageEntry(entry));
    },
    writePrivate: (to, text, file) => privates.send(to, text, false, file),
    sent: () => {
      session.firstUnreadId = null;
      session.presence.setTyping(false);
    },
  });
}

/** The subscriptions that carry events back up, made once every part exists. */
export function joinParts(session: RoomSession): void {
  const { epochs, privates, presence, roster, network, moderation, alerts } = session;
  epochs.onCards(() => privates.refresh());
  epochs.onSecret((secret, epoch) => network.moveTo(secret, epoch));
  presence.onAway((away) => privates.setAway(away));
  roster.onChange((people) => {
    alerts.people(people);
    moderation.enforcePresence();
    session.call.peopleChanged();
  });
  network.onMoved(() => {
    presence.republish();
    moderation.reapply();
  });
}

export function createCall(session: RoomSession, roster: Roster, moderation: SessionModeration): CallSession {
  return new CallSession({
    links: session.network.media,
    setPresence: (call) => session.presence.setCall(call),
    people: () => roster.people,
    excluded: (key) => moderation.blocked.has(key) || session.filter.refuses(key),
    alert: (event) => session.alerts.emit(event),
    drop: (reason) => session.drop('media', reason),
    limits: () => ({ ...DEFAULT_CALL_LIMITS, videoOffFrom: moderation.rules.videoOffFrom ?? DEFAULT_CALL_LIMITS.videoOffFrom }),
  });
}

export function createFiles(session: RoomSession, moderation: SessionModeration, outbox: Outbox): RoomFiles {
  const { filter } = session;
  return new RoomFiles({
    keys: session.keys,
    links: session.network.files,
    shown: (id) => session.index.shown(id),
    privateFile: (id) => session.privates.fileOf(id),
    gone: (id) => {
      if (!session.historyLoaded || session.privates.has(id)) return false;
      const entry = filter.find(id);
      const reason = entry === undefined ? null : filter.reasonFor(entry);
      return entry === undefined || reason === 'deleted' || reason === 'expired';
    },
    excluded: (key) => moderation.blocked.has(key) || filter.refuses(key),
    ownKey: () => session.ownKey,
    maxFileBytes: () => moderation.rules.maxFileBytes ?? null,
    sendFile: (name, id, manifest, to) => outbox.sendFile(name, id, manifest, to),
    drop: (reason) => session.drop('file', reason),
  });
}
