/**
 * The room's code is a chunk of its own: the home page never loads it unless a room is opened.
 * One promise per page, so main.ts can start the download the moment the page opens on an invite
 * link (in parallel with the app's own start-up) and App.svelte then finds it under way or done.
 */
type RoomModule = typeof import('./Room.svelte');

let pending: Promise<RoomModule> | undefined;

/** Imports Room.svelte once per page. A failed download (offline, a deploy mid-visit) is retried on the next call. */
export function loadRoom(): Promise<RoomModule> {
  pending ??= import('./Room.svelte').catch((error: unknown) => {
    pending = undefined;
    throw error;
  });
  return pending;
}

/** On the home page, fetches the room's code once the page is idle, so Create room opens at once. */
export function preloadRoomWhenIdle(): void {
  const start = (): void => void loadRoom().catch(() => undefined);
  if (typeof requestIdleCallback === 'function') requestIdleCallback(start, { timeout: 3000 });
  else setTimeout(start, 500);
}
