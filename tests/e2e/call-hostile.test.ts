/**
 * A hostile member against a running call: it holds the link, proves its own key and then speaks
 * the media-negotiation protocol by hand (tests/transport/hostile-peer.ts): malformed SDP, a track
 * flood, a renegotiation flood, and call presence forged for someone else. Each is counted in
 * Diagnostics, none turns on anyone's camera or microphone, and the honest call goes on.
 */
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { parseInviteFragment } from '../../src/core/invite-link.js';
import { encodePresenceUpdate, signPresence } from '../../src/core/presence-record.js';
import { toBase64Url } from '../../src/crypto/encoding.js';
import { createIdentity } from '../../src/crypto/identity.js';
import { MEDIA_BURST } from '../../src/transport/link.js';
import { encodeMedia, encodePresence } from '../../src/transport/wire-messages.js';
import { SILENCE, callPages, callRegion, flowDuring, joinCall, localTrackStates, roomWith, tile, videoPlaying } from '../helpers/call.js';

import { nickOf, useRoomHarness } from '../helpers/e2e.js';
import { until } from '../helpers/node.js';
import { createHostilePeer, type HostilePeer } from '../transport/hostile-peer.js';

const media = (value: unknown): Uint8Array => encodeMedia(typeof value === 'string' ? value : JSON.stringify(value));
const header = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n';

describe('a hostile member against a call in Chromium', () => {
  const harness = useRoomHarness();
  const hostiles: HostilePeer[] = [];
  afterAll(() => {
    for (const peer of hostiles) peer.destroy();
  });
  const open = callPages(harness);

  async function diagnostics(page: Page): Promise<string> {
    const table = page.getByRole('table', { name: 'Dropped inputs' });
    if (!(await table.isVisible())) await page.getByText('Diagnostics').click();
    return (await table.textContent()) ?? '';
  }

  it('malformed SDP, a track flood, a renegotiation flood and forged call presence are counted and change nothing', async () => {
    const [alice, bob] = (await roomWith(open, harness.node().url(), 2)) as [Page, Page];
    const link = parseInviteFragment(new URL(alice.url()).hash);
    if (link === null) throw new Error('no link');
    await joinCall(alice);
    await joinCall(bob);
    const [aliceNick, bobNick] = [await nickOf(alice), await nickOf(bob)];
    await expect.poll(() => videoPlaying(alice, bobNick), { timeout: 30_000 }).toBe(true);
    await expect.poll(() => videoPlaying(bob, aliceNick), { timeout: 30_000 }).toBe(true);

    const hostile = createHostilePeer(`${harness.node().url().replace(/^http/, 'ws')}/signal`, link.secret, link.adminKey === undefined ? {} : { adminKey: link.adminKey });
    hostiles.push(hostile);
    await until(() => hostile.connected().length === 2, 30_000, 'the hostile peer connected to both');
    // Its proof answers the pages' challenges; media is taken only from proven members.
    await until(() => [...hostile.received.values()].every((messages) => messages.some((message) => message.kind === 'hello')), 15_000, 'greeted');
    await new Promise((resolve) => setTimeout(resolve, 1000));

    const mallory = await createIdentity();
    for (const target of hostile.connected()) {
      await hostile.send(target, [
        // Malformed: not JSON, the wrong shape, an offer asking the page to turn its camera on.
        media('{not json'),
        media({ seq: 1, type: 'offer', sdp: `${header}m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\n`, mids: {}, turnOn: 'camera' }),
        // SDP the browser refuses (it does not match the connection), and one that is no SDP at all.
        media({ seq: 2, type: 'offer', sdp: `${header}m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:9\r\na=sendrecv\r\n`, mids: { mic: '9' } }),
        media({ seq: 3, type: 'offer', sdp: 'hello camera', mids: {} }),
        // A track flood: forty video sections in one offer.
        media({ seq: 4, type: 'offer', sdp: `${header}${Array.from({ length: 40 }, (_, i) => `m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:${i}\r\na=sendrecv\r\n`).join('')}`, mids: {} }),
        // An answer nobody asked for.
        media({ seq: 5, type: 'answer', sdp: `${header}m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n`, mids: {} }),
      ]);
      // A renegotiation flood: far more media messages than MEDIA_BURST at once.
      await hostile.send(target, Array.from({ length: MEDIA_BURST * 4 }, (_, i) => media({ seq: 100 + i, type: 'offer', sdp: `${header}m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n`, mids: {} })));
    }
    // Call presence forged for a record the attacker did not sign: "Bob, with a camera, in the call".
    const forged = await signPresence(mallory, 4242, 1, { nick: bobNick, color: '#000000', status: 'online', text: '', typing: false, call: { mic: true, cam: true, screen: true } });
    const someoneElse = toBase64Url((await createIdentity()).publicKey);
    const stolen = { ...forged, json: JSON.stringify({ key: someoneElse, sig: forged.sig, state: forged.stateText }) };
    for (const target of hostile.connected()) await hostile.send(target, [encodePresence(encodePresenceUpdate([stolen]))]);

    for (const page of [alice, bob]) {
      await expect.poll(() => diagnostics(page), { timeout: 20_000 }).toMatch(/media\.sdp/);
      const counters = await diagnostics(page);
      for (const counter of ['media.shape', 'media.sdp', 'media.stale', 'frame.rate', 'presence.signature']) expect(counters, counter).toContain(counter);
    }
    // Nobody's camera or microphone was opened by any of it: each page holds the two tracks it opened itself.
    for (const page of [alice, bob]) expect(await localTrackStates(page)).toEqual(['audio:live', 'video:live']);
    // The forged record shows no one, and the honest call goes on both ways.
    for (const page of [alice, bob]) expect(await callRegion(page).getByRole('figure').count()).toBe(2);
    expect(await tile(alice, bobNick).count()).toBe(1);
    await expect.poll(() => videoPlaying(alice, bobNick), { timeout: 15_000 }).toBe(true);
    await expect.poll(() => videoPlaying(bob, aliceNick), { timeout: 15_000 }).toBe(true);
    await expect.poll(async () => (await flowDuring(alice, 1500)).audioEnergy, { timeout: 15_000 }).toBeGreaterThan(SILENCE * 1000);
  }, 240_000);
});
