/**
 * Markdown-lite for messages: **bold**, *italic* or _italic_, `inline code`, fenced code blocks
 * (```), and links (bare http(s) URLs, or [text](https://…)). The result is a tree of typed
 * nodes, never HTML: the UI renders each node as an element whose text is set as text, so
 * nothing in a message can become markup, and only http(s) links exist (no javascript:, data:
 * or any other scheme). Nothing remote is ever loaded: links are plain anchors, no previews.
 */

export type Inline =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'bold'; readonly children: readonly Inline[] }
  | { readonly kind: 'italic'; readonly children: readonly Inline[] }
  | { readonly kind: 'code'; readonly text: string }
  | { readonly kind: 'link'; readonly href: string; readonly text: string };

export type Block =
  | { readonly kind: 'paragraph'; readonly inlines: readonly Inline[] }
  | { readonly kind: 'code'; readonly text: string };

const FENCE = /```([^\n`]*)\n?([\s\S]*?)```/g;
/** Deepest nesting of bold/italic kept; deeper markers stay as text (bounds work on hostile input). */
const MAX_DEPTH = 4;
const URL_PATTERN = /https?:\/\/[^\s<>"'`]+/y;
/** Trailing punctuation is usually the sentence's, not the URL's. */
const TRAILING = /[.,;:!?)\]}'"»]+$/;

/** A link target, or null unless it is an absolute http(s) URL. */
export function safeHref(candidate: string): string | null {
  try {
    const url = new URL(candidate);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

export function parseRichText(text: string): Block[] {
  const blocks: Block[] = [];
  let last = 0;
  for (const match of text.matchAll(FENCE)) {
    const before = text.slice(last, match.index).replace(/\n$/, '');
    if (before.trim() !== '') blocks.push({ kind: 'paragraph', inlines: parseInline(before, 0) });
    blocks.push({ kind: 'code', text: (match[2] ?? '').replace(/\n$/, '') });
    last = (match.index ?? 0) + match[0].length;
  }
  const rest = text.slice(last).replace(/^\n/, '');
  if (rest !== '' || blocks.length === 0) blocks.push({ kind: 'paragraph', inlines: parseInline(rest, 0) });
  return blocks;
}

function parseInline(text: string, depth: number): Inline[] {
  const out: Inline[] = [];
  let plain = '';
  const flush = (): void => {
    if (plain !== '') out.push({ kind: 'text', text: plain });
    plain = '';
  };
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    // `code`: its contents are never parsed further.
    if (text[i] === '`') {
      const end = text.indexOf('`', i + 1);
      if (end > i + 1) {
        flush();
        out.push({ kind: 'code', text: text.slice(i + 1, end) });
        i = end + 1;
        continue;
      }
    }
    // [text](https://…)
    if (text[i] === '[') {
      const link = /^\[([^\]\n]{1,200})\]\((https?:\/\/[^\s)]+)\)/.exec(rest);
      const href = link ? safeHref(link[2] ?? '') : null;
      if (link && href !== null) {
        flush();
        out.push({ kind: 'link', href, text: link[1] ?? href });
        i += link[0].length;
        continue;
      }
    }
    // A bare URL, at a word start.
    if ((text[i] === 'h' || text[i] === 'H') && (i === 0 || /[\s(]/.test(text[i - 1] ?? ''))) {
      URL_PATTERN.lastIndex = i;
      const url = URL_PATTERN.exec(text);
      if (url) {
        const trimmed = url[0].replace(TRAILING, '');
        const href = safeHref(trimmed);
        if (href !== null) {
          flush();
          out.push({ kind: 'link', href, text: trimmed });
          i += trimmed.length;
          continue;
        }
      }
    }
    // **bold**, then *italic* / _italic_: a closing marker on the same line, with text in between.
    const marker = rest.startsWith('**') ? '**' : text[i] === '*' || text[i] === '_' ? (text[i] as string) : null;
    if (marker !== null && depth < MAX_DEPTH) {
      const end = text.indexOf(marker, i + marker.length + 1);
      const inner = end > 0 ? text.slice(i + marker.length, end) : '';
      const wordInside = marker === '_' && /\w/.test(text[i - 1] ?? ''); // snake_case stays as it is
      if (end > 0 && !inner.includes('\n') && inner.trim() === inner && !wordInside) {
        flush();
        const children = parseInline(inner, depth + 1);
        out.push(marker === '**' ? { kind: 'bold', children } : { kind: 'italic', children });
        i = end + marker.length;
        continue;
      }
    }
    plain += text[i];
    i++;
  }
  flush();
  return out;
}

/** The text a reader sees (markers removed): for previews, notifications and plain transcripts. */
export function plainText(blocks: readonly Block[]): string {
  const inline = (nodes: readonly Inline[]): string =>
    nodes.map((node) => (node.kind === 'bold' || node.kind === 'italic' ? inline(node.children) : node.text)).join('');
  return blocks.map((block) => (block.kind === 'code' ? block.text : inline(block.inlines))).join('\n');
}
