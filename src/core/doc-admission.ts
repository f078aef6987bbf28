/**
 * A gate in front of Y.applyUpdate: an update from a peer is decoded and checked before it
 * touches the doc, and refused whole if anything in it is invalid (honest clients never send such
 * updates). The engine knows nothing of messages: each root map's rule is injected.
 *
 * What passes: GC and Skip structs; items holding one string (checked by the rule of the root map
 * they land in) or deleted content, set in a known root under a string key. Everything else a Yjs
 * update can carry (nested types, text, binary, several values, subdocuments) is refused.
 * Deletions of values this doc holds, by the delete set or by a deleted item landing last under
 * their key (Yjs then deletes the value it follows), may be vetoed by the rules: vetoed ones are
 * stripped from the update (the deleted item becomes a GC struct), as are deletions of clocks no
 * update has brought here yet (Yjs would keep those pending and apply them unchecked to whatever
 * arrives later under those clocks; the sender's next full sync carries them again).
 */
import * as Y from 'yjs';
import type { DropReason } from './types.js';
import {
  encodeUpdate,
  filterDeleteSet,
  findInRun,
  findStruct,
  heldValue,
  indexByClient,
  isWellFormedUpdate,
  liveValue,
  replaceByGC,
  rootNames,
  utf8Length,
  type Struct,
  type UpdateStruct,
} from './yjs-structs.js';

/** Largest update admitted unless AdmitOptions.maxBytes says otherwise: four 256 KiB history pieces. */
export const DEFAULT_MAX_UPDATE_BYTES = 1024 * 1024;

export type RuleVerdict = { readonly ok: true; readonly author: string; readonly verify: () => Promise<boolean> } | { readonly ok: false; readonly reason: DropReason };

export interface RootRule {
  /** Checks one string value set in this root under `key` (null when the key is inherited from an origin this device does not have). Never throws. */
  check(key: string | null, value: string): RuleVerdict;
}

export interface AdmissionRules {
  readonly roots: ReadonlyMap<string, RootRule>;
  /**
   * Whether `incoming` may take the place of `held`, the value this doc holds under the same key
   * (default: yes). Refused, the whole update is refused: honest peers never write over a value
   * its rule reserves to someone else (another author's message under its id, say).
   */
  readonly mayReplace?: (root: string, key: string, held: string, incoming: string) => boolean;
  /** Whether a value this doc holds may be deleted by a peer's update (default: yes). Refused deletions are stripped from the update, not a reason to refuse it. */
  readonly mayDelete?: (root: string, key: string, value: string) => boolean;
}

/** One string value an admitted update adds: null root and key when its place could not be resolved here. */
export interface AdmittedEntry {
  readonly root: string | null;
  readonly key: string | null;
  readonly author: string;
  /** UTF-8 bytes of the value (0 when no tombstone choice needs them: counting costs a pass over every string). */
  readonly bytes: number;
  readonly clientClock: readonly [number, number];
}

export type Admission =
  | { readonly ok: true; readonly update: Uint8Array; readonly entries: readonly AdmittedEntry[]; readonly strippedDeletes: number }
  | { readonly ok: false; readonly reason: DropReason };

export interface AdmitOptions {
  /** 'all': every entry's signature is checked; a number n: a random sample of n entries (a 100k history at ~110 µs per ed25519 check is 11 s). */
  readonly verify: 'all' | number;
  readonly random?: () => number;
  /** Entries to turn into tombstones (GC structs of the same length: the clocks are consumed, the content is not kept), e.g. over an author's storage budget. */
  readonly tombstone?: (entries: readonly AdmittedEntry[]) => ReadonlySet<number>;
  /** Updates longer than this are refused as 'size'; default DEFAULT_MAX_UPDATE_BYTES. */
  readonly maxBytes?: number;
}

/** Where an item's value lands in the doc. */
type Placement = { readonly kind: 'key'; readonly root: string; readonly key: string } | { readonly kind: 'unknown' } | { readonly kind: 'bad'; readonly reason: DropReason };

const UNKNOWN: Placement = { kind: 'unknown' };
const bad = (reason: DropReason): Placement => ({ kind: 'bad', reason });
const refuse = (reason: DropReason): Admission => ({ ok: false, reason });

/** Verifications run at once: enough to overlap WebCrypto calls without queueing thousands. */
const VERIFY_BATCH = 64;

interface Context {
  readonly doc: Y.Doc;
  readonly rules: AdmissionRules;
  readonly runs: Map<number, UpdateStruct[]>;
  readonly roots: Map<unknown, string>;
  readonly placed: Map<Y.Item, Placement>;
}

