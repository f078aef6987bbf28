/**
 * Unread messages of an embedded room while its panel is closed. The frame stays visible to the
 * browser when the host hides it (document.visibilityState is the host tab's), so the count is the
 * room's own: messages from others added since the visitor last had the panel open.
 */
import type { MessageEntry } from '../core/types';

export class EmbedUnread {
  count = $state(0);
  #seen = 0;

  /** Call whenever the log or the panel's state changes. */
  update(others: number, open: boolean): void {
    if (open) this.#seen = others;
    // A deletion can take the total below what was seen: never a negative count.
    this.count = open ? 0 : Math.max(0, others - this.#seen);
  }
}

/** Messages in `entries` written by someone other than `ownKey`. */
export function countFromOthers(entries: readonly MessageEntry[], ownKey: string | null): number {
  let count = 0;
  for (const entry of entries) if (entry.author !== ownKey) count++;
  return count;
}
