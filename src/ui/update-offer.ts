/**
 * Loaded by main.ts once the page is idle (a chunk of its own: the first render never waits for
 * it): registers the service worker and mounts the "A new version is ready" banner beside the app.
 */
import { mount } from 'svelte';
import { AppUpdate } from '../state/app-update.svelte';
import UpdateBanner from './UpdateBanner.svelte';

export function startServiceWorker(enabled: boolean): void {
  const update = new AppUpdate({
    container: 'serviceWorker' in navigator ? navigator.serviceWorker : undefined,
    enabled,
    reload: () => location.reload(),
  });
  const target = document.createElement('div');
  document.body.append(target);
  mount(UpdateBanner, { target, props: { update } });
  // A worker that cannot register (storage off, a private window) leaves the app as it was.
  update.start().catch(() => undefined);
}