/** Decodes and checks a peer's update against the rules; the update to apply, or why it is refused. Never throws. */
export async function admitUpdate(doc: Y.Doc, update: Uint8Array, rules: AdmissionRules, options: AdmitOptions): Promise<Admission> {
  if (update.length > (options.maxBytes ?? DEFAULT_MAX_UPDATE_BYTES)) return refuse('size');
  let decoded: ReturnType<typeof Y.decodeUpdate>;
  try {
    decoded = Y.decodeUpdate(update);
  } catch {
    return refuse('decode');
  }
  const { structs, ds } = decoded;
  if (!isWellFormedUpdate(structs, ds)) return refuse('decode');
  const context: Context = { doc, rules, runs: indexByClient(structs), roots: rootNames(doc), placed: new Map() };

  const entries: AdmittedEntry[] = [];
  const entryStructs: number[] = [];
  const checks: (() => Promise<boolean>)[] = [];
  // Keys that get a new value here: the overwritten value's deletion comes with it (Yjs deletes it on integration anyway).
  const overwritten = new Set<string>();
  // Deleted items landing under a key: integrated last in its chain, one deletes the value held there.
  const removals = new Map<string, { readonly root: string; readonly key: string; readonly structs: number[] }>();
  for (let index = 0; index < structs.length; index++) {
    const struct = structs[index] as UpdateStruct;
    if (!(struct instanceof Y.Item)) continue;
    const { content } = struct;
    const value = content instanceof Y.ContentAny && content.arr.length === 1 && typeof content.arr[0] === 'string' ? content.arr[0] : null;
    if (value === null && !(content instanceof Y.ContentDeleted)) return refuse('shape');
    const placement = place(context, struct);
    if (placement.kind === 'bad') return refuse(placement.reason);
    // Clocks the doc already holds are skipped by Yjs: nothing to verify, charge or veto.
    const held = struct.id.clock + struct.length <= Y.getState(doc.store, struct.id.client);
    if (value === null) {
      if (held || placement.kind !== 'key') continue;
      const name = slot(placement.root, placement.key);
      const removal = removals.get(name) ?? { root: placement.root, key: placement.key, structs: [] };
      removal.structs.push(index);
      removals.set(name, removal);
      continue;
    }
    const found = placement.kind === 'key' ? checkOne(rules, placement.root, placement.key, value) : checkAny(rules, value);
    if (!found.verdict.ok) return refuse(found.verdict.reason);
    if (held) continue;
    if (placement.kind === 'key') {
      overwritten.add(slot(placement.root, placement.key));
      const held = rules.mayReplace === undefined ? null : liveValue(doc, placement.root, placement.key);
      if (held !== null && held !== value && !guardedReplace(rules, placement.root, placement.key, held, value)) return refuse('not_author');
    }
    entries.push({ root: found.root, key: placement.kind === 'key' ? placement.key : null, author: found.verdict.author, bytes: options.tombstone === undefined ? 0 : utf8Length(value), clientClock: [struct.id.client, struct.id.clock] });
    entryStructs.push(index);
    checks.push(found.verdict.verify);
  }

  if (!(await verifyEntries(checks, options))) return refuse('signature');

  // Kept: deletions of items this update brings, of held values the rules let go (or whose key it overwrites), of what is already gone.
  const filtered = filterDeleteSet(doc, ds, context.runs, (struct) => mayDeleteHeld(struct, rules, context.roots, overwritten));
  let stripped = filtered.stripped;
  // A vetoed removal becomes a GC struct: its clocks are consumed, the held value stays.
  for (const [name, { root, key, structs: indexes }] of removals) {
    const current = overwritten.has(name) ? null : liveValue(doc, root, key);
    if (current === null || mayDelete(rules, root, key, current)) continue;
    for (const index of indexes) stripped += replaceByGC(structs, index);
  }
  let tombstones = 0;
  for (const entryIndex of options.tombstone?.(entries) ?? []) {
    const index = entryStructs[entryIndex];
    if (index !== undefined && replaceByGC(structs, index) > 0) tombstones++;
  }
  const changed = stripped > 0 || tombstones > 0;
  return { ok: true, update: changed ? encodeUpdate(structs, filtered.deletes) : update, entries, strippedDeletes: stripped };
}

const slot = (root: string, key: string): string => `${root}\u0000${key}`;

/** The root map and key an item lands in, following origins (in the doc first, as Yjs does, then in the update). */
function place(context: Context, item: Y.Item): Placement {
  const chain: Y.Item[] = [];
  const visited = new Set<Y.Item>();
  let result: Placement = UNKNOWN;
  for (let current: Y.Item | null = item; current !== null; ) {
    const known = context.placed.get(current);
    if (known !== undefined) {
      result = known;
      break;
    }
    if (current.parent !== null) {
      result = placeExplicit(context.rules, current);
      break;
    }
    // A cycle of origins: such an item never integrates.
    if (visited.has(current)) break;
    visited.add(current);
    chain.push(current);
    const left = current.origin === null ? null : locate(context, current.origin);
    const right = current.rightOrigin === null ? null : locate(context, current.rightOrigin);
    // Next to a GC struct Yjs drops the item; its value must still pass some rule (checkAny).
    if (left?.struct instanceof Y.GC || right?.struct instanceof Y.GC) break;
    const next = left?.struct instanceof Y.Item ? left : right?.struct instanceof Y.Item ? right : null;
    if (next === null) break;
    if (next.inDoc) {
      result = placeInDoc(context, next.struct as Y.Item);
      break;
    }
    current = next.struct as Y.Item;
  }
  for (const link of chain) context.placed.set(link, result);
  return result;
}

