/**
 * The kill switch (`SERVICE_WORKER=off`): what the node serves at /sw.js instead of the build's
 * worker. Browsers check /sw.js on every navigation (it is served `no-cache`), find a new script,
 * install it, and it deletes Parley's caches and unregisters itself. It never reloads a page: an
 * open conversation goes on, and the next load comes from the network.
 */
export const SERVICE_WORKER_PATH = '/sw.js';

export const SERVICE_WORKER_OFF = `// Parley's service worker is turned off on this node (SERVICE_WORKER=off): this one removes itself.
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) if (name.startsWith('parley-')) await caches.delete(name);
    await self.registration.unregister();
  })());
});
`;
