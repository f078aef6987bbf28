/**
 * embed.js: a Parley room on any site in one line. It defines `<parley-room>` and, when loaded by a
 * `<script data-room=…>`, adds one to the page with the script's options:
 *
 *   <script src="https://node.example/embed.js" data-room="https://node.example/#k=…" async></script>
 *
 * The element draws a round launcher in a corner; the first click creates a sandboxed iframe of
 * the room (nothing reaches the node before the visitor asks for the chat). It talks to the frame
 * by postMessage, only with the room's origin, and tells the page through DOM events.
 * Built on its own (vite.config.ts), with no framework.
 */
import { EMBED_PARAM, EMBED_POSITIONS, MAX_GREETING_CHARS, formatEmbedParam, parseAccent, parseHoursRange, parseOrigin, parsePlainText, parseTimeZone, type EmbedOptions, type EmbedPosition } from '../core/embed-options';
import { parseWidgetMessage, receive, wrap, type HostMessage } from '../core/embed-messages';
import { directionOf, launcherLocale, launcherText } from './launcher-strings';
import { parseLocale, type Locale } from '../i18n/locales';
import { LAUNCHER_CSS } from './launcher-css';

const ATTRIBUTES = ['room', 'greeting', 'hours', 'hours-zone', 'accent', 'position', 'calls', 'lang'] as const;

/**
 * Sandbox tokens, each needed: scripts (the app is script), same-origin (its own storage for history
 * and keys, and its origin for the signaling socket), forms (the composer is a form; the node's CSP
 * still forbids any form to submit anywhere), popups (links in messages open a new tab, which must
 * escape the sandbox to work as a normal page), downloads (files sent in the room).
 */
const SANDBOX = 'allow-scripts allow-same-origin allow-forms allow-popups allow-popups-to-escape-sandbox allow-downloads';

/** The room URL split into the frame's origin and the invite fragment, or null if unusable. */
function parseRoomUrl(text: string | null): { origin: string; base: string; fragment: string } | null {
  if (text === null || text.length > 2048) return null;
  let url: URL;
  try {
    url = new URL(text, location.href);
  } catch {
    return null;
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.hash.length < 2) return null;
  const fragment = url.hash.slice(1).split('&').filter((pair) => !pair.startsWith(`${EMBED_PARAM}=`)).join('&');
  url.hash = '';
  return { origin: url.origin, base: url.href, fragment };
}

class ParleyRoom extends HTMLElement {
  static observedAttributes = ['open'];
  readonly #root: ShadowRoot;
  readonly #launcher: HTMLButtonElement;
  readonly #badge: HTMLSpanElement;
  readonly #panel: HTMLDivElement;
  #frame: HTMLIFrameElement | null = null;
  #room: ReturnType<typeof parseRoomUrl> = null;
  #locale: Locale = 'en';
  #unread = 0;
  #ready = false;
  readonly #onMessage = (event: MessageEvent): void => this.#received(event);

  constructor() {
    super();
    this.#root = this.attachShadow({ mode: 'open' });
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(LAUNCHER_CSS);
    this.#root.adoptedStyleSheets = [sheet];
    this.#panel = document.createElement('div');
    this.#panel.className = 'panel';
    this.#panel.hidden = true;
    this.#launcher = document.createElement('button');
    this.#launcher.type = 'button';
    this.#launcher.className = 'launcher';
    this.#launcher.setAttribute('aria-expanded', 'false');
    this.#launcher.innerHTML = '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M4 5.5A2.5 2.5 0 0 1 6.5 3h11A2.5 2.5 0 0 1 20 5.5v8a2.5 2.5 0 0 1-2.5 2.5H10l-4.5 4v-4A2.5 2.5 0 0 1 3 13.5z"/></svg>';
    this.#badge = document.createElement('span');
    this.#badge.className = 'badge';
    this.#badge.setAttribute('aria-hidden', 'true');
    this.#badge.hidden = true;
    this.#launcher.append(this.#badge);
    this.#launcher.addEventListener('click', () => this.toggle());
    this.#root.append(this.#panel, this.#launcher);
  }

