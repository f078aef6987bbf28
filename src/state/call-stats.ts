/**
 * What a call reads from getStats(), which costs no traffic: each incoming voice's audio level (the
 * speaking indicator), frames decoded, and whether this device's upload keeps up with its video.
 */
import { addEnglish, t } from '../i18n/i18n.svelte.js';
import english from '../i18n/en/call.js';

// The call's English strings load with the call's code (see i18n's addEnglish).
addEnglish(english);

/** One connection's readings, by the peer's media mid. */
export interface ConnectionReadings {
  /** Audio level 0–1 of each incoming audio stream, by mid. */
  readonly audioLevels: ReadonlyMap<string, number>;
  /** Frames decoded of each incoming video stream, by mid. */
  readonly framesDecoded: ReadonlyMap<string, number>;
  /** Video being held back because the upload cannot carry it ('bandwidth'), or by the CPU ('cpu'). */
  readonly limitation: 'none' | 'bandwidth' | 'cpu';
  /** Bytes of video sent so far, all outgoing video streams together. */
  readonly videoBytesSent: number;
  /** What the congestion controller thinks the upload can carry now (bits/s), or null. */
  readonly availableOutgoingBitrate: number | null;
}

/** Audio louder than this counts as speaking (audioLevel is linear, 0–1; quiet speech is ~0.02–0.05). */
export const SPEAKING_LEVEL = 0.02;

/** Reads a getStats() report. Never throws: anything missing reads as nothing. */
export function readConnectionStats(report: Iterable<[string, Record<string, unknown>]>): ConnectionReadings {
  const audioLevels = new Map<string, number>();
  const framesDecoded = new Map<string, number>();
  let limitation: ConnectionReadings['limitation'] = 'none';
  let videoBytesSent = 0;
  let availableOutgoingBitrate: number | null = null;
  for (const [, stat] of report) {
    const type = stat['type'];
    const mid = typeof stat['mid'] === 'string' ? stat['mid'] : null;
    if (type === 'inbound-rtp' && mid !== null) {
      if (stat['kind'] === 'audio' && typeof stat['audioLevel'] === 'number') audioLevels.set(mid, stat['audioLevel']);
      if (stat['kind'] === 'video' && typeof stat['framesDecoded'] === 'number') framesDecoded.set(mid, stat['framesDecoded']);
    } else if (type === 'outbound-rtp' && stat['kind'] === 'video') {
      if (typeof stat['bytesSent'] === 'number') videoBytesSent += stat['bytesSent'];
      const reason = stat['qualityLimitationReason'];
      if (reason === 'bandwidth') limitation = 'bandwidth';
      else if (reason === 'cpu' && limitation === 'none') limitation = 'cpu';
    } else if (type === 'candidate-pair' && stat['nominated'] === true && typeof stat['availableOutgoingBitrate'] === 'number') {
      availableOutgoingBitrate = stat['availableOutgoingBitrate'];
    }
  }
  return { audioLevels, framesDecoded, limitation, videoBytesSent, availableOutgoingBitrate };
}

/**
 * Turns successive readings into a note for the person: said only after the upload has been
 * short for `ticks` readings in a row, so one slow second does not flash a warning.
 */
export function createUploadWatch(ticks = 3): { update(limited: boolean): string | null } {
  let shortFor = 0;
  return {
    update(limited) {
      shortFor = limited ? shortFor + 1 : 0;
      return shortFor >= ticks ? t('call.uploadSlow') : null;
    },
  };
}
