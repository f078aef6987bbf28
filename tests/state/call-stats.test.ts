import { describe, expect, it } from 'vitest';
import { createUploadWatch, readConnectionStats, SPEAKING_LEVEL } from '../../src/state/call-stats.js';

const report = (stats: Array<Record<string, unknown>>): Array<[string, Record<string, unknown>]> => stats.map((stat, i) => [String(i), stat]);

describe('call stats', () => {
  it('reads incoming voice levels and frames by mid, the upload limit and the bandwidth estimate', () => {
    const readings = readConnectionStats(report([
      { type: 'inbound-rtp', kind: 'audio', mid: '3', audioLevel: 0.4 },
      { type: 'inbound-rtp', kind: 'audio', mid: '5', audioLevel: SPEAKING_LEVEL / 2 },
      { type: 'inbound-rtp', kind: 'video', mid: '4', framesDecoded: 120 },
      { type: 'outbound-rtp', kind: 'video', bytesSent: 1000, qualityLimitationReason: 'cpu' },
      { type: 'outbound-rtp', kind: 'video', bytesSent: 500, qualityLimitationReason: 'bandwidth' },
      { type: 'candidate-pair', nominated: true, availableOutgoingBitrate: 300_000 },
      { type: 'candidate-pair', nominated: false, availableOutgoingBitrate: 9_000_000 },
    ]));
    expect([...readings.audioLevels]).toEqual([['3', 0.4], ['5', SPEAKING_LEVEL / 2]]);
    expect([...readings.framesDecoded]).toEqual([['4', 120]]);
    expect(readings.limitation).toBe('bandwidth');
    expect(readings.videoBytesSent).toBe(1500);
    expect(readings.availableOutgoingBitrate).toBe(300_000);
  });

  it('reads a report with nothing it knows, or values of the wrong type, as nothing', () => {
    const readings = readConnectionStats(report([{ type: 'inbound-rtp', kind: 'audio', audioLevel: 0.5 }, { type: 'inbound-rtp', kind: 'audio', mid: '1', audioLevel: 'loud' }, { type: 'codec' }]));
    expect(readings).toEqual({ audioLevels: new Map(), framesDecoded: new Map(), limitation: 'none', videoBytesSent: 0, availableOutgoingBitrate: null });
  });

  it('says the upload cannot keep up only after it has fallen short for the given readings in a row', () => {
    const watch = createUploadWatch(3);
    expect(watch.update(true)).toBeNull();
    expect(watch.update(true)).toBeNull();
    expect(watch.update(false)).toBeNull();
    expect(watch.update(true)).toBeNull();
    expect(watch.update(true)).toBeNull();
    expect(watch.update(true)).toMatch(/can’t keep up/);
    expect(watch.update(false)).toBeNull();
  });
});
