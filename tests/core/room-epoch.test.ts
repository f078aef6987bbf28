import { describe, expect, it } from 'vitest';
import { toBase64Url } from '../../src/crypto/encoding.js';
import { createIdentity } from '../../src/crypto/identity.js';
import { formatStamp } from '../../src/core/hlc.js';
import { createMemberCard, decodeMemberCard, encodeMemberCard, verifyMemberCard } from '../../src/core/member-card.js';
import { createEpochKey, decodeEpochKey, encodeEpochKey, openEpochKey, verifyEpochKey } from '../../src/core/room-epoch.js';

const HLC = formatStamp({ wallMs: 1_700_000_000_000, counter: 0 });

describe('member cards', () => {
  it('round-trip, verify, and cannot be forged for someone else', async () => {
    const [ana, mallory] = await Promise.all([createIdentity(), createIdentity()]);
    const card = await createMemberCard(ana);
    const decoded = decodeMemberCard(card.key, encodeMemberCard(card));
    expect(decoded).toEqual({ ok: true, card });
    expect(await verifyMemberCard(card)).toBe(true);
    const malloryBox = (await createMemberCard(mallory)).box;
    expect(await verifyMemberCard({ ...card, box: malloryBox })).toBe(false); // Mallory's box key on Ana's card
    expect(decodeMemberCard('another-key', encodeMemberCard(card))).toEqual({ ok: false, reason: 'key_mismatch' });
    for (const value of [{}, '{', JSON.stringify({ ...card, extra: 1 }), 'x'.repeat(600), JSON.stringify({ ...card, box: 'short' })]) {
      expect(decodeMemberCard(card.key, value).ok).toBe(false);
    }
  });
});

describe('room key epochs', () => {
  it('seal the new secret to each listed member only, signed by the admin', async () => {
    const [admin, ana, bob, mallory] = await Promise.all([createIdentity(), createIdentity(), createIdentity(), createIdentity()]);
    const secret = crypto.getRandomValues(new Uint8Array(32));
    const cards = await Promise.all([ana, bob].map((identity) => createMemberCard(identity)));
    const epoch = await createEpochKey(admin, 1, secret, cards, HLC);
    const decoded = decodeEpochKey('1', encodeEpochKey(epoch));
    expect(decoded).toEqual({ ok: true, epoch });
    const adminKey = toBase64Url(admin.publicKey);
    expect(await verifyEpochKey(epoch, adminKey)).toBe(true);
    expect(openEpochKey(epoch, ana)).toEqual(secret);
    expect(openEpochKey(epoch, bob)).toEqual(secret);
    expect(openEpochKey(epoch, mallory)).toBeNull(); // not listed: banned
    // Forgeries: signed by Mallory while naming the admin, a box list altered after signing, the wrong map key.
    const forged = await createEpochKey(mallory, 2, secret, [await createMemberCard(mallory)], HLC);
    expect(await verifyEpochKey({ ...forged, by: adminKey }, adminKey)).toBe(false);
    expect(await verifyEpochKey(forged, adminKey)).toBe(false);
    expect(await verifyEpochKey({ ...epoch, boxes: epoch.boxes.slice(1) }, adminKey)).toBe(false);
    expect(decodeEpochKey('2', encodeEpochKey(epoch))).toEqual({ ok: false, reason: 'key_mismatch' });
    for (const value of [42, '[]', JSON.stringify({ ...JSON.parse(encodeEpochKey(epoch)), epoch: 0 }), JSON.stringify({ ...JSON.parse(encodeEpochKey(epoch)), boxes: [['x', 'y']] })]) {
      expect(decodeEpochKey('1', value).ok).toBe(false);
    }
  });
});
