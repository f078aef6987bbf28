/**
 * Member cards and room key epochs (core/member-card.ts, core/room-epoch.ts) as one member's device
 * follows them: publishes this person's card, checks every card and epoch entry (dropping and
 * counting the rest, and putting back verified entries someone removed or overwrote), and reports
 * the newest room secret sealed to this person, so the session can move its traffic there.
 */
import type * as Y from 'yjs';
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
  /** The newest secret sealed to this person changed. */
  readonly onSecret: (secret: Uint8Array, epoch: number) => void;
}

const RESTORE_ORIGIN = 'epochs-restore';

export class RoomEpochs {
  readonly #options: RoomEpochsOptions;
  readonly #members: Y.Map<unknown>;
  readonly #epochs: Y.Map<unknown>;
  readonly #cards = new Map<string, MemberCard>();
  readonly #keys = new Map<string, EpochKey>();
  #identity: Identity | null = null;
  #current = 0;
  #queue: Promise<void> = Promise.resolve();

  constructor(options: RoomEpochsOptions) {
    this.#options = options;
    this.#members = options.doc.getMap('members');
    this.#epochs = options.doc.getMap('epochs');
  }

  /** Publishes this person's card (once) and follows both maps. */
  async start(identity: Identity): Promise<void> {
    this.#identity = identity;
    this.#members.observe((event) => {
      if (event.transaction.origin !== RESTORE_ORIGIN) this.#check([...event.keysChanged], []);
    });
    this.#epochs.observe((event) => {
      if (event.transaction.origin !== RESTORE_ORIGIN) this.#check([], [...event.keysChanged]);
    });
    await this.#check([...this.#members.keys()], [...this.#epochs.keys()]);
    const card = await createMemberCard(identity);
    if (this.#members.get(card.key) !== encodeMemberCard(card)) this.#members.set(card.key, encodeMemberCard(card));
  }

  /** The newest epoch number this device knows of. */
  get latest(): number {
    return Math.max(0, ...[...this.#keys.values()].map((key) => key.epoch));
  }

  /**
   * Admin: a new room secret sealed to every member with a card except `excluded` (the banned);
   * returns it. The admin's own device receives it like everyone else, through its card.
   */
  async rekey(admin: Identity, excluded: ReadonlySet<string>, hlc: string): Promise<Uint8Array> {
    await this.#queue;
    const secret = createRoomSecret();
    const cards = [...this.#cards.values()].filter((card) => !excluded.has(card.key)).slice(0, MAX_EPOCH_MEMBERS);
    const key = await createEpochKey(admin, this.latest + 1, secret, cards, hlc);
    this.#epochs.set(String(key.epoch), encodeEpochKey(key));
    return secret;
  }

  #check(cardKeys: readonly string[], epochKeys: readonly string[]): Promise<void> {
    const cards = cardKeys.map((key) => [key, this.#members.get(key)] as const);
    const epochs = epochKeys.map((key) => [key, this.#epochs.get(key)] as const);
    this.#queue = this.#queue.then(async () => {
      const restoreCards: MemberCard[] = [];
      for (const [key, value] of cards) {
        const known = this.#cards.get(key);
        if (known !== undefined && value === encodeMemberCard(known)) continue;
        const parsed = value === undefined ? null : decodeMemberCard(key, value);
        if (parsed?.ok === true && (await verifyMemberCard(parsed.card))) {
          this.#cards.set(key, parsed.card);
          continue;
        }
        if (parsed !== null) this.#options.onDrop(parsed.ok ? 'signature' : parsed.reason);
        if (known !== undefined) restoreCards.push(known);
      }
      const restoreEpochs: EpochKey[] = [];
      for (const [key, value] of epochs) {
        const known = this.#keys.get(key);
        if (known !== undefined && value === encodeEpochKey(known)) continue;
        const parsed = value === undefined ? null : decodeEpochKey(key, value);
        const { adminKey } = this.#options;
        if (parsed?.ok === true && adminKey !== null && (await verifyEpochKey(parsed.epoch, adminKey))) {
          this.#keys.set(key, parsed.epoch);
          continue;
        }
        if (parsed !== null) this.#options.onDrop(parsed.ok ? 'not_admin' : parsed.reason);
        if (known !== undefined) restoreEpochs.push(known);
      }
      if (restoreCards.length + restoreEpochs.length > 0) {
        this.#options.doc.transact(() => {
          for (const card of restoreCards) this.#members.set(card.key, encodeMemberCard(card));
          for (const key of restoreEpochs) this.#epochs.set(String(key.epoch), encodeEpochKey(key));
        }, RESTORE_ORIGIN);
      }
      this.#follow();
    });
    return this.#queue;
  }

  /** Moves to the newest epoch whose box opens for this person. */
  #follow(): void {
    const identity = this.#identity;
    if (identity === null) return;
    const newest = [...this.#keys.values()].filter((key) => key.epoch > this.#current).sort((a, b) => b.epoch - a.epoch);
    for (const key of newest) {
      const secret = openEpochKey(key, identity);
      if (secret === null) continue;
      this.#current = key.epoch;
      this.#options.onSecret(secret, key.epoch);
      return;
    }
  }
}
