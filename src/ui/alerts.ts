/**
 * What a room event does outside the page: a short sound (synthesised with Web Audio, so no
 * sound files to load and nothing fetched) and, while the tab is hidden, a desktop notification.
 *
 * Notifications never carry names or message text: the operating system may keep them in its
 * notification history on disk, and Parley promises that nothing readable lands there.
 */
import { alertSettings, type AlertEvent } from '../state/alert-settings.svelte';
import { t, type MessageKey } from '../i18n/i18n.svelte';

/** Each event's notes (Hz) and their length (s): distinct enough to tell apart without looking. */
const TONES: Readonly<Record<AlertEvent, readonly (readonly [number, number])[]>> = {
  join: [[523, 0.09], [784, 0.12]],
  message: [[660, 0.08]],
  mention: [[880, 0.08], [880, 0.08], [1175, 0.14]],
  private: [[587, 0.1], [740, 0.1], [988, 0.16]],
  callJoin: [[440, 0.08], [660, 0.14]],
  callLeave: [[660, 0.08], [440, 0.14]],
};

const NOTIFICATION_TEXT = {
  join: 'alerts.notice.join',
  message: 'alerts.notice.message',
  mention: 'alerts.notice.mention',
  private: 'alerts.notice.private',
  callJoin: 'alerts.notice.callJoin',
  callLeave: 'alerts.notice.callLeave',
} as const satisfies Record<AlertEvent, MessageKey>;

let audio: AudioContext | null = null;

/** Plays the event's tones, quietly; silent if the browser offers no Web Audio. */
export function playSound(event: AlertEvent): void {
  try {
    audio ??= new AudioContext();
    // Browsers start audio suspended until the page has had a tap or a key press.
    if (audio.state === 'suspended') void audio.resume();
    let at = audio.currentTime + 0.02;
    for (const [frequency, length] of TONES[event]) {
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      oscillator.type = 'sine';
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.12, at + 0.01);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + length);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(at);
      oscillator.stop(at + length + 0.02);
      at += length + 0.03;
    }
  } catch {
    audio = null;
  }
}

/** Asks for permission to notify (it must follow a click); true if granted. */
export async function askNotificationPermission(): Promise<boolean> {
  if (typeof Notification === 'undefined') return false;
  if (Notification.permission === 'granted') return true;
  return (await Notification.requestPermission()) === 'granted';
}

/** The sound and notification for one event, as this device's settings say. */
export function announce(event: AlertEvent, tag: string): void {
  if (alertSettings.sounds[event]) playSound(event);
  if (document.visibilityState !== 'hidden' || !alertSettings.notifies(event)) return;
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  try {
    // One notification per room at a time: a new one replaces the last instead of piling up.
    const notification = new Notification('Parley', { body: t(NOTIFICATION_TEXT[event]), tag, silent: alertSettings.sounds[event] });
    notification.onclick = () => {
      globalThis.focus();
      notification.close();
    };
  } catch {
    // Some platforms (Android Chrome) only notify from a service worker; the sound and the title count still tell.
  }
}
