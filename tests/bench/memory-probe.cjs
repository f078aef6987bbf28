'use strict';
// Preloaded into a benchmarked server (`node --expose-gc --require tests/bench/memory-probe.cjs ...`).
// On the IPC message {type:'bench:memory'} it runs a few full GCs and answers with process.memoryUsage().
// Only registers a listener; it adds nothing to the server's work otherwise.
if (typeof process.send === 'function') {
  process.on('message', (message) => {
    if (message === null || typeof message !== 'object' || message.type !== 'bench:memory') return;
    if (typeof globalThis.gc === 'function') for (let i = 0; i < 3; i++) globalThis.gc();
    const usage = process.memoryUsage();
    process.send({ type: 'bench:memory', id: message.id, gc: typeof globalThis.gc === 'function', ...usage });
  });
  // The IPC channel must not keep a server alive that would otherwise exit.
  if (process.channel && typeof process.channel.unref === 'function') process.channel.unref();
}
