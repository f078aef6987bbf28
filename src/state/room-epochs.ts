/**
 * Member cards and room key epochs (core/member-card.ts, core/room-epoch.ts) as one member's device
 * follows them: publishes this person's card, checks every card and epoch entry (dropping and
 * counting the rest, and putting back verified entries someone removed or overwrote), and reports
 * the newest room secret sealed to this person, so the session can move its traffic there. The
 * checking and putting back is verified-map.ts, shared with the moderation log.
 */
import type * as Y from 'yjs';
import { VerifiedMap } from './verified-map.js';
import { createMemberCard, decodeMemberCard, encodeMemberCard, verifyMemberCard, type MemberCard } from '../core/member-card.js';
import { createEpochKey, decodeEpochKey, encodeEpochKey, MAX_EPOCH_MEMBERS, openEpochKey, verifyEpochKey, type EpochKey } from '../core/room-epoch.js';
import type { DropReason } from '../core/types.js';
import type { Identity } from '../crypto/identity.js';
import { createRoomSecret } from '../crypto/keys.js';

export interface RoomEpochsOptions {
  readonly doc: Y.Doc;
  /** The room admin's key (base64url); null for a room without one (then no epoch counts). */
  readonly adminKey: string | null;
  readonly onDrop: (reason: DropReason) => void;
}

export class RoomEpochs {
  readonly #options: RoomEpochsOptions;
  readonly #members: VerifiedMap<MemberCard>;
  readonly #epochs: VerifiedMap<EpochKey>;
  #identity: Identity | null = null;
  #current = 0;
  readonly #cardListeners = new Set<() => void>();
  readonly #secretListeners = new Set<(secret: Uint8Array, epoch: number) => void>();

  constructor(options: RoomEpochsOptions) {
    this.#options = options;
    const { adminKey } = options;
    this.#members = new VerifiedMap({
      map: options.doc.getMap('members'),
      decode: (key, value) => {
        const parsed = decodeMemberCard(key, value);
        return parsed.ok ? { ok: true, value: parsed.card } : parsed;
      },
      encode: encodeMemberCard,
      verify: verifyMemberCard,
      failReason: 'signature',
      onDrop: options.onDrop,
      onChange: () => {
        for (const listener of this.#cardListeners) listener();
      },
    });
    this.#epochs = new VerifiedMap({
      map: options.doc.getMap('epochs'),
      decode: (key, value) => {
        const parsed = decodeEpochKey(key, value);
        return parsed.ok ? { ok: true, value: parsed.epoch } : parsed;
      },
      encode: encodeEpochKey,
      verify: async (key) => adminKey !== null && (await verifyEpochKey(key, adminKey)),
      failReason: 'not_admin',
      onDrop: options.onDrop,
      onChange: () => this.#follow(),
    });
  }

  /** Publishes this person's card (once) and follows both maps. */
  async start(identity: Identity): Promise<void> {
    this.#identity = identity;
    await Promise.all([this.#members.start(), this.#epochs.start()]);
    const card = await createMemberCard(identity);
    if (this.#members.values.get(card.key)?.box !== card.box) this.#members.set(card.key, card);
  }

  /** Calls `listener` when a newer room secret is sealed to this person (after a ban). */
  onSecret(listener: (secret: Uint8Array, epoch: number) => void): void {
    this.#secretListeners.add(listener);
  }

  /** Calls `listener` whenever the verified member cards change (private messages wait for the cards they need). */
  onCards(listener: () => void): void {
    this.#cardListeners.add(listener);
  }

  /** The box key on `key`'s verified member card, if this device has one. */
  boxOf(key: string): string | undefined {
    return this.#members.values.get(key)?.box;
  }

  /** The newest epoch number this device knows of. */
  get latest(): number {
    return Math.max(0, ...[...this.#epochs.values.values()].map((key) => key.epoch));
  }

  /**
   * Admin: a new room secret sealed to every member with a card except `excluded` (the banned);
   * returns it. The admin's own device receives it like everyone else, through its card.
   */
  async rekey(admin: Identity, excluded: ReadonlySet<string>, hlc: string): Promise<Uint8Array> {
    await Promise.all([this.#members.settled(), this.#epochs.settled()]);
    const secret = createRoomSecret();
    const cards = [...this.#members.values.values()].filter((card) => !excluded.has(card.key)).slice(0, MAX_EPOCH_MEMBERS);
    const key = await createEpochKey(admin, this.latest + 1, secret, cards, hlc);
    this.#epochs.set(String(key.epoch), key);
    return secret;
  }

  /** Moves to the newest epoch whose box opens for this person. */
  #follow(): void {
    const identity = this.#identity;
    if (identity === null) return;
    const newest = [...this.#epochs.values.values()].filter((key) => key.epoch > this.#current).sort((a, b) => b.epoch - a.epoch);
    for (const key of newest) {
      const secret = openEpochKey(key, identity);
      if (secret === null) continue;
      this.#current = key.epoch;
      for (const listener of this.#secretListeners) listener(secret, key.epoch);
      return;
    }
  }
}
