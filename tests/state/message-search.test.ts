import { describe, expect, it } from 'vitest';
import { MessageSearch, type SearchPort, type SearchSource } from '../../src/state/message-search.svelte.js';
import { createSearchWorkerCore } from '../../src/core/search-worker-core.js';
import type { ToWorker } from '../../src/core/search-protocol.js';
import type { MessageEntry } from '../../src/core/types.js';

/** The worker core in this thread, answering on the next task as a worker would. */
function inProcessPort(): SearchPort & { posted: ToWorker[] } {
  const port: SearchPort & { posted: ToWorker[] } = {
    posted: [],
    onmessage: null,
    postMessage(message) {
      port.posted.push(message);
      const copy = structuredClone(message);
      setTimeout(() => core.receive(copy), 0);
    },
    terminate() {},
  };
  const core = createSearchWorkerCore((answer) => setTimeout(() => port.onmessage?.({ data: structuredClone(answer) }), 0));
  return port;
}

const entry = (n: number, text: string): MessageEntry => ({ v: 1, id: `id${n}`, author: 'A'.repeat(43), nick: 'Ana', hlc: `0000000${n}-0`, text, sig: 'x' });
const settle = (ms = 400): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('MessageSearch', () => {
  it('indexes what the conversation shows, follows edits and removals, and answers only the latest query', async () => {
    let shown = [entry(1, 'coffee at noon'), entry(2, 'tea later'), entry(3, 'more coffee')];
    const edits = new Map<string, string>();
    const source: SearchSource = { shown: () => shown, textOf: (message) => edits.get(message.id) ?? message.text };
    const port = inProcessPort();
    const search = new MessageSearch(source, port);
    search.search('cof');
    await settle();
    expect(search.hits?.map((hit) => hit.id)).toEqual(['id3', 'id1']);
    expect(search.total).toBe(2);

    // An edit and a deletion reach the index on the next pass; only what changed is sent again.
    edits.set('id2', 'coffee after all');
    shown = shown.filter((message) => message.id !== 'id1');
    const sentBefore = port.posted.length;
    search.changed();
    await settle();
    expect(search.hits?.map((hit) => hit.id)).toEqual(['id3', 'id2']);
    const resent = port.posted.slice(sentBefore).filter((message) => message.type === 'add').flatMap((message) => (message.type === 'add' ? message.docs.map((doc) => doc.id) : []));
    expect(resent).toEqual(['id2']);

    // Typing on: an answer to an older query is not shown.
    search.search('tea');
    search.search('more');
    await settle();
    expect(search.hits?.map((hit) => hit.id)).toEqual(['id3']);
    search.search('   ');
    expect(search.hits).toEqual([]);
    search.close();
  });
});
