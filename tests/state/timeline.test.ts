import { describe, expect, it } from 'vitest';
import { formatStamp } from '../../src/core/hlc.js';
import { createMessageLog } from '../../src/core/message-log.js';
import type { MessageEntry } from '../../src/core/types.js';
import type { PrivateMessage } from '../../src/state/private-messages.svelte.js';
import { createTimeline, type TimelineRow } from '../../src/state/timeline.js';

const stamp = (second: number): string => formatStamp({ wallMs: 1_700_000_000_000 + second * 1000, counter: 0 });
const message = (second: number): MessageEntry => ({ v: 1, id: `m${second}`, author: 'A', nick: 'Ana', hlc: stamp(second), text: `public ${second}`, sig: '' });
const privateAt = (second: number): PrivateMessage => ({ id: `p${second}`, author: 'B', to: 'A', hlc: stamp(second), nick: 'Bo', text: `private ${second}`, auto: false, outgoing: false });
const label = (row: TimelineRow): string => (row.kind === 'message' ? row.entry.text : row.message.text);

describe('the timeline', () => {
  const log = createMessageLog();
  log.upsertMany([0, 2, 4, 6, 8].map(message));
  const privates = [1, 5, 9].map(privateAt);
  const timeline = createTimeline(log, privates);
  const all = (start: number, end: number): MessageEntry[] => log.slice(start, end);

  it('weaves private messages into the log by time', () => {
    expect(timeline.size).toBe(8);
    expect(timeline.window(0, 8, all).map(label)).toEqual(['public 0', 'private 1', 'public 2', 'public 4', 'private 5', 'public 6', 'public 8', 'private 9']);
  });

  it('gives every window exactly its rows, so a virtualised list sees each row once', () => {
    for (let first = 0; first <= 8; first++) {
      for (let last = first; last <= 8; last++) {
        expect(timeline.window(first, last, all).map(label)).toEqual(timeline.window(0, 8, all).map(label).slice(first, last));
      }
    }
  });

  it('is the log alone without private messages', () => {
    expect(createTimeline(log, []).window(1, 3, all).map(label)).toEqual(['public 2', 'public 4']);
  });
});
