/**
 * Transcripts of a room's conversation, made on this device from the messages it shows: plain
 * text, JSON, and one self-contained HTML file (inline styles, no scripts, nothing remote; every
 * message escaped, and a policy that forbids loading anything should a viewer try).
 */
import { compareMessages, parseStamp } from './hlc.js';
import type { MessageEntry } from './types.js';

export type TranscriptFormat = 'text' | 'json' | 'html';

export interface TranscriptFile {
  readonly name: string;
  readonly type: string;
  readonly text: string;
}

/** What a message shows beyond its entry: its author's latest edit, and the quote of the message it replies to. */
export interface TranscriptNote {
  readonly text: string;
  readonly edited: boolean;
  /** "Ana: first line" of the reply's target, or why it is not there. */
  readonly quote?: string;
}

export type Annotate = (entry: MessageEntry) => TranscriptNote;

const plain: Annotate = (entry) => ({ text: entry.text, edited: false });

/**
 * The transcript's own words, in the language of the UI that exports it (core stays free of i18n:
 * the caller passes them). English when not given.
 */
export interface TranscriptWords {
  /** The HTML file's `lang`. */
  readonly lang: string;
  readonly title: (shortId: string) => string;
  /** After the title in the text file: when it was exported. */
  readonly exported: (isoTime: string) => string;
  /** Under the title in the HTML file: when, and how many messages. */
  readonly summary: (isoTime: string, count: number) => string;
  readonly edited: string;
  /** The name column of a private message this person sent to `to`, or received. */
  readonly privateTo: (nick: string, to: string) => string;
  readonly privateToYou: (nick: string) => string;
}

export const ENGLISH_TRANSCRIPT: TranscriptWords = {
  lang: 'en',
  title: (shortId) => `Parley room ${shortId}`,
  exported: (isoTime) => `exported ${isoTime}`,
  summary: (isoTime, count) => `Exported ${isoTime} · ${count} ${count === 1 ? 'message' : 'messages'}`,
  edited: '(edited)',
  privateTo: (nick, to) => `${nick} (private to ${to})`,
  privateToYou: (nick) => `${nick} (private to you)`,
};

/** The downloadable file for `format`, named after the room's local id and the day. */
export function transcriptFile(format: TranscriptFormat, entries: readonly MessageEntry[], roomId: string, exportedAt: number, annotate: Annotate = plain, words: TranscriptWords = ENGLISH_TRANSCRIPT): TranscriptFile {
  const meta = { title: words.title(roomId.slice(0, 6)), exportedAt, annotate, words };
  const stem = `parley-${roomId.slice(0, 6)}-${new Date(exportedAt).toISOString().slice(0, 10)}`;
  if (format === 'json') return { name: `${stem}.json`, type: 'application/json', text: transcriptJson(entries, meta) };
  if (format === 'html') return { name: `${stem}.html`, type: 'text/html', text: transcriptHtml(entries, meta) };
  return { name: `${stem}.txt`, type: 'text/plain', text: transcriptText(entries, meta) };
}

export interface TranscriptMeta {
  readonly title: string;
  /** Epoch ms of the export. */
  readonly exportedAt: number;
  readonly annotate?: Annotate;
  readonly words?: TranscriptWords;
}

const isoTime = (entry: MessageEntry): string => {
  const wallMs = parseStamp(entry.hlc)?.wallMs;
  return wallMs === undefined ? '' : new Date(wallMs).toISOString();
};

