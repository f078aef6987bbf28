/**
 * What a page of a built client fetches before it can show a screen: the home page's initial JS
 * (index.html's scripts and modulepreloads, rooms-bundle.ts) and the room's first load (that plus
 * the Room chunk and every chunk it imports statically), gzipped at level 9 as the node serves them.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { initialAssets } from './rooms-bundle.js';

export interface FirstLoad {
  readonly files: readonly string[];
  readonly gzip: number;
}

const gzip = (path: string): number => gzipSync(readFileSync(path), { level: 9 }).length;

/** Chunks `file` imports statically (`import … from "./x.js"`, `import "./x.js"`), transitively. */
function staticClosure(outDir: string, entries: readonly string[]): string[] {
  const seen = new Set<string>();
  const visit = (path: string): void => {
    if (seen.has(path) || !path.endsWith('.js')) return;
    seen.add(path);
    const code = readFileSync(join(outDir, path), 'utf8');
    const directory = path.includes('/') ? path.slice(0, path.lastIndexOf('/') + 1) : '';
    // Static imports only: `import(` (a lazy chunk) is not followed.
    for (const match of code.matchAll(/(?:\bfrom\s*|\bimport\s*)["'](\.\/[^"']+\.js)["']/g)) visit(directory + (match[1] as string).slice(2));
  };
  for (const entry of entries) visit(entry);
  return [...seen];
}

/** The home page's initial JS: what index.html loads at once. */
export function homeFirstLoad(outDir: string): FirstLoad {
  const { js } = initialAssets(readFileSync(join(outDir, 'index.html'), 'utf8'));
  const files = staticClosure(outDir, js.filter((path) => path.startsWith('assets/'))).concat(js.filter((path) => !path.startsWith('assets/')));
  return { files, gzip: files.reduce((total, path) => total + gzip(join(outDir, path)), 0) };
}

/**
 * A page opened on an invite link: the home page's initial JS plus the room's chunk and its static
 * imports. A build with no Room chunk of its own (the room in the entry) gives the home page's load.
 */
export function roomFirstLoad(outDir: string): FirstLoad {
  const home = homeFirstLoad(outDir);
  const room = readdirSync(join(outDir, 'assets')).filter((name) => /^Room-[\w-]+\.js$/.test(name)).map((name) => `assets/${name}`);
  const files = [...new Set([...home.files, ...staticClosure(outDir, room)])];
  return { files, gzip: files.reduce((total, path) => total + gzip(join(outDir, path)), 0) };
}
