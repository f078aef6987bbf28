/**
 * Which names in this room two keys share, for the views: the message list shows the start of the
 * author's safety code beside a shared name, the people list says so. Fed with every message entry
 * indexed and every change of the people list (core/name-clash.ts judges and bounds).
 *
 * Entries are noted before their signature is checked (histories are checked as they scroll into
 * view). A forged entry can therefore add a tag to a real name, never take one away: the worst it
 * does is show digits that were not needed.
 */
import { NameRegistry } from '../core/name-clash.js';
import { fromBase64Url } from '../crypto/encoding.js';
import { safetyCode } from '../crypto/identity.js';

/** Digits of the safety code shown in a tag: its first two groups (8 of 12 digits). */
const TAG_DIGITS = 9; // "1234 5678", the space included
const MAX_CACHED_TAGS = 2000;

export class NameTags {
  /** Bumped when the set of shared names changes (not on every message). */
  version = $state(0);
  readonly #registry = new NameRegistry();
  readonly #tags = new Map<string, string>();

  note(named: Iterable<{ readonly key: string; readonly nick: string }>): void {
    let changed = false;
    for (const { key, nick } of named) changed = this.#registry.note(key, nick) || changed;
    if (changed) this.version++;
  }

  /** Null if `nick` is nobody else's name here, else the start of `key`'s safety code. */
  tagOf(key: string, nick: string): string | null {
    void this.version;
    if (!this.#registry.isShared(key, nick)) return null;
    let tag = this.#tags.get(key);
    if (tag === undefined) {
      const bytes = fromBase64Url(key);
      tag = bytes === null ? key.slice(0, 8) : safetyCode(bytes).slice(0, TAG_DIGITS);
      if (this.#tags.size >= MAX_CACHED_TAGS) this.#tags.clear();
      this.#tags.set(key, tag);
    }
    return tag;
  }
}
