/**
 * Sounds and desktop notifications: which events make a sound (each its own toggle) and when a
 * hidden tab shows a desktop notification. Kept in localStorage like the display settings: they
 * say nothing about any room or person. A stored value is parsed; anything unknown is the default.
 */
import { readStoredFields } from './settings.svelte.js';
export type AlertEvent = 'join' | 'message' | 'mention' | 'private' | 'callJoin' | 'callLeave';
/** Desktop notifications while the tab is hidden: never, for mentions and private messages, or for every message. */
export type NotifyMode = 'off' | 'mentions' | 'all';

export const ALERT_EVENTS: readonly AlertEvent[] = ['join', 'message', 'mention', 'private', 'callJoin', 'callLeave'];
const NOTIFY_MODES: readonly NotifyMode[] = ['off', 'mentions', 'all'];
const KEY = 'parley.alerts';
/** Mentions, private messages and people coming and going in your call are for you, so they sound by default; the rest is opt-in. */
const DEFAULT_SOUNDS: Readonly<Record<AlertEvent, boolean>> = { join: false, message: false, mention: true, private: true, callJoin: true, callLeave: true };

function readStored(): { sounds: Record<AlertEvent, boolean>; notify: NotifyMode } {
  const fields = readStoredFields(KEY);
  const storedSounds = typeof fields['sounds'] === 'object' && fields['sounds'] !== null ? (fields['sounds'] as Record<string, unknown>) : {};
  const sounds = { ...DEFAULT_SOUNDS };
  for (const event of ALERT_EVENTS) if (typeof storedSounds[event] === 'boolean') sounds[event] = storedSounds[event];
  const notify = NOTIFY_MODES.find((mode) => mode === fields['notify']) ?? 'off';
  return { sounds, notify };
}

class AlertSettings {
  sounds: Record<AlertEvent, boolean> = $state({ ...DEFAULT_SOUNDS });
  notify: NotifyMode = $state('off');

  constructor() {
    const stored = readStored();
    this.sounds = stored.sounds;
    this.notify = stored.notify;
  }

  setSound(event: AlertEvent, on: boolean): void {
    this.sounds = { ...this.sounds, [event]: on };
    this.#save();
  }

  setNotify(mode: NotifyMode): void {
    this.notify = mode;
    this.#save();
  }

  /** Whether this event, arriving while the tab is hidden, gets a desktop notification. */
  notifies(event: AlertEvent): boolean {
    if (this.notify === 'all') return event !== 'join';
    return this.notify === 'mentions' && (event === 'mention' || event === 'private');
  }

  #save(): void {
    try {
      globalThis.localStorage?.setItem(KEY, JSON.stringify({ sounds: this.sounds, notify: this.notify }));
    } catch {
      // Storage refused (private mode): the choice holds for this page.
    }
  }
}

export const alertSettings = new AlertSettings();
