import { describe, expect, it } from 'vitest';
import { parseRichText, plainText, safeHref, type Block, type Inline } from '../../src/core/rich-text.js';

const inlines = (text: string): readonly Inline[] => {
  const [block] = parseRichText(text);
  if (block?.kind !== 'paragraph') throw new Error('expected one paragraph');
  return block.inlines;
};

/** Every href in the tree, to check no scheme but http(s) ever comes out. */
function hrefs(blocks: readonly Block[]): string[] {
  const walk = (nodes: readonly Inline[]): string[] => nodes.flatMap((node) => (node.kind === 'link' ? [node.href] : node.kind === 'bold' || node.kind === 'italic' ? walk(node.children) : []));
  return blocks.flatMap((block) => (block.kind === 'paragraph' ? walk(block.inlines) : []));
}

describe('markdown-lite', () => {
  it('reads bold, italic, inline code, links and code blocks', () => {
    expect(inlines('a **bold** and *it* and _it_ and `x*y*z`')).toEqual([
      { kind: 'text', text: 'a ' }, { kind: 'bold', children: [{ kind: 'text', text: 'bold' }] }, { kind: 'text', text: ' and ' },
      { kind: 'italic', children: [{ kind: 'text', text: 'it' }] }, { kind: 'text', text: ' and ' },
      { kind: 'italic', children: [{ kind: 'text', text: 'it' }] }, { kind: 'text', text: ' and ' }, { kind: 'code', text: 'x*y*z' },
    ]);
    expect(inlines('see https://example.org/a?b=1. or [docs](https://example.org/docs)')).toEqual([
      { kind: 'text', text: 'see ' }, { kind: 'link', href: 'https://example.org/a?b=1', text: 'https://example.org/a?b=1' },
      { kind: 'text', text: '. or ' }, { kind: 'link', href: 'https://example.org/docs', text: 'docs' },
    ]);
    expect(parseRichText('before\n```js\nconst a = "<b>";\n```\nafter')).toEqual([
      { kind: 'paragraph', inlines: [{ kind: 'text', text: 'before' }] },
      { kind: 'code', text: 'const a = "<b>";' },
      { kind: 'paragraph', inlines: [{ kind: 'text', text: 'after' }] },
    ]);
  });

  it('leaves text alone where markers do not pair up: snake_case, 2 * 3 * 4, lone backticks', () => {
    for (const text of ['snake_case_name', '2 * 3 * 4', 'a ` b', '** not bold **', 'سلام *', '日本語_テキスト']) {
      expect(plainText(parseRichText(text)), text).toBe(text);
    }
  });

  it('never yields a link but http(s), whatever the XSS corpus tries', () => {
    const corpus = [
      '<script>alert(1)</script>',
      '<img src=x onerror=alert(1)>',
      '[click](javascript:alert(1))',
      '[click](JAVASCRIPT:alert(1))',
      'javascript:alert(1)',
      '[x](data:text/html,<script>alert(1)</script>)',
      'https://example.org/"onmouseover="alert(1)',
      '**<svg onload=alert(1)>**',
      '`</code><script>alert(1)</script>`',
      '[a](https://ok.example)(javascript:alert(1))',
      'vbscript:msgbox(1) file:///etc/passwd',
      '```\n<iframe src="https://evil.example"></iframe>\n```',
    ];
    for (const text of corpus) {
      const blocks = parseRichText(text);
      for (const href of hrefs(blocks)) expect(href, text).toMatch(/^https?:\/\//);
      // Markup characters are kept as text, not eaten or interpreted.
      if (text.includes('<')) expect(plainText(blocks), text).toContain('<');
    }
    expect(safeHref('javascript:alert(1)')).toBeNull();
    expect(safeHref('https://example.org/"x')).toBe('https://example.org/%22x');
  });

  it('stays linear on hostile nesting', () => {
    const text = `${'**'.repeat(2000)}x${'**'.repeat(2000)} ${'*_'.repeat(3000)}`;
    expect(() => parseRichText(text)).not.toThrow();
  });
});
