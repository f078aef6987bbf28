/**
 * A room's tail: its newest messages, stored again on their own so a reload can show them before
 * the whole history (30 MiB for 100k messages) is read and applied. The tail is only a preview:
 * entries pass the same validation as the document's, their signatures are checked like any
 * other before they are shown, and once the history is loaded the document is the truth.
 *
 * Encoding: UTF-8 JSON of `[id, encoded entry][]` (encoded as in the `messages` map).
 */
import { fromUtf8, utf8 } from '../crypto/encoding.js';
import { decodeMessageEntry, encodeMessageEntry, MAX_ENTRY_CHARS } from './message-entry.js';
import type { DropReason, MessageEntry } from './types.js';

/** Enough for a tall screen plus scrolling back a little while the rest loads. */
export const TAIL_ENTRIES = 100;
const MAX_TAIL_CHARS = TAIL_ENTRIES * (MAX_ENTRY_CHARS + 64);

export function encodeTail(newestLast: readonly MessageEntry[]): Uint8Array {
  const kept = newestLast.slice(-TAIL_ENTRIES);
  return utf8(JSON.stringify(kept.map((entry) => [entry.id, encodeMessageEntry(entry)])));
}

export interface DecodedTail {
  readonly entries: MessageEntry[];
  /** One reason per element that was not a valid entry (the whole tail counts once if unreadable). */
  readonly dropped: DropReason[];
}

/** Parses an untrusted tail; never throws. */
export function decodeTail(bytes: Uint8Array): DecodedTail {
  const text = bytes.length > MAX_TAIL_CHARS * 3 ? null : fromUtf8(bytes);
  if (text === null || text.length > MAX_TAIL_CHARS) return { entries: [], dropped: [text === null ? 'decode' : 'size'] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { entries: [], dropped: ['decode'] };
  }
  if (!Array.isArray(parsed) || parsed.length > TAIL_ENTRIES) return { entries: [], dropped: ['shape'] };
  const entries: MessageEntry[] = [];
  const dropped: DropReason[] = [];
  for (const item of parsed as unknown[]) {
    if (!Array.isArray(item) || item.length !== 2 || typeof item[0] !== 'string') {
      dropped.push('shape');
      continue;
    }
    const result = decodeMessageEntry(item[0], item[1]);
    if (result.ok) entries.push(result.entry);
    else dropped.push(result.reason);
  }
  return { entries, dropped };
}
