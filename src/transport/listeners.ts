/**
 * A set of listeners with subscribe (returning its unsubscribe) and emit: what the links calls
 * and files use (media-links.ts, file-links.ts) to hear messages and changes of the connections.
 */
export interface Listeners<A extends unknown[]> {
  /** Adds `listener`; returns what removes it. */
  add(listener: (...args: A) => void): () => void;
  emit(...args: A): void;
}

export function createListeners<A extends unknown[]>(): Listeners<A> {
  const listeners = new Set<(...args: A) => void>();
  return {
    add(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    emit(...args) {
      for (const listener of listeners) listener(...args);
    },
  };
}
