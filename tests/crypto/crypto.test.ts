import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import { openBox, sealBox, BOX_OVERHEAD } from '../../src/crypto/box.js';
import { fromBase64Url, fromUtf8, toBase64Url, utf8 } from '../../src/crypto/encoding.js';
import { createIdentity, identityFromSecretKey, safetyCode, sign, verifySignature } from '../../src/crypto/identity.js';
import { createRoomSecret, deriveRoomKeys } from '../../src/crypto/keys.js';
import { boxKeyPairOf, prepareBoxKeyPair } from '../../src/crypto/member-box.js';
import { createRandom } from '../helpers/random.js';

describe('base64url', () => {
  it('round-trips every length and rejects non-canonical or foreign text', () => {
    const random = createRandom(7);
    for (let length = 0; length < 70; length++) {
      const bytes = Uint8Array.from({ length }, () => random.int(256));
      const text = toBase64Url(bytes);
      expect(text).toMatch(/^[A-Za-z0-9_-]*$/);
      expect(fromBase64Url(text)).toEqual(bytes);
    }
    expect(toBase64Url(Uint8Array.from([251, 255]))).toBe('-_8');
    for (const bad of ['A', 'ab=', 'a+b/', 'ab c', 'AB', 'é', 'AQ=']) expect(fromBase64Url(bad), bad).toBeNull();
  });

  it('decodes UTF-8 strictly', () => {
    expect(fromUtf8(utf8('سلام 日本 👋'))).toBe('سلام 日本 👋');
    expect(fromUtf8(Uint8Array.from([0xff, 0xfe]))).toBeNull();
  });
});

describe('room keys', () => {
  it('derives distinct, stable values from one secret, none of which is the secret', () => {
    const secret = createRoomSecret();
    const keys = deriveRoomKeys(secret);
    expect(deriveRoomKeys(secret)).toEqual(keys);
    const values = [keys.roomId, keys.topic, toBase64Url(keys.signalKey), toBase64Url(keys.wireKey), toBase64Url(keys.storeKey)];
    expect(new Set(values).size).toBe(5);
    for (const value of values) expect(value).not.toContain(toBase64Url(secret).slice(0, 8));
    expect(keys.signalKey.length).toBe(32);
    expect(deriveRoomKeys(createRoomSecret()).topic).not.toBe(keys.topic);
    expect(() => deriveRoomKeys(new Uint8Array(31))).toThrow(RangeError);
    // The admin key is part of the room: another admin key gives another room, every value differs.
    const withAdmin = deriveRoomKeys(secret, new Uint8Array(32).fill(1));
    const otherAdmin = deriveRoomKeys(secret, new Uint8Array(32).fill(2));
    for (const name of ['roomId', 'topic', 'signalKey', 'wireKey', 'storeKey'] as const) {
      expect(withAdmin[name], name).not.toEqual(keys[name]);
      expect(otherAdmin[name], name).not.toEqual(withAdmin[name]);
    }
    expect(deriveRoomKeys(secret, new Uint8Array(32).fill(1))).toEqual(withAdmin);
    expect(() => deriveRoomKeys(secret, new Uint8Array(31))).toThrow(RangeError);
  });
});

describe('sealed boxes', () => {
  it('opens only with the same key and unaltered bytes', () => {
    const [key, other] = [deriveRoomKeys(createRoomSecret()).wireKey, deriveRoomKeys(createRoomSecret()).wireKey];
    const sealed = sealBox(key, utf8('secret words'));
    expect(sealed.length).toBe(utf8('secret words').length + BOX_OVERHEAD);
    expect(fromUtf8(openBox(key, sealed) as Uint8Array)).toBe('secret words');
    expect(openBox(other, sealed)).toBeNull();
    for (const at of [0, 23, 24, sealed.length - 1]) {
      const tampered = sealed.slice();
      tampered[at] = (tampered[at] as number) ^ 1;
      expect(openBox(key, tampered)).toBeNull();
    }
    expect(openBox(key, sealed.subarray(0, BOX_OVERHEAD - 1))).toBeNull();
    expect(sealBox(key, utf8('same'))).not.toEqual(sealBox(key, utf8('same')));
  });
});

