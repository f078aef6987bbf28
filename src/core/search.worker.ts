/** The search worker's entry: binds the worker core (search-worker-core.ts) to the worker's messages. */
import { createSearchWorkerCore } from './search-worker-core.js';
import type { FromWorker } from './search-protocol.js';

/** The little of the worker global this file uses (core/ is built without DOM or worker types). */
interface WorkerScope {
  postMessage(message: FromWorker): void;
  onmessage: ((event: { data: unknown }) => void) | null;
}

const scope = globalThis as unknown as WorkerScope;
const core = createSearchWorkerCore((message) => scope.postMessage(message));
scope.onmessage = (event) => {
  try {
    core.receive(event.data);
  } catch {
    // A bug on one message must not stop the index answering the next.
  }
};
