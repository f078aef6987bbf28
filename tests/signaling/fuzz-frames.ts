/** Generates random signaling frames: valid ones, near-misses, mutations and garbage. */
import { createRandom } from '../helpers/random.js';

export interface FuzzFrame {
  readonly payload: string | Buffer;
  readonly binary: boolean;
}

const TYPES = ['subscribe', 'unsubscribe', 'publish', 'ping', 'pong', 'announce', '', 'PUBLISH', 'constructor', '__proto__'];
const ODD_VALUES: readonly unknown[] = [null, true, false, 0, -1, 1e308, '', 'x', [], {}, [null], { toString: 1 }, '\u0000', '\ud83d', '𝔘𝔫𝔦', 'ٱلسَّلَامُ'];

export function createFrameFuzzer(seed: number): () => FuzzFrame {
  const random = createRandom(seed);
  const text = (max: number): string => {
    const length = random.int(max);
    let out = '';
    for (let i = 0; i < length; i++) out += String.fromCharCode(random.next() < 0.8 ? 32 + random.int(95) : random.int(0xd7ff));
    return out;
  };
  const value = (depth: number): unknown => {
    const roll = random.int(depth > 3 ? 3 : 6);
    if (roll === 0) return random.pick(ODD_VALUES);
    if (roll === 1) return text(40);
    if (roll === 2) return random.int(1000) - 500;
    if (roll === 3) return Array.from({ length: random.int(4) }, () => value(depth + 1));
    const object: Record<string, unknown> = {};
    for (let i = random.int(4); i > 0; i--) object[random.pick(['type', 'topic', 'topics', 'data', 'clients', text(6)])] = value(depth + 1);
    return object;
  };
  const message = (): Record<string, unknown> => {
    const frame: Record<string, unknown> = { type: random.pick(TYPES) };
    if (random.next() < 0.7) frame['topics'] = random.next() < 0.7 ? Array.from({ length: random.int(5) }, () => `t${random.int(50)}`) : value(1);
    if (random.next() < 0.7) frame['topic'] = random.next() < 0.7 ? `t${random.int(50)}` : value(1);
    if (random.next() < 0.7) frame['data'] = value(0);
    return frame;
  };
  const mutate = (json: string): string => {
    const chars = [...json];
    for (let i = random.int(4) + 1; i > 0; i--) {
      const at = random.int(chars.length + 1);
      const op = random.int(3);
      if (op === 0) chars.splice(at, 1);
      else if (op === 1) chars.splice(at, 0, random.pick(['{', '}', '"', ',', ':', '[', ']', '\\', 'n', '0']));
      else chars[at] = String.fromCharCode(random.int(128));
    }
    return chars.join('');
  };
  return () => {
    const roll = random.int(10);
    if (roll === 0) return { payload: Buffer.from(Array.from({ length: random.int(64) }, () => random.int(256))), binary: true };
    if (roll === 1) return { payload: text(80), binary: false };
    if (roll === 2) return { payload: JSON.stringify(value(0)) ?? 'null', binary: false };
    if (roll <= 5) return { payload: mutate(JSON.stringify(message())), binary: false };
    return { payload: JSON.stringify(message()), binary: false };
  };
}
