/**
 * The search worker's behaviour, apart from the worker global so Node tests drive it: keeps the
 * index, answers queries, and drops (counting) anything posted to it that is not a message it knows.
 */
import { createSearchIndex, type SearchIndexLimits } from './search-index.js';
import { parseQuery } from './search-text.js';
import { parseToWorker, type FromWorker } from './search-protocol.js';

export interface SearchWorkerCore {
  /** Handles one posted message. */
  receive(data: unknown): void;
  /** Messages dropped as malformed. */
  readonly dropped: number;
  /** Messages held by the index. */
  readonly size: number;
}

/** A worker core that answers through `post`. */
export function createSearchWorkerCore(post: (message: FromWorker) => void, limits?: SearchIndexLimits): SearchWorkerCore {
  const index = createSearchIndex(limits);
  let dropped = 0;
  return {
    get dropped(): number {
      return dropped;
    },
    get size(): number {
      return index.size;
    },
    receive(data: unknown): void {
      const message = parseToWorker(data);
      if (message === null) {
        dropped++;
        return;
      }
      if (message.type === 'add') {
        for (const doc of message.docs) index.add(doc);
        index.settle();
      } else if (message.type === 'remove') for (const id of message.ids) index.remove(id);
      else post({ type: 'results', seq: message.seq, ...index.search(parseQuery(message.text), message.limit) });
    },
  };
}
