/**
 * What this person sends: messages and private messages, signed in the order written, held while
 * the room loads, and paced within the room's flood rule and slow mode (core/send-pacing.ts) so
 * that every member shows them. What has to wait is listed (the composer says "Sending in 3 s…"),
 * and can be taken back into the composer; nothing a person typed disappears.
 */
import { DEFAULT_FLOOD_POLICY, type FloodPolicy } from '../core/flood-gate.js';
import { parseStamp } from '../core/hlc.js';
import type { FileManifest } from '../core/file-manifest.js';
import { createMessageEntry, isValidText, type MessageDraft } from '../core/message-entry.js';
import { createPacer, type Pacer } from '../core/send-pacing.js';
import type { MessageEntry } from '../core/types.js';
import type { Identity } from '../crypto/identity.js';

/** Messages that may wait at once; beyond it a send is refused (the composer keeps the text). */
export const MAX_WAITING = 50;
const COUNTDOWN_MS = 250;

export interface OutboxHost {
  identity(): Identity | null;
  /** True once the stored history is in (sends wait until then). */
  ready(): boolean;
  nick(): string;
  tick(): string;
  /** The rule every member holds this person's messages to (slow mode included). */
  policy(): FloodPolicy;
  /** Why this person may not send `text` at all (removed, muted, too long), or null. */
  refusal(text: string): string | null;
  /** Puts a signed message in the document. */
  write(entry: MessageEntry): void;
  /** Seals and puts a private message (or file) to `to`; false if it cannot go (their card is unknown). */
  writePrivate(to: string, text: string, file?: { readonly id: string; readonly manifest: FileManifest }): Promise<boolean>;
  /** This person sent something (typing stops, the unread divider goes). */
  sent(): void;
}

export interface Waiting {
  readonly text: string;
  readonly re?: string;
  /** A private message's recipient key. */
  readonly to?: string;
  /** A file message: `text` is the file's name, `id` the message id its pieces are stored under. */
  readonly file?: { readonly id: string; readonly manifest: FileManifest };
}

export class Outbox {
  /** Messages waiting for their turn, oldest first. */
  waiting: readonly Waiting[] = $state.raw([]);
  /** Seconds until the next waiting message goes (0 while none waits on the rule). */
  secondsLeft = $state(0);
  readonly #host: OutboxHost;
  readonly #public: Pacer = createPacer();
  readonly #private: Pacer = createPacer();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #countdown: ReturnType<typeof setInterval> | undefined;
  #nextAt = 0;
  /** Signing is asynchronous (WebCrypto); the chain keeps messages in the order they were written. */
  #signing: Promise<void> = Promise.resolve();

  constructor(host: OutboxHost) {
    this.#host = host;
  }

  /** Counts this person's recent messages already in the room, so pacing after a reload knows them. */
  seed(own: readonly MessageEntry[]): void {
    for (const entry of own) {
      const wallMs = parseStamp(entry.hlc)?.wallMs;
      if (wallMs !== undefined) this.#public.sent(wallMs, this.#host.policy());
    }
  }

  /** Queues a message (a reply to `re` if given); false, changing nothing, for empty, oversized or refused text, or too many waiting. */
  send(text: string, re?: string): boolean {
    return this.#queue({ text, ...(re === undefined ? {} : { re }) });
  }

  /** Queues a file message (its pieces are stored under `id` already); false, changing nothing, if it cannot go. */
  sendFile(name: string, id: string, manifest: FileManifest, to?: string): boolean {
    return this.#queue({ text: name, file: { id, manifest }, ...(to === undefined ? {} : { to }) });
  }

  /** Queues a private message to `to`; false, changing nothing, if it cannot go. */
  sendPrivate(to: string, text: string): boolean {
    return this.#queue({ text, to });
  }

  /** Takes back everything waiting; returns its text (one message per line) for the composer. */
  takeBack(): string {
    // Files stay queued: their names are not text to edit.
    const texts = this.waiting.filter((item) => item.file === undefined).map((item) => item.text);
    this.waiting = this.waiting.filter((item) => item.file !== undefined);
    this.#schedule();
    return texts.join('\n');
  }

  /** Sends what may go now, and schedules the rest; call when the room becomes ready or its rules change. */
  pump(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.#host.ready()) return;
    while (this.waiting.length > 0) {
      const next = this.waiting[0] as Waiting;
      const pacer = next.to === undefined ? this.#public : this.#private;
      const policy = next.to === undefined ? this.#host.policy() : DEFAULT_FLOOD_POLICY;
      const wait = pacer.waitMs(Date.now(), policy);
      if (wait > 0) {
        this.#nextAt = Date.now() + wait;
        this.#timer = setTimeout(() => this.pump(), wait);
        break;
      }
      this.waiting = this.waiting.slice(1);
      const stamp = this.#host.tick();
      pacer.sent(parseStamp(stamp)?.wallMs ?? Date.now(), policy);
      this.#write(next, stamp);
    }
    this.#schedule();
  }

  stop(): void {
    clearTimeout(this.#timer);
    clearInterval(this.#countdown);
  }

  #queue(item: Waiting): boolean {
    const text = item.text.replace(/\r\n?/g, '\n').trim();
    if (!isValidText(text) || this.#host.refusal(text) !== null || this.waiting.length >= MAX_WAITING) return false;
    this.waiting = [...this.waiting, { ...item, text }];
    this.pump();
    return true;
  }

  #write(item: Waiting, hlc: string): void {
    const host = this.#host;
    host.sent();
    const identity = host.identity();
    if (identity === null) return;
    const to = item.to;
    if (to !== undefined) {
      this.#signing = this.#signing.then(() => host.writePrivate(to, item.text, item.file)).then(() => undefined, () => undefined);
      return;
    }
    const draft: MessageDraft = { nick: host.nick(), text: item.text, hlc, ...(item.re === undefined ? {} : { re: item.re }), ...(item.file === undefined ? {} : { file: item.file.manifest }) };
    const file = item.file;
    const id = file === undefined ? undefined : (): string => file.id;
    this.#signing = this.#signing.then(async () => host.write(await createMessageEntry(identity, draft, id))).catch(() => undefined);
  }

  /** Keeps the countdown the composer shows. */
  #schedule(): void {
    const waiting = this.waiting.length > 0 && this.#timer !== undefined;
    const update = (): void => void (this.secondsLeft = waiting ? Math.max(1, Math.ceil((this.#nextAt - Date.now()) / 1000)) : 0);
    update();
    clearInterval(this.#countdown);
    if (waiting) this.#countdown = setInterval(update, COUNTDOWN_MS);
  }
}
