/** The in-place JSON check against JSON.parse, the oracle: hand-picked cases and a differential fuzz. */
import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, isJsonValue } from '../../signaling/json-check.js';
import { createRandom } from '../helpers/random.js';

const oracle = (text: string): boolean => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};
const check = (text: string): boolean => isJsonValue(Buffer.from(text, 'utf8'));

describe('isJsonValue', () => {
  it('agrees with JSON.parse on hand-picked values and near misses', () => {
    const cases = [
      '0', '-0', '1.5e-3', '1E+2', '01', '1.', '.5', '-', '+1', '1e', '0x10', 'NaN', 'Infinity', '1 2',
      'true', 'false', 'null', 'tru', 'nulll', 'True', '""', '"a\\"b"', '"\\u00e9\\uD83D"', '"\\u12"', '"\\x41"', '"tab\there"', '"\\/"',
      '[]', '[ ]', '[1,]', '[,1]', '[1 2]', '[[[]]]', '{}', '{ }', '{"a":1}', '{"a":1,}', '{"a" 1}', '{a:1}', '{"a":1,"b":[true,{"c":null}]}',
      '{"a":1}}', '{"a":1},{"b":2}', ' \n\t\r{"x":"y"}\r\n ', '\u00a0{}', '\ufeff{}', '', ' ', '"unterminated', '{"a":"\u0001"}',
      '{"type":"signal","sdp":"v=0\\r\\no=- 1 2 IN IP4 0.0.0.0\\r\\n"}', '"سلام 𝔘 日本"',
    ];
    for (const text of cases) expect(check(text), JSON.stringify(text)).toBe(oracle(text));
  });

  it('refuses nesting deeper than its bound, and takes it up to there', () => {
    expect(check('['.repeat(MAX_JSON_DEPTH) + '1' + ']'.repeat(MAX_JSON_DEPTH))).toBe(true);
    expect(check('['.repeat(MAX_JSON_DEPTH + 1) + '1' + ']'.repeat(MAX_JSON_DEPTH + 1))).toBe(false);
    expect(check('[{"a":'.repeat(40) + '1' + '}]'.repeat(40))).toBe(false);
  });

  it('agrees with JSON.parse on 100,000 seeded mutations of signaling-like JSON', () => {
    const random = createRandom(20261202);
    const seeds = [
      JSON.stringify({ type: 'announce', from: 'peer-1', data: [1, 2.5, -3e2, true, false, null, 'x'] }),
      JSON.stringify({ type: 'signal', to: 'b', signal: { type: 'offer', sdp: 'v=0\r\n"q"\\' } }),
      JSON.stringify('AES-GCM base64+/=='),
      JSON.stringify([[], {}, [{}], { a: [] }, '\u0000\u001f', 'é𝔘']),
    ];
    const alphabet = ['{', '}', '[', ']', ',', ':', '"', '\\', 'u', '0', '1', '9', '-', '+', '.', 'e', 'E', ' ', '\n', 't', 'n', 'f', 'a', '\u0001', 'é'];
    let valid = 0;
    for (let i = 0; i < 100_000; i++) {
      const chars = [...random.pick(seeds)];
      for (let edits = random.int(3) + 1; edits > 0; edits--) {
        const at = random.int(chars.length + 1);
        const roll = random.int(3);
        if (roll === 0) chars.splice(at, 1);
        else if (roll === 1) chars.splice(at, 0, random.pick(alphabet));
        else chars[at] = random.pick(alphabet);
      }
      const text = chars.join('');
      const expected = oracle(text);
      if (expected) valid++;
      if (check(text) !== expected) expect.fail(`disagrees with JSON.parse on ${JSON.stringify(text)}`);
    }
    expect(valid).toBeGreaterThan(1000);
    expect(valid).toBeLessThan(99_000);
  });
});
