/**
 * The conversation as the message list shows it: the room's messages (the ordered log) with this
 * person's private messages woven in by the same order (stamp, author, id). Private messages are
 * few (only those to or from this person), so each one's place is found by binary search over the
 * log, and the virtualised list keeps counting rows as before: a window of the merged sequence
 * maps back to one slice of the log plus the private messages inside it.
 */
import { compareMessages } from '../core/hlc.js';
import type { MessageLog } from '../core/message-log.js';
import type { MessageEntry } from '../core/types.js';
import type { PrivateMessage } from './private-messages.svelte.js';

export type TimelineRow = { readonly kind: 'message'; readonly entry: MessageEntry } | { readonly kind: 'private'; readonly message: PrivateMessage };

export interface Timeline {
  /** Rows in the merged sequence. */
  readonly size: number;
  /** Rows in merged positions [first, last); `visible` gives the checked log messages of a log range. */
  window(first: number, last: number, visible: (start: number, end: number) => MessageEntry[]): TimelineRow[];
}

/** Number of log entries ordered before `message`. */
function logPosition(log: MessageLog, message: PrivateMessage): number {
  let low = 0;
  let high = log.size;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const entry = log.slice(middle, middle + 1)[0];
    if (entry !== undefined && compareMessages(entry, message) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** The merged view of `log` and `privates` (already in timeline order). */
export function createTimeline(log: MessageLog, privates: readonly PrivateMessage[]): Timeline {
  // Merged position of each private message: the log entries before it plus the private ones before it.
  const positions = privates.map((message, i) => logPosition(log, message) + i);
  const privatesBefore = (merged: number): number => {
    let count = 0;
    while (count < positions.length && (positions[count] as number) < merged) count++;
    return count;
  };
  return {
    size: log.size + privates.length,
    window(first, last, visible) {
      const before = privatesBefore(first);
      const through = privatesBefore(last);
      const rows: TimelineRow[] = visible(first - before, last - through).map((entry) => ({ kind: 'message', entry }));
      for (const message of privates.slice(before, through)) {
        let at = rows.length;
        while (at > 0 && compareMessages(rowKey(rows[at - 1] as TimelineRow), message) > 0) at--;
        rows.splice(at, 0, { kind: 'private', message });
      }
      return rows;
    },
  };
}

const rowKey = (row: TimelineRow): Pick<MessageEntry, 'hlc' | 'author' | 'id'> => (row.kind === 'message' ? row.entry : row.message);
