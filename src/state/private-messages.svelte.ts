/**
 * Private messages as one member's device follows them (core/private-message.ts): every entry of
 * the `private` map is checked and kept (verified-map.ts puts back any a member removes, so a
 * recipient who is offline still finds theirs later on whoever holds the history), but only
 * those sent to or by this person are opened. Everyone else's stay ciphertext on this device,
 * never decrypted and never shown.
 *
 * Also the away auto-reply: while this person is away, the first private message from each
 * person in that away period gets one automatic answer; an automatic answer never gets one.
 */
import type * as Y from 'yjs';
import type { FileManifest } from '../core/file-manifest.js';
import { createPrivateEntry, decodePrivateEntry, encodePrivateEntry, openPrivateEntry, verifyPrivateEntry, type PrivateEntry } from '../core/private-message.js';
import { createFloodGate } from '../core/flood-gate.js';
import { compareMessages, parseStamp } from '../core/hlc.js';
import type { PrivateLine } from '../core/transcript.js';
import type { DropReason, MessageEntry } from '../core/types.js';
import { toBase64Url } from '../crypto/encoding.js';
import type { Identity } from '../crypto/identity.js';
import { VerifiedMap } from './verified-map.js';

/** A private message this person can read (they sent or received it): a transcript's private line, and whether it was an auto-reply. */
export interface PrivateMessage extends PrivateLine {
  readonly auto: boolean;
  /** A private file: `text` is its name; its pieces travel like any file's, asked for only by these two. */
  readonly file?: FileManifest;
}

export interface PrivateHost {
  readonly doc: Y.Doc;
  identity(): Identity | null;
  /** The box key on this person's verified member card, if any. */
  boxOf(key: string): string | undefined;
  /** Banned by the room or blocked by this person: their private messages are not shown. */
  refused(key: string): boolean;
  nick(): string;
  tick(): string;
  drop(reason: DropReason): void;
  /** What the away auto-reply says, or null while it is off. */
  autoReply(): string | null;
  /** The room's message lifetime in ms (0: kept for ever); private messages expire like the others. */
  lifetimeMs?(): number;
  /** A private message from someone else arrived after start (for the sound and notification). */
  arrived?(message: PrivateMessage): void;
}

/** A private message stamped this long before the away period began still counts as during it (clock skew). */
const AWAY_SLACK_MS = 60_000;

export class PrivateMessages {
  /** Every readable private message, in timeline order; see visible() for what is shown. */
  all: PrivateMessage[] = $state.raw([]);

  readonly #host: PrivateHost;
  readonly #map: VerifiedMap<PrivateEntry>;
  /** Opened entries by id (null: addressed to or from this person but would not open; counted once). */
  readonly #opened = new Map<string, PrivateMessage | null>();
  /** The same per-author flood limit as messages, so nobody buries a recipient in private messages. */
  readonly #gate = createFloodGate();
  #started = false;
  /** Bumped on every refresh (new entries or member cards), so canSendTo() is read again. */
  #version = $state(0);
  #awaySince: number | null = null;
  readonly #answered = new Set<string>();

