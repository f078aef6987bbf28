/**
 * The page's one ICE source: the node that served the page hands out its STUN and TURN servers at
 * `/ice`. public/early-socket.js starts that request before the app's code has loaded; the app
 * adopts it, so neither the room nor its first peer connection waits for a round trip of its own.
 */
import { createIceSource, type IceSource } from './ice-config.js';

let source: IceSource | null = null;

async function loadIce(): Promise<unknown> {
  const response = await fetch('/ice', { cache: 'no-store', credentials: 'omit' });
  return response.ok ? response.json() : null;
}

/** Starts (once) fetching the node's ICE servers, adopting the early request if there is one. */
export function pageIceSource(): IceSource {
  if (source !== null) return source;
  const early = (globalThis as { __parleyEarlyIce?: Promise<unknown> }).__parleyEarlyIce;
  delete (globalThis as { __parleyEarlyIce?: Promise<unknown> }).__parleyEarlyIce;
  source = createIceSource({ load: loadIce, early });
  return source;
}
