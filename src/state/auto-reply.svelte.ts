/**
 * The away auto-reply, a setting of this device: whether it is on and what it says. It is the
 * person's own words, so it lives in the sealed device profile (core/profile.ts) rather than in
 * plain localStorage.
 */
import { MAX_AUTO_REPLY_CHARS } from '../core/profile.js';
import { deviceProfile } from './profile.svelte.js';

export { MAX_AUTO_REPLY_CHARS };

class AutoReplySetting {
  get enabled(): boolean {
    return deviceProfile.current.autoReply.enabled;
  }

  get text(): string {
    return deviceProfile.current.autoReply.text;
  }

  /** What to answer with, or null while off. */
  get reply(): string | null {
    return this.enabled ? this.text : null;
  }

  /** Changes the setting; false, changing nothing, for an empty or over-long text. */
  set(change: Partial<{ enabled: boolean; text: string }>): boolean {
    return deviceProfile.setAutoReply(change);
  }
}

export const autoReply = new AutoReplySetting();
