/**
 * The WebSocket to the signaling node, opened before it is needed. The node is the same for
 * every room (the one that served the page), so the app opens a socket as soon as it starts
 * (and again whenever the home page shows); a room then subscribes on a socket that is already
 * open, in the same task that derives its topic, instead of waiting for a connection while the
 * room's page is built (a hash change → first message was ~200 ms slower for that alone,
 * tests/bench/RESULTS.md "Encrypted rooms: join"). The spare socket carries nothing until a
 * room takes it: the node learns no more than that someone has the page open, which it knows.
 */
const CONNECTING = 0;
const OPEN = 1;

let spare: WebSocket | null = null;
let spareUrl = '';

/** What public/early-socket.js leaves: a socket opened before the app's code had loaded. */
interface EarlySocket {
  readonly url: string;
  readonly socket: WebSocket;
}

/** Opens a spare socket to `url` unless one is already open or opening. Never throws. */
export function preconnectSignaling(url: string): void {
  if (typeof WebSocket === 'undefined') return;
  (globalThis as { __parleyStarted?: boolean }).__parleyStarted = true;
  const early = (globalThis as { __parleyEarlySocket?: EarlySocket }).__parleyEarlySocket;
  if (early !== undefined) {
    delete (globalThis as { __parleyEarlySocket?: EarlySocket }).__parleyEarlySocket;
    if (spare === null && early.url === url && early.socket instanceof WebSocket) adopt(early.socket, url);
    else early.socket.close();
  }
  if (spare !== null && spareUrl === url && (spare.readyState === CONNECTING || spare.readyState === OPEN)) return;
  spare?.close();
  spare = null;
  try {
    adopt(new WebSocket(url), url);
  } catch {
    spare = null;
  }
}

function adopt(socket: WebSocket, url: string): void {
  // A spare the node closed (restart, network change) is forgotten; the next room opens its own.
  socket.onclose = () => {
    if (spare === socket) spare = null;
  };
  spare = socket;
  spareUrl = url;
}

/**
 * A socket to `url`: the spare if it is still open or opening (then it is no longer spare), else
 * a new one. The caller checks `readyState`: a socket already open fires no 'open' event.
 */
export function takeSignalingSocket(url: string): WebSocket {
  const socket = spare;
  spare = null;
  if (socket !== null && spareUrl === url && (socket.readyState === CONNECTING || socket.readyState === OPEN)) {
    socket.onclose = null;
    return socket;
  }
  socket?.close();
  return new WebSocket(url);
}
