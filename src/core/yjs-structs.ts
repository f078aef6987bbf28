/**
 * Pieces of Yjs's update format (v1) under history-pieces.ts and doc-admission.ts: bounded
 * numbers, a strict state-vector parser, checks on a decoded update, locating a struct by clock
 * (in a doc or an update), filtering and writing a delete set. Yjs does not export its own
 * writeDeleteSet, and its readers trust their input.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';

/** Yjs client ids are random uint32s; anything larger did not come from Yjs. */
export const MAX_CLIENT = 0xffffffff;
/**
 * Highest clock accepted from a peer: one unit per map entry or character, so 2^32 is far beyond
 * any real client's lifetime while keeping every sum of clocks and lengths an exact integer.
 */
export const MAX_CLOCK = 2 ** 32;

export type Struct = Y.Item | Y.GC;
type Store = Y.Doc['store'];

/** True for an integer in [0, max]: rules out NaN, Infinity (lib0's over-long varints) and fractions. */
export function isBounded(value: number, max: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= max;
}

/** Bytes lib0's writeVarUint takes for `value`. */
export function varUintLength(value: number): number {
  let length = 1;
  for (let rest = value; rest > 0x7f; rest = Math.floor(rest / 128)) length++;
  return length;
}

/**
 * Parses a state vector (varUint count, then client and clock pairs) from a peer, or null: every
 * number bounded, no duplicate client, no trailing bytes. Never throws.
 */
export function parseStateVector(bytes: Uint8Array): Map<number, number> | null {
  try {
    const decoder = decoding.createDecoder(bytes);
    const count = decoding.readVarUint(decoder);
    // Each pair takes at least two bytes: a larger count is a lie, not a reason to loop.
    if (!isBounded(count, bytes.length / 2)) return null;
    const vector = new Map<number, number>();
    for (let i = 0; i < count; i++) {
      const client = decoding.readVarUint(decoder);
      const clock = decoding.readVarUint(decoder);
      if (!isBounded(client, MAX_CLIENT) || !isBounded(clock, Number.MAX_SAFE_INTEGER) || vector.has(client)) return null;
      vector.set(client, clock);
    }
    return decoding.hasContent(decoder) ? null : vector;
  } catch {
    return null;
  }
}

/** The next clock of `client` in `store` (0 when unknown). */
export function clientState(store: Store, client: number): number {
  return Y.getState(store, client);
}

/** The struct of `store` holding (client, clock), or null; unlike Y.getItem it never throws on a missing id. */
export function findStruct(store: Store, client: number, clock: number): Struct | null {
  const structs = store.clients.get(client);
  if (structs === undefined || !isBounded(clock, MAX_CLOCK) || clock >= clientState(store, client)) return null;
  return structs[Y.findIndexSS(structs, clock)] ?? null;
}

/** One deleted clock range of one client, as a delete set holds it. */
export interface DeleteRange {
  readonly clock: number;
  readonly len: number;
}

/** Bytes a delete range takes in a v1 delete set. */
export function deleteRangeLength(range: DeleteRange): number {
  return varUintLength(range.clock) + varUintLength(range.len);
}

/** Writes a v1 delete set, clients in descending order as Yjs writes them. */
export function writeDeleteSet(encoder: encoding.Encoder, ranges: ReadonlyMap<number, readonly DeleteRange[]>): void {
  const clients = [...ranges.entries()].filter(([, list]) => list.length > 0).sort((a, b) => b[0] - a[0]);
  encoding.writeVarUint(encoder, clients.length);
  for (const [client, list] of clients) {
    encoding.writeVarUint(encoder, client);
    encoding.writeVarUint(encoder, list.length);
    for (const range of list) {
      encoding.writeVarUint(encoder, range.clock);
      encoding.writeVarUint(encoder, range.len);
    }
  }
}

/** The encoded bytes of one struct written from `offset` (Yjs's own writer, v1). */
export function encodeStruct(struct: Struct | Y.Skip, offset: number): Uint8Array {
  const encoder = new Y.UpdateEncoderV1();
  struct.write(encoder, offset);
  return encoder.toUint8Array();
}

/** Root types of `doc` by the type, for naming the root an item of the doc lives in. */
export function rootNames(doc: Y.Doc): Map<unknown, string> {
  const names = new Map<unknown, string>();
  for (const [name, type] of doc.share) names.set(type, name);
  return names;
}

