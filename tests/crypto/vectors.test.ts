/**
 * Fixed expected values for what the room secret and an identity's seed derive. Computed once with
 * the code as it was when they were written and kept as literals: a change to any derivation (a
 * label, a length, the hash) changes every room's topic and keys, so old invite links would lead to
 * rooms nobody is in and stored rooms would no longer open. Such a change must be deliberate.
 */
import { describe, expect, it } from 'vitest';
import { concatBytes, fromHex, toBase64Url, toHex } from '../../src/crypto/encoding.js';
import { identityFromSeed } from '../../src/crypto/identity.js';
import { deriveKeysUncached, deriveRoomKeys, type RoomKeys } from '../../src/crypto/keys.js';
import { boxKeyPairOf, prepareBoxKeyPair } from '../../src/crypto/member-box.js';

const SECRET = fromHex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
/** RFC 8032 §7.1 test 2: an admin's seed and the public key it gives. */
const ADMIN_SEED = fromHex('4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb');
const ADMIN_KEY = fromHex('3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c');
/** RFC 8032 §7.1 test 1's seed, as a member's identity. */
const MEMBER_SEED = fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');

const ROOM_WITHOUT_ADMIN = {
  roomId: '-ZYT3lhrHtdko3Y7O8o3zQ',
  topic: 'ZDU7tP8YMykXMY2KnrIhVk6gCs8JHNWAZzHtjvCN3jY',
  signalKey: 'f8748294d2fc8e997553a622550ea2e009e3455d1c0eb693d5bd682122e877ee',
  wireKey: 'c7317845d3f16b7ad7637f88de3e3360ba2ceab19539850565047f3fcaaa57f2',
  storeKey: '9e3b82812cc55a114ee1451a5b52382d0e176b46aaee8403daeb5620682bf181',
};

const ROOM_WITH_ADMIN = {
  roomId: 'WGPmulcoctw5kO3VxDlfPA',
  topic: '_22rXZq7Br4elfkLpAXvz8MrccZVeSDP7MefDW6E4HM',
  signalKey: '4649d787985d6a1f2c69d78295fec09b3ff7f4502c5b0d7e4c47d5fb2ee0aae5',
  wireKey: '2a91742659989ce8160bf0a36f04b6e66d16f2192a96e851803d07efb36b4429',
  storeKey: 'dd91ecaf1c3d59ab6b07d4f49e860e7f32ee31b1d2e98c2a84bdf838db0cd76a',
};

/** roomId and topic as they are (base64url), the byte keys as hex. */
const printable = (keys: RoomKeys): Record<keyof RoomKeys, string> => ({
  roomId: keys.roomId,
  topic: keys.topic,
  signalKey: toHex(keys.signalKey),
  wireKey: toHex(keys.wireKey),
  storeKey: toHex(keys.storeKey),
});

describe('derivation vectors', () => {
  it('a room secret keeps deriving the same room id, topic and keys', () => {
    expect(printable(deriveKeysUncached(SECRET))).toEqual(ROOM_WITHOUT_ADMIN);
    expect(printable(deriveRoomKeys(SECRET))).toEqual(ROOM_WITHOUT_ADMIN);
  });

  it('a room secret with an admin key keeps deriving the same room id, topic and keys', async () => {
    const admin = await identityFromSeed(ADMIN_SEED);
    expect(admin?.publicKey).toEqual(ADMIN_KEY);
    expect(printable(deriveKeysUncached(concatBytes(SECRET, ADMIN_KEY)))).toEqual(ROOM_WITH_ADMIN);
    expect(printable(deriveRoomKeys(SECRET, ADMIN_KEY))).toEqual(ROOM_WITH_ADMIN);
  });

  it('an identity keeps deriving the same box key from its seed, in tweetnacl and through WebCrypto', async () => {
    const boxKeys: Array<[Uint8Array, string]> = [
      [MEMBER_SEED, 'UHlkVF7QuMwPlFbkCVggzxVfmpg7_6nsxvFmVN2H8S4'],
      [ADMIN_SEED, '3d75mhXCGIIaHBxVZfc_2g6dNEPZFwmzLIaaP2oPfxc'],
    ];
    for (const [seed, boxKey] of boxKeys) {
      // Two identities from one seed: each caches its pair, so each path is taken once.
      const [viaNacl, viaPrepare] = await Promise.all([identityFromSeed(seed), identityFromSeed(seed)]);
      if (viaNacl === null || viaPrepare === null) throw new Error('no identity from a fixed seed');
      expect(toBase64Url(boxKeyPairOf(viaNacl).publicKey)).toBe(boxKey);
      expect(toBase64Url((await prepareBoxKeyPair(viaPrepare)).publicKey)).toBe(boxKey);
    }
  });
});
