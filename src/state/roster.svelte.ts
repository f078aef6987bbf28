/**
 * The people in a room as this device sees them: only verified presence entries (signed with the
 * key they name), minus those the room refuses (banned, locked out). Names for people who are no
 * longer present come from what was seen during this visit, then from their messages.
 */
import type { PresenceTable } from '../core/presence-table.js';
import { fromBase64Url } from '../crypto/encoding.js';
import { safetyCode } from '../crypto/identity.js';
import { listPeople, type Person } from './people.js';

/** Nicknames remembered for people seen during this visit (bounded; the oldest go first). */
const MAX_SEEN_NICKS = 2000;

export interface RosterHost {
  readonly table: PresenceTable;
  /** This tab's own presence entry id, once known. */
  ownId(): string | null;
  /** Keys the room refuses to show as present (banned, locked out). */
  refused(key: string): boolean;
}

export class Roster {
  people: Person[] = $state.raw([]);
  readonly #host: RosterHost;
  readonly #seenNicks = new Map<string, string>();
  readonly #listeners = new Set<(people: readonly Person[]) => void>();

  constructor(host: RosterHost) {
    this.#host = host;
    host.table.onChange(() => this.refresh());
  }

  refresh(): void {
    this.people = listPeople(this.#host.table.entries().values(), this.#host.ownId(), (key) => this.#host.refused(key));
    for (const person of this.people) {
      this.#seenNicks.delete(person.key);
      this.#seenNicks.set(person.key, person.nick);
    }
    while (this.#seenNicks.size > MAX_SEEN_NICKS) this.#seenNicks.delete(this.#seenNicks.keys().next().value as string);
    for (const listener of this.#listeners) listener(this.people);
  }

  /** Calls `listener` with the list whenever it changes (sounds for joins, moderation cutting off refused people). */
  onChange(listener: (people: readonly Person[]) => void): void {
    this.#listeners.add(listener);
  }

  /** Keys of the people present now (not this person). */
  presentKeys(): string[] {
    return this.people.filter((person) => !person.isSelf).map((person) => person.key);
  }

  /** A name for `key`: their nickname now or when last seen, else `fallback`'s, else their safety code. */
  nameOf(key: string, fallback: (key: string) => string | undefined): string {
    const present = this.people.find((person) => person.key === key);
    if (present !== undefined) return present.nick;
    const bytes = fromBase64Url(key);
    return this.#seenNicks.get(key) ?? fallback(key) ?? (bytes === null ? key.slice(0, 8) : safetyCode(bytes));
  }
}
