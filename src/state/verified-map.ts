/**
 * A shared-document map whose values only count once parsed and verified (moderation actions,
 * member cards, room key epochs). Anything else is dropped and counted. Verified values are kept
 * here too, so if a member removes or overwrites one (Yjs lets anyone change any map key), this
 * device puts it back rather than letting a ban, a deletion or a key hand-over be undone.
 */
import type * as Y from 'yjs';
import type { DropReason } from '../core/types.js';

export type Decoded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: DropReason };

export interface VerifiedMapOptions<T> {
  readonly map: Y.Map<unknown>;
  /** Parses an untrusted value stored under `key`; never throws. */
  readonly decode: (key: string, value: unknown) => Decoded<T>;
  readonly encode: (value: T) => string;
  /** The check a well-formed value must pass (a signature), and the reason counted when it fails. */
  readonly verify: (value: T) => Promise<boolean>;
  readonly failReason: DropReason;
  readonly onDrop: (reason: DropReason) => void;
  /** The verified values changed. */
  readonly onChange?: () => void;
}

/** Transaction origin of values this device puts back, so they are not checked again. */
const RESTORE_ORIGIN = 'verified-map-restore';

export class VerifiedMap<T> {
  readonly #options: VerifiedMapOptions<T>;
  readonly #verified = new Map<string, T>();
  /** Checks run in order, so what counts only ever moves forward. */
  #queue: Promise<void> = Promise.resolve();

  constructor(options: VerifiedMapOptions<T>) {
    this.#options = options;
  }

  get values(): ReadonlyMap<string, T> {
    return this.#verified;
  }

  /** Checks every value in the map now, then follows its changes. */
  start(): Promise<void> {
    const { map } = this.#options;
    map.observe((event) => {
      if (event.transaction.origin !== RESTORE_ORIGIN) this.#check([...event.keysChanged]);
    });
    return this.#check([...map.keys()]);
  }

  /** Writes a value made on this device (it is checked like any other when the map reports it). */
  set(key: string, value: T): void {
    this.#options.map.set(key, this.#options.encode(value));
  }

  /** Resolves once every check queued so far is done. */
  settled(): Promise<void> {
    return this.#queue;
  }

  #check(keys: readonly string[]): Promise<void> {
    const { map, decode, encode, verify, failReason, onDrop } = this.#options;
    const snapshot = keys.map((key) => [key, map.get(key)] as const);
    this.#queue = this.#queue.then(async () => {
      let changed = false;
      const restore: Array<readonly [string, T]> = [];
      for (const [key, value] of snapshot) {
        const known = this.#verified.get(key);
        if (known !== undefined && value === encode(known)) continue;
        const parsed = value === undefined ? null : decode(key, value);
        if (parsed?.ok === true && (await verify(parsed.value))) {
          this.#verified.set(key, parsed.value);
          changed = true;
          continue;
        }
        if (parsed !== null) onDrop(parsed.ok ? failReason : parsed.reason);
        if (known !== undefined) restore.push([key, known]);
      }
      if (restore.length > 0) {
        map.doc?.transact(() => {
          for (const [key, value] of restore) map.set(key, encode(value));
        }, RESTORE_ORIGIN);
      }
      if (changed) this.#options.onChange?.();
    });
    return this.#queue;
  }
}
