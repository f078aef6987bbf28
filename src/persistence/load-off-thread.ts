/** Runs RoomStore.loadState in a worker where the platform has workers (browsers); see load-worker.ts. */
import type { RoomKeys } from '../crypto/keys.js';

export type LoadRequest = Pick<RoomKeys, 'roomId' | 'storeKey'>;
export type LoadResponse = { readonly ok: boolean; readonly state: Uint8Array | null; readonly drops: string[] };

/**
 * The room's merged stored history, loaded in a worker; undefined where workers are unavailable
 * or the worker fails, so the caller loads on this thread instead.
 */
export function loadStateOffThread(keys: LoadRequest): Promise<LoadResponse> | undefined {
  if (typeof Worker === 'undefined') return undefined;
  let worker: Worker;
  try {
    worker = new Worker(new URL('./load-worker.ts', import.meta.url), { type: 'module', name: 'parley-history-loader' });
  } catch {
    return undefined;
  }
  return new Promise<LoadResponse>((resolve) => {
    const finish = (response: LoadResponse): void => {
      worker.terminate();
      resolve(response);
    };
    worker.onmessage = (event: MessageEvent<LoadResponse>) => finish(event.data);
    worker.onerror = () => finish({ ok: false, state: null, drops: [] });
    worker.postMessage({ roomId: keys.roomId, storeKey: keys.storeKey } satisfies LoadRequest);
  });
}
