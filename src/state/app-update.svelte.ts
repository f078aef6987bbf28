/**
 * The service worker, seen from the page (the worker itself: vite/worker-source.ts).
 * Registered once the page has loaded and gone idle, only in a production build and a secure
 * context; where registration is off (a development build), workers left by an earlier visit are
 * unregistered. A new version that has installed waits until the person chooses Reload: nothing
 * here reloads a page by itself, so a conversation is never cut off by a deploy.
 */
const WORKER_URL = '/sw.js';

export interface ServiceWorkerHost {
  readonly container: ServiceWorkerContainer | undefined;
  readonly enabled: boolean;
  reload(): void;
}

export class AppUpdate {
  /** The installed new version waiting to take over, if any. */
  waiting: ServiceWorker | null = $state.raw(null);
  /** The person chose Later: the offer stays hidden for this page's lifetime. */
  dismissed = $state(false);
  #reloadAsked = false;
  readonly #host: ServiceWorkerHost;

  constructor(host: ServiceWorkerHost) {
    this.#host = host;
  }

  /** Registers the worker (or unregisters old ones when registration is off) and watches for updates. */
  async start(): Promise<void> {
    const container = this.#host.container;
    if (container === undefined) return;
    if (!this.#host.enabled) {
      for (const registration of await container.getRegistrations()) await registration.unregister();
      return;
    }
    // Only after the person asked: the new worker takes over, then this page reloads into it.
    container.addEventListener('controllerchange', () => {
      if (this.#reloadAsked) this.#host.reload();
    });
    const registration = await container.register(WORKER_URL, { scope: '/', updateViaCache: 'none' });
    const offer = (worker: ServiceWorker | null): void => {
      // With no controller this is the first install, not an update: nothing to offer.
      if (worker !== null && container.controller !== null) this.waiting = worker;
    };
    offer(registration.waiting);
    registration.addEventListener('updatefound', () => {
      const installing = registration.installing;
      installing?.addEventListener('statechange', () => {
        if (installing.state === 'installed') offer(installing);
      });
    });
  }

  /** Reload into the new version: the waiting worker takes over, and `controllerchange` reloads. */
  applyUpdate(): void {
    const waiting = this.waiting;
    if (waiting === null) return;
    this.#reloadAsked = true;
    waiting.postMessage({ type: 'SKIP_WAITING' });
  }
}