/** Checks a parent and key written in the update: a root name the rules know and a string key. */
function placeExplicit(rules: AdmissionRules, item: Y.Item): Placement {
  const parent: unknown = item.parent;
  // An ID parent is an item of the doc: a nested type.
  if (typeof parent !== 'string') return bad('shape');
  if (!rules.roots.has(parent)) return bad('unknown_root');
  return item.parentSub === null ? bad('shape') : { kind: 'key', root: parent, key: item.parentSub };
}

/** Where an item of the doc lives: a root map of the rules under a key, or a refusal. */
function placeInDoc(context: Context, item: Y.Item): Placement {
  const parent = item.parent;
  if (!(parent instanceof Y.AbstractType) || parent._item !== null) return bad('shape');
  const root = context.roots.get(parent);
  if (root === undefined || !context.rules.roots.has(root)) return bad('unknown_root');
  return item.parentSub === null ? bad('shape') : { kind: 'key', root, key: item.parentSub };
}

function locate(context: Context, id: Y.ID): { readonly struct: Struct; readonly inDoc: boolean } | null {
  const held = findStruct(context.doc.store, id.client, id.clock);
  if (held !== null) return { struct: held, inDoc: true };
  const sent = findInRun(context.runs.get(id.client), id.clock);
  return sent === null || sent instanceof Y.Skip ? null : { struct: sent, inDoc: false };
}

type Found = { readonly root: string | null; readonly verdict: RuleVerdict };

function checkOne(rules: AdmissionRules, root: string, key: string, value: string): Found {
  const rule = rules.roots.get(root);
  return { root, verdict: rule === undefined ? { ok: false, reason: 'unknown_root' } : guardedCheck(rule, key, value) };
}

/** A rule that throws (it should not) refuses the value instead of escaping admitUpdate. */
function guardedCheck(rule: RootRule, key: string | null, value: string): RuleVerdict {
  try {
    return rule.check(key, value);
  } catch {
    return { ok: false, reason: 'shape' };
  }
}

/** A value whose key is unknown here passes if some rule accepts it (charged to that author); refused with the first rule's reason otherwise. */
function checkAny(rules: AdmissionRules, value: string): Found {
  let first: RuleVerdict | null = null;
  for (const rule of rules.roots.values()) {
    const verdict = guardedCheck(rule, null, value);
    if (verdict.ok) return { root: null, verdict };
    first ??= verdict;
  }
  return { root: null, verdict: first ?? { ok: false, reason: 'unknown_root' } };
}

/** Runs every check, or a random sample of them; false if any fails (or throws). */
async function verifyEntries(checks: readonly (() => Promise<boolean>)[], options: AdmitOptions): Promise<boolean> {
  let chosen: (() => Promise<boolean>)[] = [...checks];
  if (options.verify !== 'all') {
    const random = options.random ?? Math.random;
    const size = Math.max(0, Math.min(Math.floor(options.verify), chosen.length));
    // Partial Fisher–Yates: the first `size` places get a uniform sample without repeats.
    for (let i = 0; i < size; i++) {
      const j = i + Math.floor(random() * (chosen.length - i));
      [chosen[i], chosen[j]] = [chosen[j] as () => Promise<boolean>, chosen[i] as () => Promise<boolean>];
    }
    chosen = chosen.slice(0, size);
  }
  for (let start = 0; start < chosen.length; start += VERIFY_BATCH) {
    const results = await Promise.all(chosen.slice(start, start + VERIFY_BATCH).map((check) => Promise.resolve().then(check).catch(() => false)));
    if (results.includes(false)) return false;
  }
  return true;
}

/** rules.mayReplace, a throw counting as a refusal. */
function guardedReplace(rules: AdmissionRules, root: string, key: string, held: string, incoming: string): boolean {
  try {
    return rules.mayReplace?.(root, key, held, incoming) ?? true;
  } catch {
    return false;
  }
}

function mayDeleteHeld(struct: Struct, rules: AdmissionRules, roots: Map<unknown, string>, overwritten: ReadonlySet<string>): boolean {
  const held = heldValue(struct, roots);
  return held === null || overwritten.has(slot(held.root, held.key)) || mayDelete(rules, held.root, held.key, held.value);
}

/** The rules' veto; yes when they have none, no when it throws. */
function mayDelete(rules: AdmissionRules, root: string, key: string, value: string): boolean {
  try {
    return rules.mayDelete?.(root, key, value) ?? true;
  } catch {
    return false;
  }
}
