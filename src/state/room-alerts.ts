/**
 * Turns what happens in a room into alert events (core of sounds and notifications): a live
 * message from someone else, one that mentions this person, and someone joining. Histories that
 * arrive by sync are not live (message-index reports only live messages), and the people already
 * here when this person arrives do not each count as a join.
 */
import { mentions } from '../core/mentions.js';
import type { MessageEntry } from '../core/types.js';
import type { AlertEvent } from './alert-settings.svelte.js';
import type { Person } from './people.js';

/** People seen within this time of the first People list are the ones already here, not joins. */
const SETTLE_MS = 3000;

export class RoomAlerts {
  /** Set by the UI: plays sounds and shows notifications. */
  listener: ((event: AlertEvent) => void) | null = null;
  /** Set by the UI: the live messages themselves, for the screen reader's announcements. */
  liveListener: ((entries: readonly MessageEntry[]) => void) | null = null;
  readonly #ownNick: () => string;
  readonly #seen = new Set<string>();
  #settledAt = 0;

  constructor(ownNick: () => string) {
    this.#ownNick = ownNick;
  }

  /** Live messages from others, signatures checked: one alert for the batch, a mention if any mentions this person. */
  arrived(entries: readonly MessageEntry[]): void {
    if (entries.length === 0) return;
    try {
      this.liveListener?.(entries);
    } catch {
      // Like the sounds: an announcement failing must not stop messages from showing.
    }
    const nick = this.#ownNick();
    this.#emit(entries.some((entry) => mentions(entry.text, nick)) ? 'mention' : 'message');
  }

  /** The People list changed: someone not seen before in this visit joined. */
  people(list: readonly Person[], now: number = Date.now()): void {
    if (this.#settledAt === 0) this.#settledAt = now + SETTLE_MS;
    let joined = false;
    for (const person of list) {
      if (person.isSelf || this.#seen.has(person.key)) continue;
      this.#seen.add(person.key);
      if (now >= this.#settledAt) joined = true;
    }
    if (joined) this.#emit('join');
  }

  /** For events other modules find (a private message). */
  emit(event: AlertEvent): void {
    this.#emit(event);
  }

  #emit(event: AlertEvent): void {
    try {
      this.listener?.(event);
    } catch {
      // A failing sound or notification must not stop messages from showing.
    }
  }
}