  constructor(host: PrivateHost) {
    this.#host = host;
    this.#map = new VerifiedMap({
      map: host.doc.getMap('private'),
      decode: (key, value) => {
        const parsed = decodePrivateEntry(key, value);
        return parsed.ok ? { ok: true, value: parsed.entry } : parsed;
      },
      encode: encodePrivateEntry,
      verify: verifyPrivateEntry,
      failReason: 'signature',
      onDrop: (reason) => host.drop(reason),
      onChange: () => this.refresh(),
      // An expired entry may leave the document (this device and every other remove it, see expire()).
      mayRemove: (_key, known) => this.#expired(known.hlc, Date.now()),
    });
  }

  /** Removes expired private messages from the document (everyone's, opened or not), as messages are. */
  expire(nowMs: number = Date.now()): void {
    const gone = [...this.#map.values].filter(([, entry]) => this.#expired(entry.hlc, nowMs)).map(([key]) => key);
    if (gone.length === 0) return;
    const map = this.#host.doc.getMap<unknown>('private');
    this.#host.doc.transact(() => {
      for (const key of gone) map.delete(key);
    });
    const goneIds = new Set(gone);
    for (const key of gone) this.#opened.delete(key);
    this.all = this.all.filter((message) => !goneIds.has(message.id));
  }

  #expired(hlc: string, nowMs: number): boolean {
    const lifetime = this.#host.lifetimeMs?.() ?? 0;
    const wallMs = lifetime > 0 ? parseStamp(hlc)?.wallMs : undefined;
    return wallMs !== undefined && wallMs + lifetime < nowMs;
  }

  /** Checks what the document holds, then follows it; call once identity and history are loaded. */
  async start(): Promise<void> {
    await this.#map.start();
    this.refresh();
    this.#started = true;
  }

  /** Shown private messages: not from anyone refused, not over the flood limit. */
  visible(): PrivateMessage[] {
    const now = Date.now();
    return this.all.filter((message) => !this.#host.refused(message.author) && !this.#gate.isHidden(message.id) && !this.#expired(message.hlc, now));
  }

  /** The nickname `key` gave on their latest private message to this person, if any. */
  nickOf(key: string): string | undefined {
    return this.all.findLast((message) => message.author === key)?.nick;
  }

  /** True if a private message to `key` can be sealed now (their member card is known). */
  canSendTo(key: string): boolean {
    void this.#version;
    const identity = this.#host.identity();
    return identity !== null && key !== toBase64Url(identity.publicKey) && this.#host.boxOf(key) !== undefined;
  }

  /** Whether the document holds a private entry with this id (anyone's, opened or not). */
  has(id: string): boolean {
    return this.#map.values.has(id);
  }

  /** The readable private file with this id (sent or received by this person, shown), if any. */
  fileOf(id: string): PrivateMessage | undefined {
    const message = this.#opened.get(id);
    if (message === undefined || message === null || message.file === undefined) return undefined;
    return this.#host.refused(message.author) || this.#gate.isHidden(id) || this.#expired(message.hlc, Date.now()) ? undefined : message;
  }

  /** Seals, signs and adds a private message to `to` (a file's when `file` is given, under its id); false if their card is unknown. */
  async send(to: string, text: string, auto = false, file?: { readonly id: string; readonly manifest: FileManifest }): Promise<boolean> {
    const identity = this.#host.identity();
    const toBox = this.#host.boxOf(to);
    if (identity === null || toBox === undefined || !this.canSendTo(to)) return false;
    const payload = { nick: this.#host.nick(), text, auto, ...(file === undefined ? {} : { file: file.manifest }) };
    const entry = await createPrivateEntry(identity, { to, toBox, hlc: this.#host.tick(), payload }, file === undefined ? undefined : () => file.id);
    this.#map.set(entry.id, entry);
    return true;
  }

  /** This person's status became away or not; a new away period answers everyone once again. */
  setAway(away: boolean): void {
    if (away && this.#awaySince === null) this.#awaySince = Date.now();
    if (!away) {
      this.#awaySince = null;
      this.#answered.clear();
    }
  }

  /** Opens entries to or from this person not opened yet (also when a card they needed arrives). */
  refresh(): void {
    const identity = this.#host.identity();
    if (identity === null) return;
    this.#version++;
    const own = toBase64Url(identity.publicKey);
    const fresh: PrivateMessage[] = [];
    const entries = [...this.#map.values.values()];
    this.#gate.add(entries.map(asGateEntry));
    for (const entry of entries) {
      if (this.#opened.has(entry.id) || (entry.to !== own && entry.from !== own)) continue;
      const outgoing = entry.from === own;
      const peerBox = this.#host.boxOf(outgoing ? entry.to : entry.from);
      if (peerBox === undefined) continue; // their card has not arrived yet: tried again when it does
      const payload = openPrivateEntry(entry, identity, peerBox);
      if (payload === null) this.#host.drop('decrypt');
      const message = payload === null ? null : { id: entry.id, author: entry.from, to: entry.to, hlc: entry.hlc, nick: payload.nick, text: payload.text, auto: payload.auto, outgoing, ...(payload.file === undefined ? {} : { file: payload.file }) };
      this.#opened.set(entry.id, message);
      if (message !== null) fresh.push(message);
    }
    if (fresh.length === 0) return;
    this.all = [...this.#opened.values()].filter((message) => message !== null).sort(compareMessages);
    if (!this.#started) return;
    for (const message of fresh) this.#maybeAnswer(message);
    const incoming = fresh.filter((message) => !message.outgoing && !this.#host.refused(message.author) && !this.#gate.isHidden(message.id));
    if (incoming.length > 0) this.#host.arrived?.(incoming[incoming.length - 1] as PrivateMessage);
  }

  #maybeAnswer(message: PrivateMessage): void {
    const text = this.#host.autoReply();
    const awaySince = this.#awaySince;
    if (text === null || awaySince === null || message.outgoing || message.auto || this.#answered.has(message.author)) return;
    if (this.#host.refused(message.author) || this.#gate.isHidden(message.id)) return;
    // Only what was written during this away period, not an old message that synced in late.
    if ((parseStamp(message.hlc)?.wallMs ?? 0) < awaySince - AWAY_SLACK_MS) return;
    this.#answered.add(message.author);
    void this.send(message.author, text, true).catch(() => this.#answered.delete(message.author));
  }
}

/** The flood gate reads only id, author and stamp. */
const asGateEntry = (entry: PrivateEntry): MessageEntry => ({ v: 1, id: entry.id, author: entry.from, nick: '-', hlc: entry.hlc, text: '-', sig: entry.sig });
