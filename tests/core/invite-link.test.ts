import { describe, expect, it } from 'vitest';
import { formatInviteFragment, inviteUrl, memberLink, parseInviteFragment } from '../../src/core/invite-link.js';
import { toBase64Url } from '../../src/crypto/encoding.js';
import { createRandom } from '../helpers/random.js';

const random = createRandom(0x1a7e);
const randomSecret = (): Uint8Array => Uint8Array.from({ length: 32 }, () => random.int(256));
const GOOD = toBase64Url(new Uint8Array(32).fill(7));

describe('invite links', () => {
  it('round-trips random secrets through the fragment', () => {
    for (let i = 0; i < 200; i++) {
      const secret = randomSecret();
      const fragment = formatInviteFragment({ secret });
      expect(fragment).toMatch(/^#k=[A-Za-z0-9_-]{43}$/);
      expect(parseInviteFragment(fragment)?.secret).toEqual(secret);
    }
  });

  it('accepts a fragment without its leading #', () => {
    expect(parseInviteFragment(`k=${GOOD}`)?.secret).toEqual(new Uint8Array(32).fill(7));
  });

  it('ignores unknown parameters and empty pairs around the secret', () => {
    for (const hash of [`#k=${GOOD}&name=Lobby`, `#v=2&k=${GOOD}`, `#&k=${GOOD}&&x`, `#x=&k=${GOOD}&y=%20`]) {
      expect(parseInviteFragment(hash)?.secret, hash).toEqual(new Uint8Array(32).fill(7));
    }
  });

  it('rejects a corpus of bad fragments', () => {
    // GOOD ends in 'c' (011100): its two low bits are padding, so 'd' (011101) decodes to the same bytes.
    const nonCanonical = `${GOOD.slice(0, -1)}d`;
    const bad = [
      '',
      '#',
      '#k',
      '#k=',
      `#K=${GOOD}`,
      `#k=${GOOD}=`,
      `#k=${GOOD.slice(1)}`,
      `#k=${GOOD}A`,
      `#k=${GOOD.slice(0, -1)}+`,
      `#k=${GOOD.slice(0, -1)}/`,
      `#k=${GOOD.slice(0, -1)}=`,
      `#k=${GOOD.slice(0, -1)}é`,
      `#k=${nonCanonical}`,
      `#k=${GOOD}&k=${GOOD}`,
      `#k=${toBase64Url(new Uint8Array(31))}`,
      `#k=${toBase64Url(new Uint8Array(33))}`,
      `#k=${GOOD.replace('B', '%42')}`,
      `#k= ${GOOD}`,
      `#k=${GOOD}&${'x'.repeat(5000)}`,
      `##k=${GOOD}`,
    ];
    expect(GOOD.endsWith('c')).toBe(true);
    for (const hash of bad) expect(parseInviteFragment(hash), hash).toBeNull();
  });

  it('never throws on arbitrary strings', () => {
    const alphabet = '#k=&A-_z09%+/é\u0000';
    for (let i = 0; i < 500; i++) {
      const hash = Array.from({ length: random.int(60) }, () => alphabet.charAt(random.int(alphabet.length))).join('');
      expect(() => parseInviteFragment(hash)).not.toThrow();
    }
  });

  it('builds a full URL from origin and path, keeping the query', () => {
    const secret = randomSecret();
    const url = inviteUrl('https://parley.example', '/room?lang=en', { secret });
    expect(url).toBe(`https://parley.example/room?lang=en#k=${toBase64Url(secret)}`);
    expect(parseInviteFragment(new URL(url).hash)?.secret).toEqual(secret);
  });

  it('carries the admin key, and the admin seed only in an admin link', () => {
    const secret = randomSecret();
    const adminKey = randomSecret();
    const adminSeed = randomSecret();
    const admin = formatInviteFragment({ secret, adminKey, adminSeed });
    expect(admin).toMatch(/^#k=[A-Za-z0-9_-]{43}&a=[A-Za-z0-9_-]{43}&s=[A-Za-z0-9_-]{43}$/);
    expect(parseInviteFragment(admin)).toEqual({ secret, adminKey, adminSeed });
    const member = formatInviteFragment(memberLink({ secret, adminKey, adminSeed }));
    expect(member).not.toContain(toBase64Url(adminSeed));
    expect(parseInviteFragment(member)).toEqual({ secret, adminKey });
    const a = toBase64Url(adminKey);
    const s = toBase64Url(adminSeed);
    for (const hash of [`#k=${GOOD}&s=${s}`, `#k=${GOOD}&a=${a}&a=${a}`, `#k=${GOOD}&a=${a.slice(1)}`, `#k=${GOOD}&a=${a}&s=${s}x`, `#k=${GOOD}&a=`, `#a=${a}`]) {
      expect(parseInviteFragment(hash), hash).toBeNull();
    }
    expect(() => formatInviteFragment({ secret, adminSeed })).toThrow(RangeError);
  });

  it('refuses to format a secret of the wrong length', () => {
    expect(() => formatInviteFragment({ secret: new Uint8Array(16) })).toThrow(RangeError);
  });
});
