/**
 * Creates (and closes at once) one RTCPeerConnection when the page is idle, so the browser sets up
 * its WebRTC machinery (threads, factory) before the first real connection needs it. In a fresh
 * Chromium renderer the first RTCPeerConnection took 15–850 ms to construct, the next 1–11 ms
 * (measured here); without this, that first construction fell in the middle of every join,
 * between the offer's arrival and the answer. The throwaway connection gathers no candidates
 * (no offer, no local description), so nothing about this device leaves the page.
 */
let warmed = false;

export function warmUpWebRtc(): void {
  if (warmed || typeof RTCPeerConnection !== 'function') return;
  warmed = true;
  const warm = (): void => {
    try {
      new RTCPeerConnection({ iceServers: [] }).close();
    } catch {
      // WebRTC disabled or unavailable: the room says so when it cannot connect.
    }
  };
  if (typeof requestIdleCallback === 'function') requestIdleCallback(warm, { timeout: 1000 });
  else setTimeout(warm, 0);
}
