import { describe, expect, it } from 'vitest';
import { connectionLimitKey } from '../../signaling/client-address.js';

describe('connectionLimitKey', () => {
  it('counts an IPv4 address alone', () => {
    expect(connectionLimitKey('198.51.100.7', 64)).toBe('198.51.100.7');
    expect(connectionLimitKey('198.51.100.8', 64)).toBe('198.51.100.8');
  });

  it('counts an IPv4-mapped IPv6 address as the IPv4 address it carries, in either spelling', () => {
    expect(connectionLimitKey('::ffff:198.51.100.7', 64)).toBe('198.51.100.7');
    expect(connectionLimitKey('::FFFF:c633:6407', 64)).toBe('198.51.100.7');
    expect(connectionLimitKey('0:0:0:0:0:ffff:198.51.100.7', 128)).toBe('198.51.100.7');
  });

  it('puts every address of one IPv6 /64 under one key, whatever its spelling', () => {
    const key = connectionLimitKey('2001:db8:1:2::1', 64);
    expect(key).toBe('2001:db8:1:2/64');
    for (const address of ['2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:0DB8:0001:0002:0:0:0:9', '[2001:db8:1:2::3]:443', '2001:db8:1:2::4%eth0']) {
      expect(connectionLimitKey(address, 64), address).toBe(key);
    }
  });

  it('keeps neighbouring /64s apart', () => {
    expect(connectionLimitKey('2001:db8:1:3::1', 64)).not.toBe(connectionLimitKey('2001:db8:1:2::1', 64));
    expect(connectionLimitKey('2001:db8::1', 64)).toBe('2001:db8:0:0/64');
    expect(connectionLimitKey('::1', 64)).toBe('0:0:0:0/64');
  });

  it('groups by any prefix length, down to the bit', () => {
    expect(connectionLimitKey('2001:db8:1:2ff::1', 56)).toBe('2001:db8:1:200/56');
    expect(connectionLimitKey('2001:db8:1:2ff::1', 56)).toBe(connectionLimitKey('2001:db8:1:200::9', 56));
    expect(connectionLimitKey('2001:db8:1:2::1', 48)).toBe('2001:db8:1/48');
    expect(connectionLimitKey('2001:db8::1', 128)).not.toBe(connectionLimitKey('2001:db8::2', 128));
  });

  it('leaves a value that is no IP address as its own key', () => {
    expect(connectionLimitKey('unknown', 64)).toBe('unknown');
    expect(connectionLimitKey('2001:db8::g', 64)).toBe('2001:db8::g');
  });
});
