/**
 * Whom this device asks for the history it lacks. A history is fetched from one peer at a time:
 * asking every new connection at once (as before) made a joiner receive the whole history once
 * per peer. The others are asked once it is in, for the little they hold beyond it. A history
 * whose peer leaves, or that stops making progress, is resumed from the next peer: each piece is
 * in the document as it arrives, so the next peer streams only the rest.
 */
import { HISTORY_STALL_MS, type Link } from './link.js';

export interface HistoryRequests {
  /** A link is ready to be asked (connected, and this device's stored history is loaded). */
  add(link: Link): void;
  /** The link's history is in. */
  done(link: Link): void;
  /** The link closed (a history it was streaming resumes elsewhere). */
  remove(link: Link): void;
  /** The link whose history is coming in now, if any. */
  current(): Link | null;
  /** Gives up on a history that stopped making progress (the peer is asked again after the others); returns the link given up on, if any. */
  checkStalled(): Link | null;
}

export function createHistoryRequests(ask: (link: Link) => void, now: () => number): HistoryRequests {
  /** Links not asked yet, in the order they came. */
  const waiting = new Set<Link>();
  let current: Link | null = null;

  const next = (): void => {
    if (current !== null) return;
    for (const link of waiting) {
      waiting.delete(link);
      if (link.closed) continue;
      current = link;
      ask(link);
      return;
    }
  };

  return {
    current: () => current,
    add(link) {
      // Other tabs are this device: asked at once, alongside any peer.
      if (link.trusted) return ask(link);
      // Asked already, or about to be: once is enough (its answer covers what it learned since).
      if (link === current || waiting.has(link)) return;
      waiting.add(link);
      next();
    },
    done(link) {
      if (current === link) current = null;
      next();
    },
    remove(link) {
      waiting.delete(link);
      if (current !== link) return;
      current = null;
      next();
    },
    checkStalled() {
      const link = current;
      if (link === null || !link.incoming || now() - link.lastProgress < HISTORY_STALL_MS) return null;
      link.incoming = false;
      current = null;
      // Asked again after the others: it may only have been slow, and may hold what nobody else does.
      waiting.add(link);
      next();
      return link;
    },
  };
}
