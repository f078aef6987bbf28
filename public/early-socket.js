// Opens the WebSocket to the signaling node while the app's code is still loading, so a room
// can subscribe and announce the moment the app starts instead of waiting for a new connection
// (src/transport/signaling-socket.ts adopts it), and fetches the ICE servers beside it. A plain script, not part of the bundle: it runs
// as soon as it arrives, long before the module graph has been fetched, parsed and evaluated.
// The socket carries nothing until a room takes it; the node learns only that the page is open.
(function () {
  if (window.__parleyStarted) return; // the app got here first and opened its own
  try {
    var url = (location.protocol === 'https:' ? 'wss:' : 'ws:') + '//' + location.host + '/signal';
    window.__parleyEarlySocket = { url: url, socket: new WebSocket(url) };
  } catch (error) {
    // No WebSocket here: the app opens its own, and says so if it cannot.
  }
  // The ICE servers (STUN, and TURN credentials minted for this request), fetched beside the
  // socket so the first peer connection never waits for them (src/transport/page-ice.ts adopts it).
  try {
    window.__parleyEarlyIce = fetch('/ice', { cache: 'no-store', credentials: 'omit' })
      .then(function (response) { return response.ok ? response.json() : null; })
      .catch(function () { return null; });
  } catch (error) {
    // No fetch here: the app asks itself.
  }
})();
// On a room link, the room's code (one chunk; the build writes its name here) starts downloading now,
// beside the app's entry, instead of once the entry has run. The home page does not fetch it this way.
(function () {
  var href = '__PARLEY_ROOM_CHUNK__';
  if (location.hash.length < 2 || href.charAt(0) !== '/') return; // a development server has no chunk
  var link = document.createElement('link');
  link.rel = 'modulepreload';
  link.href = href;
  document.head.appendChild(link);
})();
