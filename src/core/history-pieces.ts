/**
 * A sync reply cut into bounded pieces: what a doc holds beyond a peer's state vector, as a
 * series of Yjs v1 updates of about maxBytes each, every one applicable as it arrives.
 *
 * A late joiner used to get the whole history as one update (32 MiB for 100k messages), which
 * needed a huge message allowance and froze the page while it was built and applied. Here each
 * piece is written straight from the doc's struct store, as Yjs's own writeStructs does, so
 * nothing is kept between pieces but the cursor: per client, the next clock to send. The doc may
 * change between pieces (new items, deletions, GC merging structs): every piece locates its
 * structs by clock again, never by an array index kept from before.
 *
 * Pieces carry structs client by client (highest client id first, as Yjs writes them) in clock
 * order. The delete set comes last: in the piece that sends the last struct if it fits, else in
 * the pieces after, cut by client and clock so that no piece outgrows the bound; the piece that
 * finishes it is `last`. Deletions made after the start still reach the peer as live updates.
 */
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { deleteRangeLength, parseStateVector, varUintLength, writeDeleteSet, type DeleteRange } from './yjs-structs.js';

declare const cursorBrand: unique symbol;
/** Where a history reply stands; opaque: only this module reads it. */
export interface HistoryCursor {
  readonly [cursorBrand]: true;
}

interface ClientRange {
  readonly client: number;
  /** Next clock to send; advances by whole structs, so it may pass `end`. */
  clock: number;
  /** Our clock for this client when the reply started. */
  readonly end: number;
}

interface CursorState {
  /** Highest client first. */
  readonly ranges: ClientRange[];
  phase: 'structs' | 'deletes' | 'done';
  /** Delete set progress: clients above `deleteClient` are done, and it is done below `deleteClock`. */
  deleteClient: number;
  deleteClock: number;
}

const state = (cursor: HistoryCursor): CursorState => cursor as unknown as CursorState;

/** Starts a reply to `theirStateVector`; null if it is malformed (never throws). */
export function startHistory(doc: Y.Doc, theirStateVector: Uint8Array): HistoryCursor | null {
  const theirs = parseStateVector(theirStateVector);
  if (theirs === null) return null;
  const ranges: ClientRange[] = [];
  for (const client of doc.store.clients.keys()) {
    const ours = Y.getState(doc.store, client);
    const from = theirs.get(client) ?? 0;
    if (ours > from) ranges.push({ client, clock: from, end: ours });
  }
  // Higher client ids first, like Yjs: it makes its conflict resolution cheaper on the receiver.
  ranges.sort((a, b) => b.client - a.client);
  const cursor: CursorState = { ranges, phase: 'structs', deleteClient: Infinity, deleteClock: 0 };
  return cursor as unknown as HistoryCursor;
}

/** Clock units (map entries) still to send, for progress. */
export function remaining(cursor: HistoryCursor): number {
  return state(cursor).ranges.reduce((sum, range) => sum + Math.max(0, range.end - range.clock), 0);
}

/** True once the last piece has been produced. */
export function isDone(cursor: HistoryCursor): boolean {
  return state(cursor).phase === 'done';
}

/** What one piece collects before it is encoded. */
interface Piece {
  readonly maxBytes: number;
  /** Bytes so far, counting the reserve for headers. */
  used: number;
  /** Structs and delete ranges written; the first one always goes in, however big. */
  units: number;
  readonly blocks: { client: number; clock: number; count: number; bytes: Uint8Array }[];
  readonly deletes: Map<number, DeleteRange[]>;
}

/** The least a client's share of a piece is, so a piece for many small clients still carries each a few entries. */
const MIN_SHARE_BYTES = 4096;

/** Whether `bytes` more fit in the piece; always true for its first struct or range, however big. */
function fits(piece: Piece, bytes: number): boolean {
  return piece.units === 0 || piece.used + bytes <= piece.maxBytes;
}

/** The next piece: a Yjs v1 update of at most about maxBytes (a single struct bigger than that goes alone), and whether it is the last. */
export function nextPiece(doc: Y.Doc, cursor: HistoryCursor, maxBytes: number): { readonly update: Uint8Array; readonly last: boolean } {
  const current = state(cursor);
  // Counts (of blocks, structs, ranges) cannot exceed the piece's bytes: reserve their largest form.
  const countBytes = varUintLength(Math.max(maxBytes, 1));
  const piece: Piece = { maxBytes, used: 2 * varUintLength(current.ranges.length + doc.store.clients.size), units: 0, blocks: [], deletes: new Map() };
  if (current.phase === 'structs') {
    // Each client still to send gets a share of the piece: clients' entries are each in time order,
    // so a piece then carries one stretch of time from all of them, and the receiver adds each piece
    // after the last (its log and flood gate append instead of merging through the whole history).
    const open = current.ranges.filter((range) => range.clock < range.end);
    const share = Math.max(MIN_SHARE_BYTES, Math.floor(maxBytes / Math.max(1, open.length)));
    for (const range of open) {
      if (!addStructs(doc, range, piece, countBytes, piece.used + share)) break;
    }
    if (current.ranges.every((range) => range.clock >= range.end)) current.phase = 'deletes';
  }
  if (current.phase === 'deletes' && addDeletes(doc, current, piece, countBytes)) current.phase = 'done';
  return { update: encodePiece(piece), last: current.phase === 'done' };
}

