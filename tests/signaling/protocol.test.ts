import { describe, expect, it } from 'vitest';
import { encodePublish, parseClientFrame } from '../../signaling/protocol.js';

const limits = { maxTopicLength: 8, maxTopicsPerConnection: 2 };
const parse = (frame: string, binary = false): ReturnType<typeof parseClientFrame> => parseClientFrame(Buffer.from(frame), binary, limits);

describe('parseClientFrame', () => {
  it('yields typed messages for the four y-webrtc frame types', () => {
    expect(parse('{"type":"subscribe","topics":["a","b"]}')).toEqual({ ok: true, message: { type: 'subscribe', topics: ['a', 'b'] } });
    expect(parse('{"type":"unsubscribe","topics":["a"]}')).toEqual({ ok: true, message: { type: 'unsubscribe', topics: ['a'] } });
    expect(parse('{"type":"subscribe"}')).toEqual({ ok: true, message: { type: 'subscribe', topics: [] } });
    expect(parse('{"type":"publish","topic":"a","data":{"x":[1]},"extra":1}')).toEqual({ ok: true, message: { type: 'publish', topic: 'a', data: { x: [1] } } });
    expect(parse('{"type":"ping"}')).toEqual({ ok: true, message: { type: 'ping' } });
  });

  it.each([
    ['{"type":"ping"}', true, 'binary'],
    ['{"type":', false, 'invalid_json'],
    ['[]', false, 'not_object'],
    ['"ping"', false, 'not_object'],
    ['{"type":null}', false, 'bad_field'],
    ['{"type":"join"}', false, 'unknown_type'],
    ['{"type":"toString"}', false, 'unknown_type'],
    ['{"type":"subscribe","topics":["a","b","c"]}', false, 'too_many_topics'],
    ['{"type":"subscribe","topics":["123456789"]}', false, 'topic_too_long'],
    ['{"type":"subscribe","topics":[["a"]]}', false, 'bad_field'],
    ['{"type":"publish","topic":"","data":1}', false, 'bad_field'],
    ['{"type":"publish","topic":"a"}', false, 'bad_field'],
    ['{"type":"publish","topic":"123456789","data":1}', false, 'topic_too_long'],
  ])('drops %s (binary %s) as %s', (frame, binary, reason) => {
    expect(parse(frame, binary)).toEqual({ ok: false, reason });
  });

  it('relays a publish as a new frame carrying only the protocol fields and the subscriber count', () => {
    expect(JSON.parse(encodePublish('a', { sdp: 'v=0' }, 3).toString())).toEqual({ type: 'publish', topic: 'a', data: { sdp: 'v=0' }, clients: 3 });
  });
});
