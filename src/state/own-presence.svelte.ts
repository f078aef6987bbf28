/**
 * This person's own presence in a room: nickname, chosen status and status message, away while
 * the tab is hidden or idle, and typing. Every change is signed (core/presence-record.ts) with
 * the room identity under this tab's client id and the next clock, applied to the presence table
 * (which the provider relays), and renewed before others' timeouts would drop it.
 */
import type { CallPresence } from '../core/call-state.js';
import { isValidLabel, isValidNick } from '../core/message-entry.js';
import { MAX_STATUS_TEXT_CHARS, type PresenceFields } from '../core/presence.js';
import { signPresence } from '../core/presence-record.js';
import { presenceId, RENEW_MS, type PresenceTable } from '../core/presence-table.js';
import type { PresenceState } from '../core/types.js';
import { toBase64Url } from '../crypto/encoding.js';
import type { Identity } from '../crypto/identity.js';
import { nextFields } from './people.js';
import { deviceProfile } from './profile.svelte.js';

const TYPING_IDLE_MS = 3000;
/** How often entries that stopped renewing are looked for. */
const EXPIRE_EVERY_MS = 5000;
/** Transaction origin of this device's own presence changes (relayed to every peer). */
export const LOCAL_PRESENCE_ORIGIN = 'local';

export interface OwnPresenceHost {
  readonly table: PresenceTable;
  readonly clientId: number;
  /** The colour chosen on this device, or null for one made from the key. */
  color(): string | null;
}

export class OwnPresence {
  nick = $state('');
  /** The status this person chose, and their status message. */
  chosenStatus: PresenceState['status'] = $state('online');
  statusText = $state('');
  readonly #host: OwnPresenceHost;
  #identity: Identity | null = null;
  #fields: PresenceFields | null = null;
  #autoAway = false;
  #typingTimer: ReturnType<typeof setTimeout> | undefined;
  #timers: Array<ReturnType<typeof setInterval>> = [];
  /** Signing is asynchronous: one chain, so clocks go up in the order changes were made. */
  #signing: Promise<void> = Promise.resolve();
  #stopped = false;
  readonly #awayListeners = new Set<(away: boolean) => void>();

  constructor(host: OwnPresenceHost) {
    this.#host = host;
  }

  /** This tab's presence entry id, once the identity is known. */
  get id(): string | null {
    return this.#identity === null ? null : presenceId(this.#host.clientId, toBase64Url(this.#identity.publicKey));
  }

  /** Starts publishing as `identity` under `nick`, renewing before others time it out. */
  start(identity: Identity, nick: string): void {
    this.#identity = identity;
    this.nick = nick;
    this.#publish({ typing: false, status: 'online' });
    this.#timers.push(setInterval(() => this.#publish({}), RENEW_MS));
    this.#timers.push(setInterval(() => this.#host.table.expire(), EXPIRE_EVERY_MS));
  }

  /** Calls `listener` whenever the status shown becomes away or not (private messages' auto-reply). */
  onAway(listener: (away: boolean) => void): void {
    this.#awayListeners.add(listener);
  }

  /** Publishes everything again (after moving to new room keys, new peers need it). */
  republish(): void {
    this.#publish({});
  }

  /** Changes the nickname shown to others, and kept on this device for every room; false if it is empty, too long or has control characters. */
  rename(nick: string): boolean {
    const trimmed = nick.trim();
    if (!isValidNick(trimmed)) return false;
    this.nick = trimmed;
    deviceProfile.setNick(trimmed);
    this.#publish({});
    return true;
  }

  /** This device's colour in every room (null: one made from each room's identity). */
  setColor(color: string | null): void {
    deviceProfile.setColor(color);
    this.#publish({});
  }

  /** Sets the status this person chose; 'busy' stays busy, 'online' shows as away while away. */
  setStatus(status: PresenceState['status']): void {
    this.chosenStatus = status;
    this.#publishStatus();
  }

  /** Sets the status message (empty clears it); false, changing nothing, if it is not a valid one-line label. */
  setStatusText(text: string): boolean {
    const trimmed = text.trim();
    if (trimmed !== '' && !isValidLabel(trimmed, MAX_STATUS_TEXT_CHARS)) return false;
    this.statusText = trimmed;
    this.#publishStatus();
    return true;
  }

  /** Away without choosing it: the tab is hidden or nobody has touched the page for a while. */
  setAutoAway(away: boolean): void {
    if (this.#autoAway === away) return;
    this.#autoAway = away;
    this.#publishStatus();
  }

  /** Says what this person does in the call (null: not in it). Signed like the rest of presence. */
  setCall(call: CallPresence | null): void {
    const current = this.#fields?.call ?? null;
    if (current === call || (current !== null && call !== null && current.mic === call.mic && current.cam === call.cam && current.screen === call.screen)) return;
    this.#publish({ call });
  }

  /** Marks this person as typing; it clears by itself after a few idle seconds. */
  setTyping(typing: boolean): void {
    clearTimeout(this.#typingTimer);
    if (typing) this.#typingTimer = setTimeout(() => this.setTyping(false), TYPING_IDLE_MS);
    if (this.#fields?.typing !== typing) this.#publish({ typing });
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#typingTimer);
    for (const timer of this.#timers) clearInterval(timer);
  }

  #publishStatus(): void {
    const status = this.chosenStatus === 'online' && this.#autoAway ? 'away' : this.chosenStatus;
    this.#publish({ status, text: this.statusText });
    for (const listener of this.#awayListeners) listener(status === 'away');
  }

  #publish(change: Partial<Pick<PresenceFields, 'typing' | 'status' | 'text'>> & { readonly call?: CallPresence | null }): void {
    const identity = this.#identity;
    if (identity === null || this.#stopped) return;
    const key = toBase64Url(identity.publicKey);
    const fields = nextFields(this.nick, key, this.#fields, change, this.#host.color());
    this.#fields = fields;
    const { table, clientId } = this.#host;
    this.#signing = this.#signing
      .then(async () => {
        const record = await signPresence(identity, clientId, table.nextClock(presenceId(clientId, key)), fields);
        if (!this.#stopped) table.apply([record], LOCAL_PRESENCE_ORIGIN);
      })
      .catch(() => undefined);
  }
}