describe('identities', () => {
  it('signs and verifies, rejecting other keys, other messages and damaged signatures', async () => {
    const alice = await createIdentity();
    const mallory = await createIdentity();
    const message = utf8('parley test');
    const signature = await sign(alice, message);
    expect(await verifySignature(alice.publicKey, message, signature)).toBe(true);
    expect(await verifySignature(mallory.publicKey, message, signature)).toBe(false);
    expect(await verifySignature(alice.publicKey, utf8('parley tesT'), signature)).toBe(false);
    const damaged = signature.slice();
    damaged[5] = (damaged[5] as number) ^ 4;
    expect(await verifySignature(alice.publicKey, message, damaged)).toBe(false);
    expect(await verifySignature(alice.publicKey, message, signature.subarray(1))).toBe(false);
  });

  it('makes the same keys and signatures as tweetnacl, so either side can check the other', async () => {
    for (let i = 0; i < 5; i++) {
      const identity = await createIdentity();
      const reference = nacl.sign.keyPair.fromSeed(identity.secretKey.slice(0, 32));
      expect(identity.publicKey).toEqual(reference.publicKey);
      expect(identity.secretKey).toEqual(reference.secretKey);
      const message = utf8(`message ${i} سلام 你好`);
      const signature = await sign(identity, message);
      expect(signature).toEqual(nacl.sign.detached(message, reference.secretKey));
      expect(await verifySignature(identity.publicKey, message, nacl.sign.detached(message, reference.secretKey))).toBe(true);
    }
  });

  it('derives the same member box key through WebCrypto X25519 as through tweetnacl', async () => {
    for (let i = 0; i < 5; i++) {
      const identity = await createIdentity();
      // A copy, so the first derivation's cache does not answer the second.
      const copy = { publicKey: identity.publicKey.slice(), secretKey: identity.secretKey.slice() };
      const native = await prepareBoxKeyPair(identity);
      const plain = boxKeyPairOf(copy);
      expect(toBase64Url(native.publicKey)).toBe(toBase64Url(plain.publicKey));
      expect(toBase64Url(native.secretKey)).toBe(toBase64Url(plain.secretKey));
      expect(nacl.scalarMult.base(plain.secretKey)).toEqual(plain.publicKey);
    }
  });

  it('restores an identity from its stored secret key and refuses inconsistent keys', async () => {
    const alice = await createIdentity();
    expect((await identityFromSecretKey(alice.secretKey))?.publicKey).toEqual(alice.publicKey);
    const mixed = alice.secretKey.slice();
    mixed.set((await createIdentity()).publicKey, 32);
    expect(await identityFromSecretKey(mixed)).toBeNull();
    expect(await identityFromSecretKey(new Uint8Array(10))).toBeNull();
  });

  it('shows a 12-digit safety code, the same for the same key', async () => {
    const alice = await createIdentity();
    expect(safetyCode(alice.publicKey)).toMatch(/^\d{4} \d{4} \d{4}$/);
    expect(safetyCode(alice.publicKey)).toBe(safetyCode(Uint8Array.from(alice.publicKey)));
    expect(safetyCode((await createIdentity()).publicKey)).not.toBe(safetyCode(alice.publicKey));
  });
});

describe('AES-GCM for stored rows and wire frames', () => {
  it('opens only with the same key and unaltered bytes, and never throws', async () => {
    const { sealAesGcm, openAesGcm } = await import('../../src/crypto/aes-gcm.js');
    const key = deriveRoomKeys(createRoomSecret()).storeKey;
    const sealed = await sealAesGcm(key, utf8('stored words'));
    expect(fromUtf8((await openAesGcm(key, sealed)) as Uint8Array)).toBe('stored words');
    expect(await openAesGcm(deriveRoomKeys(createRoomSecret()).storeKey, sealed)).toBeNull();
    const tampered = sealed.slice();
    tampered[20] = (tampered[20] as number) ^ 1;
    expect(await openAesGcm(key, tampered)).toBeNull();
    expect(await openAesGcm(key, sealed.subarray(0, 27))).toBeNull();
    expect(await sealAesGcm(key, utf8('same'))).not.toEqual(await sealAesGcm(key, utf8('same')));
  });
});
