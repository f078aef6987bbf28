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
