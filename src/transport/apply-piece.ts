/**
 * Applying a history piece without Yjs encoding it a second time. With any 'update' listener on
 * the doc, Yjs re-encodes every applied transaction to hand it to them; for a streamed history that
 * was a sixth of the joining page's work (1.2 s of 100k messages), to produce bytes equal in
 * content to the piece just admitted. So the listeners are set aside while the piece is applied and
 * then called with the piece itself: storage keeps the piece as it came (applying it again is
 * idempotent), and the provider skips history origins anyway.
 *
 * Relies on lib0's Observable keeping its listeners in `_observers` (a Map of Sets); if that ever
 * changes, this falls back to a plain apply.
 */
import * as Y from 'yjs';

type Listener = (update: Uint8Array, origin: unknown, doc: Y.Doc, transaction: Y.Transaction | null) => void;

/** Applies `piece` to `doc`, then calls the doc's 'update' listeners with it if it changed anything. Throws as Y.applyUpdate does. */
export function applyPiece(doc: Y.Doc, piece: Uint8Array, origin: unknown): void {
  const observers = (doc as unknown as { _observers?: unknown })._observers;
  const listeners = observers instanceof Map ? (observers.get('update') as Set<Listener> | undefined) : undefined;
  if (!(observers instanceof Map) || listeners === undefined || listeners.size === 0) {
    Y.applyUpdate(doc, piece, origin);
    return;
  }
  let changed = false;
  // Yjs's own test for emitting 'update': something was deleted, or some client's clock moved.
  const noteChange = (transaction: Y.Transaction): void => {
    if (transaction.deleteSet.clients.size > 0) changed = true;
    for (const [client, clock] of transaction.afterState) if (transaction.beforeState.get(client) !== clock) changed = true;
  };
  observers.delete('update');
  doc.on('afterTransaction', noteChange);
  try {
    Y.applyUpdate(doc, piece, origin);
  } finally {
    doc.off('afterTransaction', noteChange);
    observers.set('update', listeners);
  }
  if (changed) for (const listener of [...listeners]) listener(piece, origin, doc, null);
}