  connectedCallback(): void {
    this.#room = parseRoomUrl(this.getAttribute('room'));
    this.#locale = launcherLocale(this.getAttribute('lang'), document.documentElement.lang, navigator.languages);
    const position: EmbedPosition = EMBED_POSITIONS.find((value) => value === this.getAttribute('position')) ?? 'bottom-end';
    this.#root.host.setAttribute('data-position', position);
    const accent = parseAccent(this.getAttribute('accent'));
    if (accent !== null && CSS.supports('color', accent)) this.style.setProperty('--parley-accent', accent);
    this.#launcher.dir = directionOf(this.#locale);
    this.#label();
    if (this.#room === null) this.#launcher.disabled = true;
    addEventListener('message', this.#onMessage);
    // An element written with `open` already set: its attribute callback ran before it had a room.
    this.#show(this.hasAttribute('open'));
  }

  disconnectedCallback(): void {
    removeEventListener('message', this.#onMessage);
  }

  attributeChangedCallback(): void {
    if (this.isConnected) this.#show(this.hasAttribute('open'));
  }

  get isOpen(): boolean {
    return !this.#panel.hidden;
  }

  open(): void {
    this.toggleAttribute('open', true);
  }

  close(): void {
    this.toggleAttribute('open', false);
  }

  toggle(): void {
    this.toggleAttribute('open', !this.isOpen);
  }

  #show(open: boolean): void {
    if (open === this.isOpen || this.#room === null) return;
    if (open && this.#frame === null) this.#frame = this.#createFrame(this.#room);
    this.#panel.hidden = !open;
    this.#launcher.setAttribute('aria-expanded', String(open));
    this.#root.host.toggleAttribute('data-ready', this.#ready);
    this.#post(open ? { type: 'open' } : { type: 'close' });
    if (open) this.#frame?.focus();
    this.dispatchEvent(new CustomEvent('parley-toggle', { detail: { open } }));
  }

  #createFrame(room: { base: string; fragment: string }): HTMLIFrameElement {
    const options: EmbedOptions = { host: parseOrigin(location.origin) ?? location.origin, calls: this.hasAttribute('calls') };
    const greeting = parsePlainText([...(this.getAttribute('greeting') ?? '')].slice(0, MAX_GREETING_CHARS).join(''), MAX_GREETING_CHARS);
    if (greeting !== null) options.greeting = greeting;
    const hours = parseHoursRange(this.getAttribute('hours'));
    const zone = parseTimeZone(this.getAttribute('hours-zone'));
    if (hours !== null) options.hours = zone === null ? hours : { ...hours, zone };
    const accent = parseAccent(this.getAttribute('accent'));
    if (accent !== null) options.accent = accent;
    const lang = parseLocale(this.getAttribute('lang'));
    if (lang !== null) options.lang = lang;
    const frame = document.createElement('iframe');
    frame.setAttribute('sandbox', SANDBOX);
    // Camera, microphone and screen sharing only when the page turned calls on.
    if (options.calls) frame.allow = 'camera; microphone; display-capture';
    frame.referrerPolicy = 'no-referrer';
    frame.title = launcherText(this.#locale, 'embed.title');
    frame.src = `${room.base}#${room.fragment}&${EMBED_PARAM}=${formatEmbedParam(options)}`;
    this.#panel.append(frame);
    return frame;
  }

  #received(event: MessageEvent): void {
    if (this.#room === null) return;
    const message = receive(event, this.#room.origin, this.#frame?.contentWindow, parseWidgetMessage);
    if (message === null) return;
    if (message.type === 'ready') {
      this.#ready = true;
      this.#root.host.toggleAttribute('data-ready', true);
      this.#post(this.isOpen ? { type: 'open' } : { type: 'close' });
      this.dispatchEvent(new CustomEvent('parley-ready'));
    } else if (message.type === 'unread') {
      this.#unread = message.count;
      this.#label();
      this.dispatchEvent(new CustomEvent('parley-unread', { detail: { count: message.count } }));
    } else {
      this.close();
      this.#launcher.focus();
    }
  }

  #post(message: HostMessage): void {
    if (this.#room !== null && this.#ready) this.#frame?.contentWindow?.postMessage(wrap(message), this.#room.origin);
  }

  #label(): void {
    const unread = this.#unread;
    this.#launcher.setAttribute('aria-label', unread > 0 ? launcherText(this.#locale, 'embed.launcherUnread', unread) : launcherText(this.#locale, 'embed.launcher'));
    this.#badge.hidden = unread === 0;
    this.#badge.textContent = unread > 99 ? `${new Intl.NumberFormat(this.#locale).format(99)}+` : new Intl.NumberFormat(this.#locale).format(unread);
  }
}

if (customElements.get('parley-room') === undefined) customElements.define('parley-room', ParleyRoom);

// The one-line form: the script's own data-* attributes become a <parley-room> at the end of <body>.
const script = document.currentScript;
if (script instanceof HTMLScriptElement && script.dataset['room'] !== undefined) {
  const element = document.createElement('parley-room');
  for (const name of ATTRIBUTES) {
    const value = script.getAttribute(`data-${name}`);
    if (value !== null) element.setAttribute(name, value);
  }
  const place = (): void => void document.body.append(element);
  if (document.body === null) addEventListener('DOMContentLoaded', place, { once: true });
  else place();
}
