/**
 * Holds the work that touches the document until this device's stored history is loaded: peers are
 * neither sent a half-loaded state nor asked only for what a half-loaded document lacks. Bounded:
 * beyond MAX_HELD items, more are dropped (the sync that follows loading brings what they carried).
 */
const MAX_HELD = 256;

export type HeldWork = () => Promise<void> | void;

export interface HistoryGate {
  /** Runs `work` now if the history is loaded, else once it is (in order); false if it was dropped. */
  whenReady(work: HeldWork): Promise<void>;
}

/** `loaded`: resolves once the history is in (undefined: it already is). `onDropped`: a held item beyond the bound. */
export function createHistoryGate(loaded: Promise<void> | undefined, isDestroyed: () => boolean, onDropped: () => void): HistoryGate {
  let ready = loaded === undefined;
  let held: HeldWork[] = [];
  let run: Promise<void> = Promise.resolve();
  loaded?.then(() => {
    if (isDestroyed()) return;
    ready = true;
    for (const work of held.splice(0)) run = run.then(work).catch(() => undefined);
    held = [];
  }, () => undefined);
  return {
    whenReady(work) {
      if (ready) return Promise.resolve(work());
      if (held.length < MAX_HELD) held.push(work);
      else onDropped();
      return Promise.resolve();
    },
  };
}
