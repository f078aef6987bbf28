import { describe, expect, it } from 'vitest';
import { formatStamp } from '../../src/core/hlc.js';
import { createAnnouncer, shorten, writtenSince, type Announcement } from '../../src/core/live-announcements.js';

const options = { limit: 3, windowMs: 10_000, maxChars: 20 };
const said = (author: string, text: string): Announcement => ({ kind: 'message', author, text });

describe('live announcements of new messages', () => {
  it('says one message once, by author and text, and holds nothing', () => {
    const announcer = createAnnouncer(options);
    expect(announcer.arrive({ author: 'Ana', text: 'hello' }, 1_000)).toEqual([said('Ana', 'hello')]);
    expect(announcer.dueAt()).toBeNull();
    expect(announcer.flush(60_000)).toEqual([]);
  });

  it('says the first messages of a burst, then one count when the window ends, once', () => {
    const announcer = createAnnouncer(options);
    const out: Announcement[] = [];
    for (let i = 0; i < 8; i++) out.push(...announcer.arrive({ author: 'Bo', text: `line ${i}` }, 1_000 + i * 100));
    expect(out).toEqual([said('Bo', 'line 0'), said('Bo', 'line 1'), said('Bo', 'line 2')]);
    expect(announcer.dueAt()).toBe(11_000);
    expect(announcer.flush(10_999)).toEqual([]);
    expect(announcer.flush(11_000)).toEqual([{ kind: 'summary', count: 5 }]);
    expect(announcer.flush(11_500)).toEqual([]);
    expect(announcer.dueAt()).toBeNull();
  });

  it('says a due count before the next message when the flush came late', () => {
    const announcer = createAnnouncer(options);
    for (let i = 0; i < 5; i++) announcer.arrive({ author: 'Bo', text: `${i}` }, 0);
    expect(announcer.arrive({ author: 'Cy', text: 'later' }, 30_000)).toEqual([{ kind: 'summary', count: 2 }, said('Cy', 'later')]);
  });

  it('keeps a long burst bounded: at most the limit plus one count per window', () => {
    const announcer = createAnnouncer(options);
    const out: Announcement[] = [];
    for (let now = 0; now < 60_000; now += 50) {
      out.push(...announcer.arrive({ author: 'Flood', text: 'x' }, now));
      const due = announcer.dueAt();
      if (due !== null && now >= due) out.push(...announcer.flush(now));
    }
    // 1,200 messages in a minute: a handful of announcements, and every message accounted for.
    expect(out.length).toBeLessThanOrEqual(6 * (options.limit + 1));
    out.push(...announcer.flush(120_000));
    expect(out.reduce((sum, a) => sum + (a.kind === 'summary' ? a.count : 1), 0)).toBe(1_200);
  });

  it('starts a fresh window after a quiet while', () => {
    const announcer = createAnnouncer(options);
    for (let i = 0; i < 3; i++) announcer.arrive({ author: 'Bo', text: `${i}` }, 0);
    expect(announcer.arrive({ author: 'Bo', text: 'next day' }, 10_000)).toEqual([said('Bo', 'next day')]);
  });

  it('cuts long texts and names, and collapses whitespace, without splitting an emoji', () => {
    expect(shorten('a\n\n  b\tc', 20)).toBe('a b c');
    expect(shorten('😀'.repeat(25), 20)).toBe(`${'😀'.repeat(20)}…`);
    const announcer = createAnnouncer(options);
    expect(announcer.arrive({ author: 'N'.repeat(100), text: 'y'.repeat(100) }, 0)).toEqual([said(`${'N'.repeat(60)}…`, `${'y'.repeat(20)}…`)]);
  });

  it('counts as new only what was written since the room opened, and nothing with a bad stamp', () => {
    expect(writtenSince(formatStamp({ wallMs: 5_000, counter: 0 }), 5_000)).toBe(true);
    expect(writtenSince(formatStamp({ wallMs: 4_999, counter: 7 }), 5_000)).toBe(false);
    expect(writtenSince('not a stamp', 0)).toBe(false);
  });
});
