import { mount } from 'svelte';
import App from './ui/App.svelte';
import './ui/global.css';
import './state/settings.svelte';
import { preconnectSignaling } from './transport/signaling-socket';
import { signalingUrlFor } from './transport/signaling-url';
import { prepareClockFormat } from './ui/clock-format';
import { warmUpWebRtc } from './transport/webrtc-warmup';
import { pageIceSource } from './transport/page-ice';
import { startLanguage } from './i18n/i18n.svelte';
import { loadRoom } from './ui/room-loader';

// A page opened on an invite link: the room's code starts downloading now, beside the language and
// the socket, instead of after the first render (the home page never loads it; see room-loader.ts).
if (location.hash.length > 1) void loadRoom().catch(() => undefined);

// Before anything else: the socket opens while the app starts (see signaling-socket.ts).
preconnectSignaling(signalingUrlFor(location));
// Beside it, the ICE servers (adopting the request early-socket.js made before the app loaded).
pageIceSource();

// The visitor's language is loaded before the first render (English needs no wait).
void startLanguage().then(() => {
  const target = document.getElementById('app');
  if (target) mount(App, { target });
});
// Off the first render and the handshake: see clock-format.ts and webrtc-warmup.ts.
prepareClockFormat();
warmUpWebRtc();

// The service worker (offline app shell, update offers) after the page has loaded and gone idle:
// never before the first render or a join's handshake (on an invite link, a few seconds later still:
// its install fetches the whole shell). Only production builds in a secure context register it; a
// development build unregisters one left by an earlier visit.
const JOIN_GRACE_MS = 5000;
const startWorker = (): void => {
  const run = (): void => {
    void import('./ui/update-offer').then(({ startServiceWorker }) => startServiceWorker(import.meta.env.PROD && isSecureContext)).catch(() => undefined);
  };
  const whenIdle = (): void => {
    if (typeof requestIdleCallback === 'function') requestIdleCallback(run, { timeout: 5000 });
    else setTimeout(run, 1000);
  };
  if (location.hash.length > 1) setTimeout(whenIdle, JOIN_GRACE_MS);
  else whenIdle();
};
if (document.readyState === 'complete') startWorker();
else addEventListener('load', startWorker, { once: true });