/** Adds the structs of one client from its cursor clock, up to `until` bytes of the piece; false when the piece is full. */
function addStructs(doc: Y.Doc, range: ClientRange, piece: Piece, countBytes: number, until: number): boolean {
  const structs = doc.store.clients.get(range.client);
  if (structs === undefined || structs.length === 0) {
    range.clock = range.end;
    return true;
  }
  // Structs always start at clock 0 in a store; kept from Yjs's writeStructs for safety.
  const first = structs[0] as Y.Item | Y.GC;
  range.clock = Math.max(range.clock, first.id.clock);
  const header = countBytes + varUintLength(range.client) + varUintLength(range.clock);
  if (!fits(piece, header)) return false;
  const start = range.clock;
  // One encoder for the block, measured as it grows: a piece ends after the struct that fills it,
  // so it may pass maxBytes by less than one struct (an encoder per struct to measure it first made
  // a 100k-message history cost the sender 3 s of encoding).
  const encoder = new Y.UpdateEncoderV1();
  let count = 0;
  let full = false;
  // Located by clock on every call: since the last piece, structs may have been split or merged.
  let index = Y.findIndexSS(structs, range.clock);
  for (let struct = structs[index]; struct !== undefined && range.clock < range.end; struct = structs[++index]) {
    const before = encoding.length(encoder.restEncoder);
    struct.write(encoder, range.clock - struct.id.clock);
    piece.used += encoding.length(encoder.restEncoder) - before + (count === 0 ? header : 0);
    piece.units++;
    count++;
    range.clock = struct.id.clock + struct.length;
    if (piece.used >= piece.maxBytes) {
      full = true;
      break;
    }
    if (piece.used >= until) break;
  }
  if (count > 0) piece.blocks.push({ client: range.client, clock: start, count, bytes: encoder.toUint8Array() });
  return !full;
}

/** Adds delete ranges from the cursor on; true when the whole delete set has been sent. */
function addDeletes(doc: Y.Doc, current: CursorState, piece: Piece, countBytes: number): boolean {
  const clients = [...doc.store.clients.keys()].filter((client) => client <= current.deleteClient).sort((a, b) => b - a);
  for (const client of clients) {
    const structs = doc.store.clients.get(client) ?? [];
    const from = client === current.deleteClient ? current.deleteClock : 0;
    const end = Y.getState(doc.store, client);
    current.deleteClient = client;
    current.deleteClock = from;
    if (from >= end || structs.length === 0) continue;
    const header = varUintLength(client) + countBytes;
    const list: DeleteRange[] = [];
    let index = Y.findIndexSS(structs, from);
    while (index < structs.length) {
      const start = structs[index] as Y.Item | Y.GC;
      if (!start.deleted) {
        index++;
        continue;
      }
      // One range per run of adjacent deleted structs, as createDeleteSetFromStructStore makes them.
      const clock = Math.max(from, start.id.clock);
      let stop = start.id.clock + start.length;
      for (index++; index < structs.length && (structs[index] as Y.Item | Y.GC).deleted; index++) {
        const next = structs[index] as Y.Item | Y.GC;
        stop = next.id.clock + next.length;
      }
      const range = { clock, len: stop - clock };
      const cost = deleteRangeLength(range) + (list.length === 0 ? header : 0);
      if (!fits(piece, cost)) {
        if (list.length > 0) piece.deletes.set(client, list);
        current.deleteClock = clock;
        return false;
      }
      piece.used += cost;
      piece.units++;
      list.push(range);
      current.deleteClock = stop;
    }
    if (list.length > 0) piece.deletes.set(client, list);
    current.deleteClock = end;
  }
  return true;
}

function encodePiece(piece: Piece): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, piece.blocks.length);
  for (const block of piece.blocks) {
    encoding.writeVarUint(encoder, block.count);
    encoding.writeVarUint(encoder, block.client);
    encoding.writeVarUint(encoder, block.clock);
    encoding.writeUint8Array(encoder, block.bytes);
  }
  writeDeleteSet(encoder, piece.deletes);
  return encoding.toUint8Array(encoder);
}
