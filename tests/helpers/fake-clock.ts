import type { MeshTimers } from '../../src/transport/peer-mesh.js';

/** A clock that moves only when told; its timers run in due order (ties: the order they were set), each at its own time. */
export class FakeClock implements MeshTimers {
  private time = Date.UTC(2030, 0, 1);
  private nextHandle = 1;
  private readonly timers = new Map<number, { readonly due: number; readonly callback: () => void }>();
  now(): number {
    return this.time;
  }
  setTimeout(callback: () => void, ms: number): number {
    const handle = this.nextHandle++;
    this.timers.set(handle, { due: this.time + Math.max(0, ms), callback });
    return handle;
  }
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  /** Moves time forward by `ms`, running every timer that falls due on the way, also ones set meanwhile. */
  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      let next: [number, { readonly due: number; readonly callback: () => void }] | undefined;
      for (const timer of this.timers) if (timer[1].due <= until && (next === undefined || timer[1].due < next[1].due)) next = timer;
      if (next === undefined) break;
      this.timers.delete(next[0]);
      this.time = next[1].due;
      next[1].callback();
    }
    this.time = until;
  }
  /** Moves time forward without running what fell due: a device that slept, whose timers fire late. */
  jump(ms: number): void {
    this.time += ms;
  }
}

