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
  /** Whether a verified `incoming` may replace `known` (default: always); a refused one is replaced by `known` again. */
  readonly supersedes?: (known: T, incoming: T) => boolean;
  /** Whether a verified value may leave the map (default: never; a removal is put back). */
  readonly mayRemove?: (key: string, known: T) => boolean;
}

/** Signatures checked at once; a large map is checked in parallel batches rather than one by one. */
const VERIFY_BATCH = 64;

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
    const { map, decode, encode, verify, failReason, onDrop, supersedes, mayRemove } = this.#options;
    const snapshot = keys.map((key) => [key, map.get(key)] as const);
    this.#queue = this.#queue.then(async () => {
      let changed = false;
      const restore: Array<readonly [string, T]> = [];
      // Keys in one snapshot are distinct, so their signatures can be checked in parallel.
      const candidates: Array<readonly [string, T]> = [];
      for (const [key, value] of snapshot) {
        const known = this.#verified.get(key);
        if (known !== undefined && value === encode(known)) continue;
        if (value === undefined && known !== undefined && mayRemove?.(key, known) === true) {
          this.#verified.delete(key);
          changed = true;
          continue;
        }
        const parsed = value === undefined ? null : decode(key, value);
        if (parsed?.ok === true && (known === undefined || supersedes?.(known, parsed.value) !== false)) {
          candidates.push([key, parsed.value]);
          continue;
        }
        if (parsed?.ok === false) onDrop(parsed.reason);
        if (known !== undefined) restore.push([key, known]);
      }
      for (let i = 0; i < candidates.length; i += VERIFY_BATCH) {
        const batch = candidates.slice(i, i + VERIFY_BATCH);
        const results = await Promise.all(batch.map(([, value]) => verify(value)));
        batch.forEach(([key, value], j) => {
          if (results[j] === true) {
            this.#verified.set(key, value);
            changed = true;
            return;
          }
          onDrop(failReason);
          const known = this.#verified.get(key);
          if (known !== undefined) restore.push([key, known]);
        });
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