/** A struct of a decoded update, as Y.decodeUpdate gives them. */
export type UpdateStruct = Y.Item | Y.GC | Y.Skip;
type DecodedDeleteSet = ReturnType<typeof Y.decodeUpdate>['ds'];

const isBoundedId = (id: Y.ID | null): boolean => id === null || (isBounded(id.client, MAX_CLIENT) && isBounded(id.clock, MAX_CLOCK));

/**
 * True if every number of a decoded update is one Yjs could have written: client ids, clocks and
 * lengths bounded (lib0 decodes an over-long varint to Infinity, which Yjs would then loop on or
 * re-encode forever), no empty struct, and each client's structs in one contiguous run.
 */
export function isWellFormedUpdate(structs: readonly UpdateStruct[], ds: DecodedDeleteSet): boolean {
  const seen = new Set<number>();
  let client = -1;
  let next = 0;
  for (const struct of structs) {
    const { id, length } = struct;
    if (!isBounded(id.client, MAX_CLIENT) || !isBounded(length, MAX_CLOCK) || length < 1 || !isBounded(id.clock + length, MAX_CLOCK)) return false;
    if (id.client !== client) {
      // A client listed twice: Yjs would keep only the second run, so the checks would not see what applies.
      if (seen.has(id.client)) return false;
      seen.add(id.client);
      client = id.client;
    } else if (id.clock !== next) {
      return false;
    }
    next = id.clock + length;
    if (struct instanceof Y.Item) {
      const parent: unknown = struct.parent;
      if (!isBoundedId(struct.origin) || !isBoundedId(struct.rightOrigin)) return false;
      if (parent instanceof Y.ID && !isBoundedId(parent)) return false;
    }
  }
  for (const [dsClient, ranges] of ds.clients) {
    if (!isBounded(dsClient, MAX_CLIENT)) return false;
    for (const range of ranges) if (!isBounded(range.clock, MAX_CLOCK) || !isBounded(range.clock + range.len, MAX_CLOCK)) return false;
  }
  return true;
}

/** The structs of a decoded update by client, for finding an item's origin among them. */
export function indexByClient(structs: readonly UpdateStruct[]): Map<number, UpdateStruct[]> {
  const byClient = new Map<number, UpdateStruct[]>();
  for (const struct of structs) {
    const list = byClient.get(struct.id.client);
    if (list === undefined) byClient.set(struct.id.client, [struct]);
    else list.push(struct);
  }
  return byClient;
}

