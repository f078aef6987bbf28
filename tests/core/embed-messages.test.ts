// The postMessage protocol between embed.js and the embedded room: anything else a page can post
// (other libraries' messages, forged or oversized values) is dropped, and so is a right message
// from the wrong window or origin.
import { describe, expect, it } from 'vitest';
import { EMBED_PROTOCOL, MAX_UNREAD, parseHostMessage, parseWidgetMessage, receive, wrap } from '../../src/core/embed-messages';

const base = { protocol: EMBED_PROTOCOL, v: 1 };

describe('embed messages', () => {
  it('round-trips every message through wrap and its parser', () => {
    for (const message of [{ type: 'ready' }, { type: 'close' }, { type: 'unread', count: 0 }, { type: 'unread', count: MAX_UNREAD }] as const) {
      expect(parseWidgetMessage(structuredClone(wrap(message)))).toEqual(message);
    }
    for (const message of [{ type: 'open' }, { type: 'close' }] as const) expect(parseHostMessage(structuredClone(wrap(message)))).toEqual(message);
  });

  it.each([
    ['a string', 'parley-embed ready'],
    ['null', null],
    ['an array', [base]],
    ['another protocol', { protocol: 'other', v: 1, type: 'ready' }],
    ['another version', { ...base, v: 2, type: 'ready' }],
    ['an unknown type', { ...base, type: 'eval' }],
    ['an extra field', { ...base, type: 'ready', html: '<img onerror=alert(1)>' }],
    ['a missing count', { ...base, type: 'unread' }],
    ['a negative count', { ...base, type: 'unread', count: -1 }],
    ['a fractional count', { ...base, type: 'unread', count: 1.5 }],
    ['a huge count', { ...base, type: 'unread', count: 1e300 }],
    ['a count as text', { ...base, type: 'unread', count: '3' }],
    ['an oversized count', { ...base, type: 'unread', count: MAX_UNREAD + 1 }],
    ['a class instance', Object.assign(new (class Fake {})(), { ...base, type: 'ready' })],
    ['a host message', { ...base, type: 'open' }],
  ])('the host page drops %s', (_what, data) => {
    expect(parseWidgetMessage(data)).toBeNull();
  });

  it.each([
    ['a widget message', { ...base, type: 'ready' }],
    ['an extra field', { ...base, type: 'open', count: 1 }],
    ['an oversized value', { ...base, type: 'x'.repeat(1_000_000) }],
    ['a type that is not text', { ...base, type: { toString: () => 'open' } }],
    ['many fields', Object.fromEntries([...Array.from({ length: 10_000 }, (_, i) => [`f${i}`, i]), ['protocol', EMBED_PROTOCOL], ['v', 1], ['type', 'open']])],
  ])('the room drops %s', (_what, data) => {
    expect(parseHostMessage(data)).toBeNull();
  });

  describe('receive', () => {
    const parent = {};
    const event = (origin: string, source: unknown) => ({ origin, source, data: wrap({ type: 'open' }) });
    it('accepts the expected window at the expected origin', () => {
      expect(receive(event('https://shop.example', parent), 'https://shop.example', parent, parseHostMessage)).toEqual({ type: 'open' });
    });
    it('drops the right window at the wrong origin (it navigated, or another origin shares it)', () => {
      expect(receive(event('https://evil.example', parent), 'https://shop.example', parent, parseHostMessage)).toBeNull();
      expect(receive(event('null', parent), 'https://shop.example', parent, parseHostMessage)).toBeNull();
      expect(receive(event('https://shop.example.evil.example', parent), 'https://shop.example', parent, parseHostMessage)).toBeNull();
    });
    it('drops the right origin from another window (another frame of the same site)', () => {
      expect(receive(event('https://shop.example', {}), 'https://shop.example', parent, parseHostMessage)).toBeNull();
    });
    it('drops everything while there is no window to expect (the frame not made yet)', () => {
      expect(receive(event('https://shop.example', null), 'https://shop.example', null, parseHostMessage)).toBeNull();
      expect(receive(event('https://shop.example', undefined), 'https://shop.example', undefined, parseHostMessage)).toBeNull();
    });
  });
});
