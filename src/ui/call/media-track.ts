/**
 * Svelte actions that show a MediaStreamTrack in a <video> or play it through an <audio> element.
 * Remote voices play through <audio> elements, never through Web Audio, so the browser's echo
 * cancellation hears what the speakers play and takes it out of the microphone.
 */

/** Shows (or plays) `track`; null shows nothing. Updates when the track changes. */
export function mediaTrack(element: HTMLMediaElement, track: MediaStreamTrack | null): { update(next: MediaStreamTrack | null): void; destroy(): void } {
  let current: MediaStreamTrack | null = null;
  const show = (next: MediaStreamTrack | null): void => {
    if (next === current) return;
    current = next;
    element.srcObject = next === null ? null : new MediaStream([next]);
    if (next !== null) void element.play().catch(() => undefined);
  };
  show(track);
  return { update: show, destroy: () => show(null) };
}

/** Routes an <audio> element to the chosen speaker, where the browser can (HTMLMediaElement.setSinkId). */
export function speaker(element: HTMLMediaElement, deviceId: string | null): { update(next: string | null): void } {
  const apply = (next: string | null): void => {
    const withSink = element as HTMLMediaElement & { setSinkId?: (id: string) => Promise<void> };
    if (next !== null && typeof withSink.setSinkId === 'function') void withSink.setSinkId(next).catch(() => undefined);
  };
  apply(deviceId);
  return { update: apply };
}
