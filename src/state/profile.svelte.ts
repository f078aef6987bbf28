/**
 * This device's profile as the UI sees it: loaded once per page, saved on every change. Rooms
 * read the nickname and colour from here; the composer reads the canned replies.
 */
import { EMPTY_PROFILE, isValidAutoReplyText, type AutoReply, type Profile } from '../core/profile.js';
import { isValidShortcut, withShortcut, type Shortcut } from '../core/shortcuts.js';
import { isValidNick } from '../core/message-entry.js';
import { loadProfile, saveProfile } from '../persistence/profile-store.js';

class DeviceProfile {
  current: Profile = $state.raw(EMPTY_PROFILE);
  /** Stored parts that could not be read (each room session counts them for Diagnostics as blob drops). */
  dropped = $state(0);
  #loading: Promise<Profile> | null = null;
  #saving: Promise<void> = Promise.resolve();
  /** A change made before the stored profile was read wins over it. */
  #changed = false;

  /** The stored profile, read once; a storage failure leaves the empty one (the page still works). */
  load(): Promise<Profile> {
    this.#loading ??= loadProfile().then(
      ({ profile, dropped }) => {
        if (this.#changed) return this.current;
        this.current = profile;
        this.dropped = dropped;
        return profile;
      },
      () => this.current,
    );
    return this.#loading;
  }

  setNick(nick: string): boolean {
    const trimmed = nick.trim();
    if (!isValidNick(trimmed)) return false;
    this.#update({ ...this.current, nick: trimmed });
    return true;
  }

  setColor(color: string | null): void {
    this.#update({ ...this.current, color });
  }

  /** Adds or replaces a canned reply; false (nothing saved) if the name or text would not pass. */
  addShortcut(shortcut: Shortcut): boolean {
    const clean = { name: shortcut.name.trim().replace(/^\//, ''), text: shortcut.text.replace(/\r\n?/g, '\n') };
    if (!isValidShortcut(clean)) return false;
    this.#update({ ...this.current, shortcuts: withShortcut(this.current.shortcuts, clean) });
    return true;
  }

  /** Changes the away auto-reply; false (nothing saved) for an empty or over-long text. */
  setAutoReply(change: Partial<AutoReply>): boolean {
    const text = change.text?.replace(/\r\n?/g, '\n').trim() ?? this.current.autoReply.text;
    if (!isValidAutoReplyText(text)) return false;
    this.#update({ ...this.current, autoReply: { enabled: change.enabled ?? this.current.autoReply.enabled, text } });
    return true;
  }

  removeShortcut(name: string): void {
    this.#update({ ...this.current, shortcuts: this.current.shortcuts.filter((item) => item.name !== name) });
  }

  #update(next: Profile): void {
    this.current = next;
    this.#changed = true;
    // In order, after the stored one was read, so a slow first load cannot overwrite a change.
    this.#saving = this.#saving.then(() => this.load()).then(() => saveProfile(this.current)).catch(() => undefined);
  }
}

export const deviceProfile = new DeviceProfile();
