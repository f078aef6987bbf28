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
  /**
   * For a stored history: values given a group here wait, unchecked and not counted, until
   * verifyGroups asks for their group (what is on screen), so a reload does not check thousands
   * of signatures nobody looks at. Changes that arrive later are checked at once.
   */
  readonly deferGroup?: (value: T) => string | null;
}

/** Values decoded between yields while sorting a stored history into groups. */
const DEFER_BATCH = 2000;
/** A change of more keys than this at once is a history arriving by sync, deferred like a stored one. */
const LIVE_CHECK_MAX = 256;
const nextTask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** Signatures checked at once; a large map is checked in parallel batches rather than one by one. */
const VERIFY_BATCH = 64;

/** Transaction origin of values this device puts back, so they are not checked again. */
const RESTORE_ORIGIN = 'verified-map-restore';

export class VerifiedMap<T> {
  readonly #options: VerifiedMapOptions<T>;
  readonly #verified = new Map<string, T>();
  /** Checks run in order, so what counts only ever moves forward. */
  #queue: Promise<void> = Promise.resolve();
  /** Deferred values: group → key → value, and each key's group. */
  readonly #pending = new Map<string, Map<string, T>>();
  readonly #pendingGroup = new Map<string, string>();

  constructor(options: VerifiedMapOptions<T>) {
    this.#options = options;
  }

  get values(): ReadonlyMap<string, T> {
    return this.#verified;
  }

  /** Checks every value in the map now (or defers it, see deferGroup), then follows its changes. */
  async start(): Promise<void> {
    const { map, deferGroup } = this.#options;
    map.observe((event) => {
      if (event.transaction.origin === RESTORE_ORIGIN) return;
      // A changed key is checked now; an older deferred value for it no longer matters.
      for (const key of event.keysChanged) this.#forgetPending(key);
      const keys = [...event.keysChanged];
      if (deferGroup === undefined || keys.length <= LIVE_CHECK_MAX) {
        void this.#check(keys);
        return;
      }
      const now = keys.filter((key) => !this.#deferIfGrouped(key, map.get(key)));
      void this.#check(now);
      this.#options.onChange?.(); // so the reader asks again for what is on screen
    });
    if (deferGroup === undefined) return this.#check([...map.keys()]);
    const now: string[] = [];
    let sinceYield = 0;
    for (const [key, value] of [...map.entries()]) {
      if (++sinceYield === DEFER_BATCH) {
        sinceYield = 0;
        await nextTask();
        if (map.get(key) !== value) continue; // changed meanwhile: the observer checks it
      }
      if (!this.#deferIfGrouped(key, value)) now.push(key);
    }
    return this.#check(now);
  }

  /** Sets a well-formed value with a group aside (unchecked, not counted); false if it must be checked now. */
  #deferIfGrouped(key: string, value: unknown): boolean {
    const { decode, deferGroup } = this.#options;
    if (value === undefined || deferGroup === undefined) return false;
    const known = this.#verified.get(key);
    if (known !== undefined) return false; // a replacement or a removal of a counted value: checked now
    const parsed = decode(key, value);
    const group = parsed.ok ? deferGroup(parsed.value) : null;
    if (!parsed.ok || group === null) return false;
    let members = this.#pending.get(group);
    if (members === undefined) this.#pending.set(group, (members = new Map()));
    members.set(key, parsed.value);
    this.#pendingGroup.set(key, group);
    return true;
  }

  /** Checks the deferred values of `groups`; those that pass count from then on. */
  verifyGroups(groups: Iterable<string>): Promise<void> {
    if (this.#pending.size === 0) return this.#queue;
    const { map, encode, failReason, onDrop } = this.#options;
    const batch: Array<readonly [string, T]> = [];
    for (const group of groups) {
      const members = this.#pending.get(group);
      if (members === undefined) continue;
      this.#pending.delete(group);
      for (const [key, value] of members) {
        this.#pendingGroup.delete(key);
        batch.push([key, value]);
      }
    }
    if (batch.length === 0) return this.#queue;
    this.#queue = this.#queue.then(async () => {
      let changed = false;
      const results = await this.#verifyAll(batch);
      batch.forEach(([key, value], j) => {
        if (results[j] !== true) onDrop(failReason);
        else if (map.get(key) === encode(value) && !this.#verified.has(key)) {
          this.#verified.set(key, value);
          changed = true;
        }
      });
      if (changed) this.#options.onChange?.();
    });
    return this.#queue;
  }

  /** Every group still deferred. */
  pendingGroups(): string[] {
    return [...this.#pending.keys()];
  }

  #forgetPending(key: string): void {
    const group = this.#pendingGroup.get(key);
    if (group === undefined) return;
    this.#pendingGroup.delete(key);
    const members = this.#pending.get(group);
    members?.delete(key);
    if (members?.size === 0) this.#pending.delete(group);
  }

  /** Writes a value made on this device (it is checked like any other when the map reports it). */
  set(key: string, value: T): void {
    this.#options.map.set(key, this.#options.encode(value));
  }

  /** Resolves once every check queued so far is done. */
  settled(): Promise<void> {
    return this.#queue;
  }

  /** Each value's check result, in order; VERIFY_BATCH checks run at once. */
  async #verifyAll(pairs: ReadonlyArray<readonly [string, T]>): Promise<boolean[]> {
    const results: boolean[] = [];
    for (let i = 0; i < pairs.length; i += VERIFY_BATCH) {
      results.push(...(await Promise.all(pairs.slice(i, i + VERIFY_BATCH).map(([, value]) => this.#options.verify(value)))));
    }
    return results;
  }

  #check(keys: readonly string[]): Promise<void> {
    const { map, decode, encode, failReason, onDrop, supersedes, mayRemove } = this.#options;
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
      const results = await this.#verifyAll(candidates);
      candidates.forEach(([key, value], j) => {
        if (results[j] === true) {
          this.#verified.set(key, value);
          changed = true;
          return;
        }
        onDrop(failReason);
        const known = this.#verified.get(key);
        if (known !== undefined) restore.push([key, known]);
      });
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
