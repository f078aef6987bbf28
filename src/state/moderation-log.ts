/**
 * The room's moderation actions, read from the shared document's `moderation` map: each value
 * is parsed (core/moderation.ts) and its signature checked against the room's admin key before
 * it counts (verified-map.ts: anything else is dropped and counted, and verified actions someone
 * removes are put back), then reduced to the room's moderation state.
 */
import type * as Y from 'yjs';
import { decodeModerationAction, encodeModerationAction, reduceModeration, verifyModerationAction, type ModerationAction, type ModerationState } from '../core/moderation.js';
import type { DropReason } from '../core/types.js';
import { VerifiedMap } from './verified-map.js';

export interface ModerationLogOptions {
  readonly map: Y.Map<unknown>;
  /** The room admin's public key (base64url), or null for a room without an admin: then nothing counts. */
  readonly adminKey: string | null;
  readonly onDrop: (reason: DropReason) => void;
  readonly onChange: (state: ModerationState) => void;
}

export class ModerationLog {
  readonly #actions: VerifiedMap<ModerationAction>;
  #state: ModerationState = reduceModeration([]);

  constructor(options: ModerationLogOptions) {
    const { adminKey } = options;
    this.#actions = new VerifiedMap({
      map: options.map,
      decode: (key, value) => {
        const parsed = decodeModerationAction(key, value);
        return parsed.ok ? { ok: true, value: parsed.action } : parsed;
      },
      encode: encodeModerationAction,
      verify: async (action) => adminKey !== null && (await verifyModerationAction(action, adminKey)),
      failReason: 'not_admin',
      onDrop: options.onDrop,
      onChange: () => {
        this.#state = reduceModeration(this.#actions.values.values());
        options.onChange(this.#state);
      },
    });
  }

  get state(): ModerationState {
    return this.#state;
  }

  /** Reads every action in the map now, then follows its changes. */
  start(): Promise<void> {
    return this.#actions.start();
  }

  /** Adds an action made on this device (already signed by the admin key). */
  add(action: ModerationAction): void {
    this.#actions.set(action.id, action);
  }
}
