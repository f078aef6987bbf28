/**
 * The embedded room's side of the postMessage protocol (core/embed-messages.ts): it talks only to
 * the parent window, only at the host origin the loader named, and says nothing at all when the
 * browser shows the parent is someone else (location.ancestorOrigins, where the browser has it).
 * The node's frame-ancestors already refuses pages not in EMBED_ORIGINS; this keeps a page that is
 * allowed from being impersonated by another frame.
 */
import { parseHostMessage, receive, wrap, MAX_UNREAD, type WidgetMessage } from '../core/embed-messages';

/** The window functions the bridge uses, so tests and the page give their own. */
export interface BridgeWindow {
  readonly parent: { postMessage(message: unknown, targetOrigin: string): void } | null;
  readonly ancestorOrigin: string | undefined;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}

export function pageBridgeWindow(): BridgeWindow {
  return {
    parent: window.parent === window ? null : window.parent,
    ancestorOrigin: location.ancestorOrigins?.[0],
    addEventListener: (type, listener) => window.addEventListener(type, listener),
    removeEventListener: (type, listener) => window.removeEventListener(type, listener),
  };
}

export class EmbedBridge {
  /** Whether the host shows the panel; until it says, the visitor is taken to be looking (it was opened to load). */
  open = $state(true);
  readonly #host: string;
  readonly #window: BridgeWindow;
  readonly #connected: boolean;
  #lastUnread = -1;
  readonly #onMessage = (event: MessageEvent): void => {
    const message = receive(event, this.#host, this.#window.parent, parseHostMessage);
    if (message !== null) this.open = message.type === 'open';
  };

  constructor(host: string, bridgeWindow: BridgeWindow) {
    this.#host = host;
    this.#window = bridgeWindow;
    const ancestor = bridgeWindow.ancestorOrigin;
    this.#connected = bridgeWindow.parent !== null && (ancestor === undefined || ancestor === host);
  }

  /** Whether the frame talks to its host at all (a Close button makes sense only then). */
  get connected(): boolean {
    return this.#connected;
  }

  start(): () => void {
    if (!this.#connected) return () => undefined;
    this.#window.addEventListener('message', this.#onMessage);
    this.#send({ type: 'ready' });
    return () => this.#window.removeEventListener('message', this.#onMessage);
  }

  /** Tells the host how many messages wait unseen (sent only when it changes). */
  unread(count: number): void {
    const bounded = Math.min(MAX_UNREAD, Math.max(0, Math.floor(count)));
    if (bounded === this.#lastUnread) return;
    this.#lastUnread = bounded;
    this.#send({ type: 'unread', count: bounded });
  }

  /** The visitor closed the chat from inside; the host hides the panel. */
  requestClose(): void {
    this.#send({ type: 'close' });
  }

  #send(message: WidgetMessage): void {
    if (this.#connected) this.#window.parent?.postMessage(wrap(message), this.#host);
  }
}