/** Index of the first struct of a run (one client's structs in clock order) that ends after `clock`. */
function firstEndingAfter(run: readonly UpdateStruct[], clock: number): number {
  let low = 0;
  let high = run.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const struct = run[middle] as UpdateStruct;
    if (struct.id.clock + struct.length <= clock) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** The struct of a run holding `clock`, or null. */
export function findInRun(run: readonly UpdateStruct[] | undefined, clock: number): UpdateStruct | null {
  const struct = run?.[firstEndingAfter(run, clock)];
  return struct !== undefined && struct.id.clock <= clock ? struct : null;
}

/** Whether a run carries content (not a Skip, not a gap) at `clock`, and the clock up to which that answer holds (> clock). */
export function contentAt(run: readonly UpdateStruct[] | undefined, clock: number): { readonly content: boolean; readonly until: number } {
  const struct = run?.[firstEndingAfter(run, clock)];
  if (struct === undefined) return { content: false, until: Infinity };
  if (clock < struct.id.clock) return { content: false, until: struct.id.clock };
  return { content: !(struct instanceof Y.Skip), until: struct.id.clock + struct.length };
}

/** Re-encodes decoded structs and a delete set as a v1 update; each client's run stays one block. */
export function encodeUpdate(structs: readonly UpdateStruct[], deletes: ReadonlyMap<number, readonly DeleteRange[]>): Uint8Array {
  const runs = indexByClient(structs);
  const encoder = new Y.UpdateEncoderV1();
  encoding.writeVarUint(encoder.restEncoder, runs.size);
  for (const [client, run] of runs) {
    encoding.writeVarUint(encoder.restEncoder, run.length);
    encoding.writeVarUint(encoder.restEncoder, client);
    encoding.writeVarUint(encoder.restEncoder, (run[0] as UpdateStruct).id.clock);
    for (const struct of run) struct.write(encoder, 0);
  }
  writeDeleteSet(encoder.restEncoder, deletes);
  return encoder.toUint8Array();
}

/** UTF-8 bytes of a string, without encoding it. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code < 0xdc00 && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      // A surrogate pair is one 4-byte character.
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** Replaces an item of a decoded update by a GC struct of its length; returns that length (0 if not an item). */
export function replaceByGC(structs: UpdateStruct[], index: number): number {
  const struct = structs[index];
  if (!(struct instanceof Y.Item)) return 0;
  structs[index] = new Y.GC(struct.id, struct.length);
  return struct.length;
}

/** The live string value a struct of the doc holds, with its root map (named in `roots`) and key; null for anything else. */
export function heldValue(struct: Struct, roots: ReadonlyMap<unknown, string>): { readonly root: string; readonly key: string; readonly value: string } | null {
  if (struct.deleted || !(struct instanceof Y.Item) || !(struct.content instanceof Y.ContentAny) || struct.parentSub === null) return null;
  const value: unknown = struct.content.arr[0];
  const parent = struct.parent;
  const root = parent instanceof Y.AbstractType && parent._item === null ? roots.get(parent) : undefined;
  return typeof value === 'string' && root !== undefined ? { root, key: struct.parentSub, value } : null;
}

/** The string value the doc holds under `key` of the root map `root`, or null. */
export function liveValue(doc: Y.Doc, root: string, key: string): string | null {
  const item = doc.share.get(root)?._map.get(key);
  if (item === undefined || item.deleted || !(item.content instanceof Y.ContentAny)) return null;
  const value: unknown = item.content.arr[0];
  return typeof value === 'string' ? value : null;
}

/**
 * A delete set cut down to what a peer's update may delete: of what the doc holds, the structs
 * `mayDelete` lets go; beyond it, only clocks this update (its structs by client in `runs`) or a
 * pending one carries. Returns the kept ranges and the clock units stripped.
 */
export function filterDeleteSet(
  doc: Y.Doc,
  ds: DecodedDeleteSet,
  runs: ReadonlyMap<number, readonly UpdateStruct[]>,
  mayDelete: (struct: Struct) => boolean,
): { deletes: Map<number, DeleteRange[]>; stripped: number } {
  const deletes = new Map<number, DeleteRange[]>();
  let stripped = 0;
  let pendingRuns: Map<number, UpdateStruct[]> | null = null;
  // Structs Yjs holds aside until what they follow arrives: decoded only when a deletion reaches past the doc.
  const pending = (): Map<number, UpdateStruct[]> => (pendingRuns ??= decodePending(doc));
  for (const [client, ranges] of ds.clients) {
    const kept: DeleteRange[] = [];
    const settle = (clock: number, stop: number, keep: boolean): number => {
      const last = kept[kept.length - 1];
      if (!keep) stripped += stop - clock;
      else if (last !== undefined && last.clock + last.len === clock) kept[kept.length - 1] = { clock: last.clock, len: last.len + stop - clock };
      else kept.push({ clock, len: stop - clock });
      return stop;
    };
    for (const range of ranges) {
      const end = range.clock + range.len;
      for (let clock = range.clock; clock < end; ) {
        const struct = findStruct(doc.store, client, clock);
        if (struct !== null) {
          clock = settle(clock, Math.min(end, struct.id.clock + struct.length), mayDelete(struct));
          continue;
        }
        const sent = contentAt(runs.get(client), clock);
        const waiting = contentAt(pending().get(client), clock);
        if (sent.content || waiting.content) clock = settle(clock, Math.min(end, sent.content ? sent.until : waiting.until), true);
        else clock = settle(clock, Math.min(end, sent.until, waiting.until), false);
      }
    }
    if (kept.length > 0) deletes.set(client, kept);
  }
  return { deletes, stripped };
}

function decodePending(doc: Y.Doc): Map<number, UpdateStruct[]> {
  const update = doc.store.pendingStructs?.update;
  if (update === undefined) return new Map();
  try {
    return indexByClient(Y.decodeUpdateV2(update).structs);
  } catch {
    return new Map();
  }
}