/** One line per message (continuation lines indented): `[2026-11-24 13:05:12Z] Ana: text`. */
export function transcriptText(entries: readonly MessageEntry[], meta: TranscriptMeta): string {
  const words = meta.words ?? ENGLISH_TRANSCRIPT;
  const lines = [`${meta.title} — ${words.exported(new Date(meta.exportedAt).toISOString())}`, ''];
  const annotate = meta.annotate ?? plain;
  for (const entry of entries) {
    const time = isoTime(entry).replace('T', ' ').replace(/\.\d+Z$/, 'Z');
    const note = annotate(entry);
    if (note.quote !== undefined) lines.push(`    > ${note.quote}`);
    lines.push(`[${time}] ${entry.nick}: ${note.text.replace(/\n/g, '\n    ')}${note.edited ? ` ${words.edited}` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}

export function transcriptJson(entries: readonly MessageEntry[], meta: TranscriptMeta): string {
  return JSON.stringify(
    {
      format: 'parley-transcript',
      version: 1,
      title: meta.title,
      exportedAt: new Date(meta.exportedAt).toISOString(),
      // `text` is what the room shows (the author's latest edit); `signature` signs the original entry.
      messages: entries.map((entry) => {
        const note = (meta.annotate ?? plain)(entry);
        return { id: entry.id, time: isoTime(entry), nick: entry.nick, author: entry.author, text: note.text, ...(note.edited ? { edited: true, originalText: entry.text } : {}), ...(entry.re === undefined ? {} : { replyTo: entry.re }), signature: entry.sig };
      }),
    },
    null,
    2,
  );
}

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] as string);

export function transcriptHtml(entries: readonly MessageEntry[], meta: TranscriptMeta): string {
  const words = meta.words ?? ENGLISH_TRANSCRIPT;
  const rows = entries
    .map((entry) => {
      const time = isoTime(entry);
      const note = (meta.annotate ?? plain)(entry);
      const quote = note.quote === undefined ? '' : `<blockquote dir="auto">${escapeHtml(note.quote)}</blockquote>`;
      const edited = note.edited ? ` <small>${escapeHtml(words.edited)}</small>` : '';
      return `<article>${quote}<header><b dir="auto">${escapeHtml(entry.nick)}</b> <time datetime="${time}">${escapeHtml(time.replace('T', ' ').slice(0, 16))}</time>${edited}</header><p dir="auto">${escapeHtml(note.text)}</p></article>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="${escapeHtml(words.lang)}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(meta.title)}</title>
<style>
body { font-family: system-ui, 'Noto Sans', sans-serif; max-width: 48rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; color: #1f2a30; background: #f6f1e9; }
article { border-bottom: 1px solid #d9d2c6; padding: 0.4rem 0; }
time { color: #5b6870; font-size: 0.8rem; }
blockquote { margin: 0 0 0.2rem; padding-inline-start: 0.5rem; border-inline-start: 3px solid #2a6f80; color: #5b6870; font-size: 0.85rem; }
p { margin: 0.1rem 0 0; white-space: pre-wrap; overflow-wrap: anywhere; unicode-bidi: plaintext; }
</style>
</head>
<body>
<h1>${escapeHtml(meta.title)}</h1>
<p>${escapeHtml(words.summary(new Date(meta.exportedAt).toISOString(), entries.length))}</p>
${rows}
</body>
</html>
`;
}

/** A private message as a transcript lists it. */
export interface PrivateLine {
  readonly id: string;
  /** The sender's key: named `author` so the timeline orders it like a message (compareMessages). */
  readonly author: string;
  readonly to: string;
  readonly hlc: string;
  readonly nick: string;
  readonly text: string;
  /** This person sent it. */
  readonly outgoing: boolean;
}

/**
 * The whole conversation a person can read, as one file: the room's messages (signatures checked)
 * and their private messages, in timeline order, private ones marked in the name column.
 */
export function assembleTranscript(format: TranscriptFormat, messages: readonly MessageEntry[], privates: readonly PrivateLine[], options: { readonly roomId: string; readonly exportedAt: number; readonly nameOf: (key: string) => string; readonly annotate: Annotate; readonly words?: TranscriptWords }): TranscriptFile {
  const words = options.words ?? ENGLISH_TRANSCRIPT;
  const privateEntries = privates.map((line): MessageEntry => ({ v: 1, id: line.id, author: line.author, hlc: line.hlc, text: line.text, sig: '', nick: line.outgoing ? words.privateTo(line.nick, options.nameOf(line.to)) : words.privateToYou(line.nick) }));
  const entries = [...messages, ...privateEntries].sort(compareMessages);
  return transcriptFile(format, entries, options.roomId, options.exportedAt, options.annotate, words);
}
