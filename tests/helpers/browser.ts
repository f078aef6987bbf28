/** Launches the system Chromium (Debian's, found by scripts/chromium.mjs) through playwright-core. */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
// @ts-expect-error -- plain ESM helper shared with the test runner script, no type declarations.
import { findChromium } from '../../scripts/chromium.mjs';

export const CLIENT_BUILD = new URL('../../dist/client/', import.meta.url).pathname;

/** Flags measured to work as root in a sandbox (headless Debian Chromium as root), plus fake media devices. */
export const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'];

export async function launchChromium(): Promise<Browser> {
  const executablePath = (findChromium as () => string | undefined)();
  if (executablePath === undefined) throw new Error('no Chromium found: set CHROMIUM_PATH or install Debian\'s "chromium" (npm test does this as root)');
  return chromium.launch({ executablePath, args: CHROMIUM_FLAGS });
}

export function requireClientBuild(): string {
  if (!existsSync(`${CLIENT_BUILD}index.html`)) throw new Error('dist/client is missing: run "npm run build" (npm test does this first)');
  return CLIENT_BUILD;
}
