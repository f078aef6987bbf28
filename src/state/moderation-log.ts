/**
 * The room's moderation actions, read from the shared document's `moderation` map: each value
 * is parsed (core/moderation.ts) and its signature checked against the room's admin key before
 * it counts; anything else is dropped and counted. Verified actions are kept here too, so if a
 * member removes one from the document (Yjs lets anyone delete a map key), this device puts it
 * back rather than letting a ban or a deletion be undone.
 */
import type * as Y from 'yjs';
import { decodeModerationAction, encodeModerationAction, reduceModeration, verifyModerationAction, type ModerationAction, type ModerationState } from '../core/moderation.js';
import type { DropReason } from '../core/types.js';

export interface ModerationLogOptions {
  readonly map: Y.Map<unknown>;
  /** The room admin's public key (base64url), or null for a room without an admin: then nothing counts. */
  readonly adminKey: string | null;
  readonly onDrop: (reason: DropReason) => void;
  readonly onChange: (state: ModerationState) => void;
}

/** Transaction origin of actions this device restores, so they are not checked again. */
const RESTORE_ORIGIN = 'moderation-restore';

export class ModerationLog {
  readonly #options: ModerationLogOptions;
  readonly #verified = new Map<string, ModerationAction>();
  /** Checks run in order, so the state only ever moves forward. */
  #queue: Promise<void> = Promise.resolve();
  #state: ModerationState = reduceModeration([]);

  constructor(options: ModerationLogOptions) {
    this.#options = options;
  }

  get state(): ModerationState {
    return this.#state;
  }

  /** Reads every action in the map now, then follows its changes. */
  start(): Promise<void> {
    const { map } = this.#options;
    map.observe((event) => {
      if (event.transaction.origin !== RESTORE_ORIGIN) this.#check([...event.keysChanged]);
    });
    return this.#check([...map.keys()]);
  }

  /** Adds an action made on this device (already signed by the admin key). */
  add(action: ModerationAction): void {
    this.#options.map.set(action.id, encodeModerationAction(action));
  }

  #check(keys: readonly string[]): Promise<void> {
    const { map, adminKey, onDrop } = this.#options;
    const snapshot = keys.map((key) => [key, map.get(key)] as const);
    this.#queue = this.#queue.then(async () => {
      let changed = false;
      const restore: ModerationAction[] = [];
      for (const [key, value] of snapshot) {
        const known = this.#verified.get(key);
        if (value === undefined) {
          if (known !== undefined) restore.push(known);
          continue;
        }
        if (known !== undefined && value === encodeModerationAction(known)) continue;
        const parsed = decodeModerationAction(key, value);
        if (!parsed.ok) {
          onDrop(parsed.reason);
          if (known !== undefined) restore.push(known);
          continue;
        }
        if (adminKey === null || !(await verifyModerationAction(parsed.action, adminKey))) {
          onDrop('not_admin');
          if (known !== undefined) restore.push(known);
          continue;
        }
        this.#verified.set(key, parsed.action);
        changed = true;
      }
      if (restore.length > 0) {
        map.doc?.transact(() => {
          for (const action of restore) map.set(action.id, encodeModerationAction(action));
        }, RESTORE_ORIGIN);
      }
      if (changed) {
        this.#state = reduceModeration(this.#verified.values());
        this.#options.onChange(this.#state);
      }
    });
    return this.#queue;
  }
}
