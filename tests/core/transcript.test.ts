import { describe, expect, it } from 'vitest';
import { formatStamp } from '../../src/core/hlc.js';
import { assembleTranscript, transcriptHtml, transcriptJson, transcriptText, type TranscriptWords } from '../../src/core/transcript.js';
import type { MessageEntry } from '../../src/core/types.js';

const at = (ms: number): string => formatStamp({ wallMs: ms, counter: 0 });
const entry = (nick: string, text: string, ms: number): MessageEntry => ({ v: 1, id: `id${ms}`.padEnd(22, 'x'), author: 'A'.repeat(43), nick, hlc: at(ms), text, sig: 'S'.repeat(86) });
const entries = [
  entry('Ana', 'Hello\nsecond line', Date.UTC(2026, 10, 24, 13, 5, 12)),
  entry('Kenji', 'こんにちは 🎉', Date.UTC(2026, 10, 24, 13, 6, 0)),
  entry('<b>Mallory</b>', '<script>alert(1)</script> & <img src=x onerror=alert(1)>', Date.UTC(2026, 10, 24, 13, 7, 0)),
  entry('رضا', 'سلام به همه', Date.UTC(2026, 10, 24, 13, 8, 0)),
];
const meta = { title: 'Book club', exportedAt: Date.UTC(2026, 10, 24, 14, 0, 0) };

describe('transcripts', () => {
  it('plain text has one line per message with its time, continuation lines indented', () => {
    const text = transcriptText(entries, meta);
    expect(text).toContain('[2026-11-24 13:05:12Z] Ana: Hello\n    second line');
    expect(text).toContain('Kenji: こんにちは 🎉');
    expect(text).toContain('رضا: سلام به همه');
  });

  it('JSON holds every message with its signature, parseable back', () => {
    const parsed = JSON.parse(transcriptJson(entries, meta)) as { messages: Array<{ text: string; signature: string; time: string }> };
    expect(parsed.messages.map((m) => m.text)).toEqual(entries.map((e) => e.text));
    expect(parsed.messages[0]?.time).toBe('2026-11-24T13:05:12.000Z');
    expect(parsed.messages[0]?.signature).toBe('S'.repeat(86));
  });

  it('HTML is self-contained and escapes everything a message holds', () => {
    const html = transcriptHtml(entries, meta);
    expect(html).toContain("default-src 'none'");
    expect(html).not.toMatch(/<(script|img|iframe|link)|https?:/i); // no element from a message, nothing remote
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&lt;b&gt;Mallory&lt;/b&gt;');
    expect(html).toContain('<p dir="auto">سلام به همه</p>');
  });

  it('shows edited text with a marker and replies with their quote, escaped in HTML', () => {
    const reply: MessageEntry = { ...entry('Kenji', 'Yes!', Date.UTC(2026, 10, 24, 13, 9, 0)), v: 2, re: entries[0]?.id ?? '' };
    const annotate = (message: MessageEntry) =>
      message.re !== undefined ? { text: message.text, edited: false, quote: 'Ana: <b>Hello</b>' } : { text: `${message.text} (fixed)`, edited: message.nick === 'Ana' };
    const withNotes = { ...meta, annotate };
    const text = transcriptText([entries[0] as MessageEntry, reply], withNotes);
    expect(text).toContain('Ana: Hello\n    second line (fixed) (edited)');
    expect(text).toContain('    > Ana: <b>Hello</b>\n[2026-11-24 13:09:00Z] Kenji: Yes!');
    const json = JSON.parse(transcriptJson([entries[0] as MessageEntry, reply], withNotes)) as { messages: Array<Record<string, unknown>> };
    expect(json.messages[0]).toMatchObject({ text: 'Hello\nsecond line (fixed)', edited: true, originalText: 'Hello\nsecond line' });
    expect(json.messages[1]).toMatchObject({ replyTo: entries[0]?.id });
    const html = transcriptHtml([entries[0] as MessageEntry, reply], withNotes);
    expect(html).toContain('<blockquote dir="auto">Ana: &lt;b&gt;Hello&lt;/b&gt;</blockquote>');
    expect(html).toContain('<small>(edited)</small>');
  });

  it("speaks the exporting UI's language when given its words, and escapes them in HTML", () => {
    const persian: TranscriptWords = {
      lang: 'fa',
      title: (id) => `اتاق Parley ${id}`,
      exported: (time) => `برون‌بری در ${time}`,
      summary: (time, count) => `برون‌بری در ${time} · ${count} پیام <i>`,
      edited: '(ویرایش‌شده)',
      privateTo: (nick, to) => `${nick} (پیام خصوصی به ${to})`,
      privateToYou: (nick) => `${nick} (پیام خصوصی به شما)`,
    };
    const annotate = (message: MessageEntry) => ({ text: message.text, edited: message.nick === 'Ana' });
    const privates = [
      { id: 'p1'.padEnd(22, 'x'), author: 'B'.repeat(43), to: 'A'.repeat(43), hlc: at(Date.UTC(2026, 10, 24, 13, 10, 0)), nick: 'Kenji', text: 'psst', outgoing: false },
      { id: 'p2'.padEnd(22, 'x'), author: 'A'.repeat(43), to: 'B'.repeat(43), hlc: at(Date.UTC(2026, 10, 24, 13, 11, 0)), nick: 'Ana', text: 'hi', outgoing: true },
    ];
    const options = { roomId: 'abcdef123', exportedAt: meta.exportedAt, nameOf: () => 'Kenji', annotate, words: persian };
    const text = assembleTranscript('text', [entries[0] as MessageEntry], privates, options).text;
    expect(text).toMatch(/^اتاق Parley abcdef — برون‌بری در 2026-11-24T14:00:00.000Z\n/);
    expect(text).toContain('second line (ویرایش‌شده)');
    expect(text).toContain('Kenji (پیام خصوصی به شما): psst');
    expect(text).toContain('Ana (پیام خصوصی به Kenji): hi');
    expect(text).not.toMatch(/edited|private|exported/);
    const html = assembleTranscript('html', [entries[0] as MessageEntry], privates, options).text;
    expect(html).toContain('<html lang="fa">');
    expect(html).toContain('<p>برون‌بری در 2026-11-24T14:00:00.000Z · 3 پیام &lt;i&gt;</p>');
    expect(html).toContain('<small>(ویرایش‌شده)</small>');
    // Without words, English as before.
    expect(assembleTranscript('text', [entries[0] as MessageEntry], privates, { roomId: options.roomId, exportedAt: options.exportedAt, nameOf: options.nameOf, annotate }).text).toContain('Kenji (private to you): psst');
  });
});
