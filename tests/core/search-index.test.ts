import { describe, expect, it } from 'vitest';
import { createSearchIndex, type SearchDoc } from '../../src/core/search-index.js';
import { parseQuery } from '../../src/core/search-text.js';
import { createSearchWorkerCore } from '../../src/core/search-worker-core.js';
import { MAX_DOC_CHARS, parseFromWorker, type FromWorker } from '../../src/core/search-protocol.js';
import { MAX_TEXT_CHARS } from '../../src/core/message-entry.js';

const stamp = (n: number): string => `${String(1_700_000_000_000 + n * 1000).padStart(13, '0')}-0000`;
const doc = (n: number, text: string, author = 'alice'): SearchDoc => ({ id: `m${n}`, author, stamp: stamp(n), text });
const ids = (index: ReturnType<typeof createSearchIndex>, typed: string, limit = 50): string[] => index.search(parseQuery(typed), limit).hits.map((hit) => hit.id);

describe('search index', () => {
  it('finds words in each script, newest first', () => {
    const index = createSearchIndex();
    index.add(doc(1, 'Meet me at the station'));
    index.add(doc(2, 'Встретимся на вокзале, ёлки!'));
    index.add(doc(3, 'Spotkajmy się na dworcu, żółć'));
    index.add(doc(4, '駅で会いましょう、東京駅です'));
    index.add(doc(5, 'در ايستگاه می‌بينمت'));
    index.add(doc(6, 'the station again'));
    expect(ids(index, 'station ')).toEqual(['m6', 'm1']);
    expect(ids(index, 'елки ')).toEqual(['m2']);
    expect(ids(index, 'zolc')).toEqual(['m3']);
    expect(ids(index, '東京駅')).toEqual(['m4']);
    expect(ids(index, '駅')).toEqual(['m4']);
    // Persian typed with Persian yeh finds text written with Arabic yeh; ZWNJ or not.
    expect(ids(index, 'ایستگاه ')).toEqual(['m5']);
    expect(ids(index, 'میبینمت ')).toEqual(['m5']);
  });

  it('matches the word being typed as a prefix, and requires every word', () => {
    const index = createSearchIndex();
    index.add(doc(1, 'coffee tomorrow?'));
    index.add(doc(2, 'tea tomorrow'));
    index.add(doc(3, 'coffee now'));
    expect(ids(index, 'tom')).toEqual(['m2', 'm1']);
    expect(ids(index, 'coffee tom')).toEqual(['m1']);
    expect(ids(index, 'tom ')).toEqual([]);
    expect(ids(index, 'coffee tea ')).toEqual([]);
  });

  it('finds CJK runs only where their characters stand in a row', () => {
    const index = createSearchIndex();
    index.add(doc(1, '京都と東京'));
    index.add(doc(2, '東京都庁'));
    expect(ids(index, '東京都')).toEqual(['m2']);
    expect(ids(index, '京都')).toEqual(['m2', 'm1']);
  });

  it('follows edits and deletions', () => {
    const index = createSearchIndex();
    index.add(doc(1, 'the old text'));
    index.add({ ...doc(1, 'the new text') });
    expect(ids(index, 'old ')).toEqual([]);
    expect(ids(index, 'new ')).toEqual(['m1']);
    index.remove('m1');
    expect(ids(index, 'new ')).toEqual([]);
    expect(index.size).toBe(0);
  });

  it('stays right after many deletions compact it', () => {
    const index = createSearchIndex();
    for (let n = 0; n < 5000; n++) index.add(doc(n, `message number${n} common`));
    for (let n = 0; n < 4000; n++) index.remove(`m${n}`);
    const results = index.search(parseQuery('common '), 3);
    expect(results.total).toBe(1000);
    expect(results.hits.map((hit) => hit.id)).toEqual(['m4999', 'm4998', 'm4997']);
    expect(ids(index, 'number12')).toEqual([]);
    expect(ids(index, 'number4321 ')).toEqual(['m4321']);
  });

  it('bounds results and counts the rest', () => {
    const index = createSearchIndex();
    for (let n = 0; n < 120; n++) index.add(doc(n, `hello ${n}`));
    const results = index.search(parseQuery('hello'), 50);
    expect(results.hits).toHaveLength(50);
    expect(results.total).toBe(120);
    expect(results.hits[0]?.id).toBe('m119');
  });

  it('refuses messages beyond its size', () => {
    const index = createSearchIndex({ maxDocs: 2 });
    expect(index.add(doc(1, 'a'))).toBe(true);
    expect(index.add(doc(2, 'b'))).toBe(true);
    expect(index.add(doc(3, 'c'))).toBe(false);
    expect(index.add(doc(2, 'b edited'))).toBe(true);
  });

  it('marks the matched words in a snippet around the first match', () => {
    const index = createSearchIndex();
    index.add(doc(1, `${'filler '.repeat(40)}Żółć and more żółcią`));
    index.add(doc(2, '明日は東京駅で会いましょう'));
    const [hit] = index.search(parseQuery('zolc'), 5).hits;
    expect(hit?.snippet[0]?.text).toMatch(/^…filler filler /);
    expect(hit?.snippet.filter((part) => part.hit).map((part) => part.text)).toEqual(['Żółć', 'żółcią']);
    const [japanese] = index.search(parseQuery('東京駅'), 5).hits;
    expect(japanese?.snippet).toEqual([{ text: '明日は', hit: false }, { text: '東京駅', hit: true }, { text: 'で会いましょう', hit: false }]);
  });

  it('survives hostile texts: huge, 10k words, control characters', () => {
    const index = createSearchIndex();
    index.add(doc(1, 'x'.repeat(8000)));
    index.add(doc(2, Array.from({ length: 10_000 }, (_, i) => `t${i}`).join(' ')));
    index.add(doc(3, 'bell\u0007ring \u202Eevil\u0000null'));
    expect(ids(index, 't5 ')).toEqual(['m2']);
    expect(ids(index, 't9999 ')).toEqual([]);
    const [hit] = index.search(parseQuery('ring '), 5).hits;
    expect(hit?.snippet).toEqual([{ text: 'bell ', hit: false }, { text: 'ring', hit: true }, { text: ' evil null', hit: false }]);
    expect(index.search(parseQuery('x'), 5).hits[0]?.snippet.map((part) => part.text).join('').length).toBeLessThanOrEqual(161);
  });
});

describe('search worker core', () => {
  it('indexes texts as long as the longest message', () => {
    expect(MAX_DOC_CHARS).toBe(MAX_TEXT_CHARS);
  });

  it('answers queries and drops what is not a message it knows', () => {
    const answers: FromWorker[] = [];
    const core = createSearchWorkerCore((message) => answers.push(message));
    core.receive({ type: 'add', docs: [doc(1, 'hello there'), { id: 5 }, null] });
    core.receive({ type: 'nonsense' });
    core.receive('add');
    core.receive({ type: 'query', seq: 7, text: 'hel', limit: 1e9 });
    core.receive({ type: 'query', seq: 8, text: 'hel', limit: 10 });
    expect(core.dropped).toBe(3);
    expect(core.size).toBe(1);
    expect(answers.map((answer) => [answer.seq, answer.total])).toEqual([[8, 1]]);
    expect(parseFromWorker(JSON.parse(JSON.stringify(answers[0])))).toEqual(answers[0]);
    expect(parseFromWorker({ type: 'results', seq: 1, total: 1, hits: [{ id: 1 }] })?.hits).toEqual([]);
  });
});
