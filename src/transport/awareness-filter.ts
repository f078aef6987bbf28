/**
 * Awareness updates from peers are decoded, each state checked, and re-encoded with only the
 * valid ones before y-protocols applies them. Wire format (y-protocols/awareness):
 * varUint count, then per client: varUint clientID, varUint clock, varString JSON state.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

/** Client states one update may carry: a greeting carries everyone in the room (the node caps a topic at 256). */
export const MAX_CLIENTS_PER_UPDATE = 1000;
const MAX_STATE_CHARS = 4096;

export interface FilteredAwareness {
  /** The update holding only valid states; null if nothing valid remained. */
  readonly update: Uint8Array | null;
  readonly dropped: number;
}

/** The number of client states `update` says it carries (its first varUint), without decoding them; null if unreadable. */
export function countAwarenessStates(update: Uint8Array): number | null {
  try {
    return decoding.readVarUint(decoding.createDecoder(update));
  } catch {
    return null;
  }
}

/** Keeps removals (null states) and states `isValid` accepts; a malformed update is dropped whole. */
export function filterAwarenessUpdate(update: Uint8Array, isValid: (state: unknown) => boolean): FilteredAwareness | null {
  const kept: Array<{ client: number; clock: number; json: string }> = [];
  let dropped = 0;
  try {
    const decoder = decoding.createDecoder(update);
    const count = decoding.readVarUint(decoder);
    if (count > MAX_CLIENTS_PER_UPDATE) return null;
    for (let i = 0; i < count; i++) {
      const client = decoding.readVarUint(decoder);
      const clock = decoding.readVarUint(decoder);
      const json = decoding.readVarString(decoder);
      if (json.length > MAX_STATE_CHARS) {
        dropped++;
        continue;
      }
      const state: unknown = JSON.parse(json);
      if (state === null || isValid(state)) kept.push({ client, clock, json });
      else dropped++;
    }
    if (decoding.hasContent(decoder)) return null;
  } catch {
    return null;
  }
  if (kept.length === 0) return { update: null, dropped };
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, kept.length);
  for (const { client, clock, json } of kept) {
    encoding.writeVarUint(encoder, client);
    encoding.writeVarUint(encoder, clock);
    encoding.writeVarString(encoder, json);
  }
  return { update: encoding.toUint8Array(encoder), dropped };
}
