import { describe, expect, it } from 'vitest';
import { cameraAllowedOnJoin, checkSdp, DEFAULT_CALL_LIMITS, encodeMediaDescription, MAX_MEDIA_SECTIONS, MAX_SDP_CHARS, parseMediaDescription, planVideoSenders } from '../../src/core/call-state.js';

/** A description shaped like Chromium's: a data channel and `media` audio/video sections. */
function sdp(media: number, extra = ''): string {
  const lines = ['v=0', 'o=- 4611731400430051336 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'a=group:BUNDLE 0'];
  lines.push('m=application 9 UDP/DTLS/SCTP webrtc-datachannel', 'c=IN IP4 0.0.0.0', 'a=mid:0');
  for (let i = 1; i <= media; i++) lines.push(`m=${i % 2 === 0 ? 'video' : 'audio'} 9 UDP/TLS/RTP/SAVPF 111`, `a=mid:${i}`, 'a=sendonly');
  return `${lines.join('\r\n')}\r\n${extra}`;
}

const good = { seq: 1, type: 'offer', sdp: sdp(2), mids: { mic: '1', cam: '2' } };

describe('media descriptions', () => {
  it('parse back what is encoded', () => {
    const description = { seq: 7, type: 'answer' as const, sdp: sdp(4), mids: { mic: '1', cam: '2', screen: '3', screenAudio: '4' } };
    expect(parseMediaDescription(encodeMediaDescription(description))).toEqual(description);
  });

  it('refuse a track flood: more media sections than two members and a data channel have', () => {
    expect(checkSdp(sdp(MAX_MEDIA_SECTIONS - 1))).toBe(true);
    expect(checkSdp(sdp(MAX_MEDIA_SECTIONS))).toBe(false);
    expect(parseMediaDescription(JSON.stringify({ ...good, sdp: sdp(200) }))).toBe('sdp');
  });

  it('refuse malformed SDP before the browser parses it', () => {
    const bad: Array<[string, string]> = [
      ['empty', ''],
      ['no version line', sdp(2).slice(5)],
      ['not SDP at all', 'hello'],
      ['no media section', 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n'],
      ['a NUL byte', sdp(2, 'a=x\u0000y\r\n')],
      ['non-ASCII', sdp(2, 'a=نام\r\n')],
      ['over the size limit', sdp(2, `a=${'x'.repeat(MAX_SDP_CHARS)}\r\n`)],
    ];
    for (const [name, text] of bad) expect(checkSdp(text), name).toBe(false);
  });

  it('refuse every shape that is not a description, counting why', () => {
    const cases: Array<[string, unknown, string]> = [
      ['not JSON', '{', 'shape'],
      ['an array', '[]', 'shape'],
      ['missing mids', JSON.stringify({ seq: 1, type: 'offer', sdp: sdp(1) }), 'shape'],
      ['an extra field', JSON.stringify({ ...good, turnOn: 'camera' }), 'shape'],
      ['seq zero', JSON.stringify({ ...good, seq: 0 }), 'shape'],
      ['seq beyond safe integers', JSON.stringify({ ...good, seq: 2 ** 60 }), 'shape'],
      ['seq fractional', JSON.stringify({ ...good, seq: 1.5 }), 'shape'],
      ['a rollback', JSON.stringify({ ...good, type: 'rollback' }), 'shape'],
      ['a pranswer', JSON.stringify({ ...good, type: 'pranswer' }), 'shape'],
      ['an unknown slot', JSON.stringify({ ...good, mids: { microwave: '1' } }), 'shape'],
      ['a mid with spaces', JSON.stringify({ ...good, mids: { mic: '1 2' } }), 'shape'],
      ['a long mid', JSON.stringify({ ...good, mids: { mic: 'm'.repeat(17) } }), 'shape'],
      ['a prototype key', '{"seq":1,"type":"offer","sdp":"v=0\\r\\n","mids":{"__proto__":"1"}}', 'shape'],
      ['too long', JSON.stringify({ ...good, sdp: 'v'.repeat(MAX_SDP_CHARS * 2) }), 'size'],
    ];
    for (const [name, text, reason] of cases) expect(parseMediaDescription(text as string), name).toBe(reason);
  });

  it('never throw on random text', () => {
    let seed = 13;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const base = encodeMediaDescription({ seq: 3, type: 'offer', sdp: sdp(3), mids: { mic: '1' } });
    for (let i = 0; i < 2000; i++) {
      const chars = [...base];
      for (let j = 0; j < 1 + Math.floor(random() * 8); j++) chars[Math.floor(random() * chars.length)] = String.fromCharCode(Math.floor(random() * 128));
      expect(() => parseMediaDescription(chars.join(''))).not.toThrow();
    }
  });
});

describe('the video uplink budget', () => {
  it('splits the budget evenly over the receivers and never plans more than the budget', () => {
    for (const receivers of [1, 2, 3, 5, 7]) {
      const plan = planVideoSenders(2_000_000, receivers, false);
      expect(plan.cam.maxBitrate * receivers).toBeLessThanOrEqual(2_000_000 + receivers);
      expect(plan.cam.maxBitrate).toBe(Math.round(2_000_000 / receivers));
    }
  });

  it('gives a screen share two thirds of each share and keeps its resolution', () => {
    const plan = planVideoSenders(1_800_000, 3, true);
    expect(plan.screen.maxBitrate).toBe(400_000);
    expect(plan.cam.maxBitrate).toBe(200_000);
    expect(plan.screen.scaleResolutionDownBy).toBe(1);
  });

  it('scales the camera down as its share shrinks, with a floor under which video would stall', () => {
    expect(planVideoSenders(2_000_000, 1, false).cam.scaleResolutionDownBy).toBe(1);
    expect(planVideoSenders(2_000_000, 5, false).cam.scaleResolutionDownBy).toBe(2);
    expect(planVideoSenders(2_000_000, 15, false).cam.scaleResolutionDownBy).toBe(4);
    expect(planVideoSenders(100_000, 15, false).cam.maxBitrate).toBe(60_000);
  });

  it('starts cameras off from the configured call size', () => {
    const limits = { ...DEFAULT_CALL_LIMITS, videoOffFrom: 6 };
    expect(cameraAllowedOnJoin(4, limits)).toBe(true);
    expect(cameraAllowedOnJoin(5, limits)).toBe(false);
    expect(cameraAllowedOnJoin(1, { ...limits, videoOffFrom: 2 })).toBe(false);
  });
});
