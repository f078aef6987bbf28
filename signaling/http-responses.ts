/**
 * Plain HTTP side of the node: security headers on every response, the built client
 * (when a static directory is configured) with long caching for hashed assets, and SPA fallback.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import sirv from 'sirv';

/** Vite puts content-hashed files under /assets/; their names change whenever their bytes do. */
const HASHED_ASSET = /^\/assets\//;
const YEAR_SECONDS = 31_536_000;

/**
 * Headers sent with every HTTP response. The CSP admits only this origin; `'self'` covers
 * ws:/wss: to the same host in CSP Level 3, and the explicit same-host `/signal` URLs
 * cover browsers that predate that rule.
 */
export function securityHeaders(host: string | undefined, tls: boolean, embedOrigins: readonly string[] = []): Record<string, string> {
  const signal = host && /^[A-Za-z0-9.:[\]-]+$/.test(host) ? ` ws://${host}/signal wss://${host}/signal` : '';
  const headers: Record<string, string> = {
    'Content-Security-Policy': [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data: blob:",
      "media-src 'self' blob:",
      `connect-src 'self'${signal}`,
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'none'",
      // Origins from EMBED_ORIGINS (checked by config.ts) may frame the app; by default nobody.
      `frame-ancestors ${embedOrigins.length > 0 ? embedOrigins.join(' ') : "'none'"}`,
    ].join('; '),
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(self), microphone=(self), geolocation=(), payment=(), usb=()',
  };
  // X-Frame-Options cannot name a list of origins; browsers that know frame-ancestors ignore it anyway.
  if (embedOrigins.length === 0) headers['X-Frame-Options'] = 'DENY';
  if (tls) headers['Strict-Transport-Security'] = 'max-age=31536000';
  return headers;
}

export type StaticHandler = (req: IncomingMessage, res: ServerResponse, notFound: () => void) => void;

/** Serves `dir` (a Vite build). Throws if the directory has no index.html. */
export function createStaticHandler(dir: string): StaticHandler {
  if (!existsSync(join(dir, 'index.html'))) {
    throw new Error(`static directory ${dir} has no index.html; run "npm run build" first`);
  }
  const serve = sirv(dir, {
    single: true,
    etag: true,
    gzip: true,
    brotli: true,
    setHeaders(res, pathname) {
      res.setHeader('Cache-Control', HASHED_ASSET.test(pathname) ? `public, max-age=${YEAR_SECONDS}, immutable` : 'no-cache');
    },
  });
  return (req, res, notFound) => serve(req, res, notFound);
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  res.end(text);
}
