/**
 * Builds the client with the project's vite.config.ts (through Vite's JS API, into a temporary
 * outDir, with hidden source maps; the config file itself is not changed), then measures the
 * JS a first page load fetches: every `<script src>` and `<link rel="modulepreload">` of
 * index.html, gzipped at level 9 (what the node serves from the build's precompressed .gz),
 * broken down by package through the source maps.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, gzipSync, constants as zlib } from 'node:zlib';
import { bytesBySource, packageOf, type RawSourceMap } from './sourcemap.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface PackageShare {
  readonly name: string;
  /** Minified bytes attributed by the source map. */
  readonly bytes: number;
  /** The package's minified code gzipped on its own (shares no dictionary, so these add up to more than the total). */
  readonly gzipAlone: number;
}

export interface BundleResult {
  readonly buildMs: number;
  readonly files: ReadonlyArray<{ path: string; bytes: number; gzip: number; brotli: number }>;
  readonly gzip: number;
  readonly brotli: number;
  readonly bytes: number;
  readonly packages: readonly PackageShare[];
  readonly css: number;
}

/** `vite build` of the client into `outDir` with the project's config; returns the build time in ms. */
export async function buildClient(outDir: string): Promise<number> {
  const { build } = await import('vite');
  const start = performance.now();
  await build({
    root: ROOT,
    configFile: join(ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, sourcemap: 'hidden' },
  });
  if (!existsSync(join(outDir, 'index.html'))) throw new Error(`vite build wrote no index.html to ${outDir}`);
  return performance.now() - start;
}

/** Paths (relative to outDir) of the JS and CSS index.html makes the browser load at once. */
export function initialAssets(html: string): { js: string[]; css: string[] } {
  const attr = (tag: string, name: string): string | undefined => new RegExp(`\\b${name}\\s*=\\s*["']([^"']+)["']`).exec(tag)?.[1];
  const js = new Set<string>();
  const css = new Set<string>();
  for (const tag of html.match(/<(script|link)\b[^>]*>/g) ?? []) {
    if (tag.startsWith('<script')) {
      const src = attr(tag, 'src');
      if (src !== undefined) js.add(src);
    } else {
      const rel = attr(tag, 'rel');
      const href = attr(tag, 'href');
      if (href === undefined) continue;
      if (rel === 'modulepreload') js.add(href);
      else if (rel === 'stylesheet') css.add(href);
    }
  }
  const local = (path: string): string => path.replace(/^\//, '');
  return { js: [...js].filter((path) => !/^[a-z]+:/i.test(path)).map(local), css: [...css].map(local) };
}

const gzip = (data: string | Uint8Array): number => gzipSync(data, { level: 9 }).length;

export function measureBundle(outDir: string, buildMs: number): BundleResult {
  const { js, css } = initialAssets(readFileSync(join(outDir, 'index.html'), 'utf8'));
  if (js.length === 0) throw new Error('index.html loads no script');
  const files = js.map((path) => {
    const bytes = readFileSync(join(outDir, path));
    return { path, bytes: bytes.length, gzip: gzip(bytes), brotli: brotliCompressSync(bytes, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }).length };
  });
  const shares = new Map<string, { bytes: number; text: string[] }>();
  for (const path of js) {
    const mapPath = join(outDir, `${path}.map`);
    const code = readFileSync(join(outDir, path), 'utf8');
    // A file Vite copied as it is (public/early-socket.js) has no map: it counts as itself.
    const slots = existsSync(mapPath) ? bytesBySource(code, JSON.parse(readFileSync(mapPath, 'utf8')) as RawSourceMap) : new Map([[`public/${path}`, { bytes: Buffer.byteLength(code), text: [code] }]]);
    for (const [source, slot] of slots) {
      const name = packageOf(source);
      let share = shares.get(name);
      if (share === undefined) shares.set(name, (share = { bytes: 0, text: [] }));
      share.bytes += slot.bytes;
      share.text.push(...slot.text);
    }
  }
  const packages = [...shares].map(([name, share]) => ({ name, bytes: share.bytes, gzipAlone: gzip(share.text.join('')) })).sort((a, b) => b.bytes - a.bytes);
  const sum = (key: 'bytes' | 'gzip' | 'brotli'): number => files.reduce((total, file) => total + file[key], 0);
  return {
    buildMs,
    files,
    gzip: sum('gzip'),
    brotli: sum('brotli'),
    bytes: sum('bytes'),
    packages,
    css: css.reduce((total, path) => total + gzip(readFileSync(join(outDir, path))), 0),
  };
}
