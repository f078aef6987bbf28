/**
 * A call in a room, as the core sees it: what a member says about their part in the call (in
 * signed presence), the media-negotiation message peers exchange over the sealed data channel,
 * and the rules every member applies alike (the video-off size, the bitrate split).
 *
 * No DOM or WebRTC here: descriptions are plain text checked before any browser parser sees them.
 */
import { hasExactFields, isPlainObject, parseStrictObject } from './strict-json.js';

/** A member's part in the call: absent when not in it. Signed with the rest of presence. */
export interface CallPresence {
  readonly mic: boolean;
  readonly cam: boolean;
  readonly screen: boolean;
}

const CALL_FIELDS = ['mic', 'cam', 'screen'];

/** Parses untrusted call presence; null unless exactly the three booleans. Never throws. */
export function parseCallPresence(value: unknown): CallPresence | null {
  if (!isPlainObject(value) || !hasExactFields(value, CALL_FIELDS)) return null;
  const { mic, cam, screen } = value;
  if (typeof mic !== 'boolean' || typeof cam !== 'boolean' || typeof screen !== 'boolean') return null;
  return { mic, cam, screen };
}

/** What one of our sending transceivers carries; the receiver learns it from the labels (`mids`) in our descriptions. */
export type MediaSlot = 'mic' | 'cam' | 'screen' | 'screenAudio';
export const MEDIA_SLOTS: readonly MediaSlot[] = ['mic', 'cam', 'screen', 'screenAudio'];

/**
 * Media sections one description may hold: the data channel, our four slots and the peer's four.
 * A description with more is a track flood: dropped before the browser parses it.
 */
export const MAX_MEDIA_SECTIONS = 1 + 2 * MEDIA_SLOTS.length;
/** An offer with a data channel, eight media sections and a full codec list is about 12 KB in Chromium. */
export const MAX_SDP_CHARS = 32 * 1024;
/** A media-negotiation message: a description and its labels. */
export const MAX_MEDIA_MESSAGE_BYTES = MAX_SDP_CHARS + 1024;

/** One step of media negotiation (perfect negotiation, see transport/media-negotiator.ts). */
export interface MediaDescription {
  /** Per sender and connection, rising: a repeated or older one is dropped. */
  readonly seq: number;
  readonly type: 'offer' | 'answer';
  readonly sdp: string;
  /** What each of the sender's own transceivers carries, by mid. */
  readonly mids: Readonly<Partial<Record<MediaSlot, string>>>;
}

/** Why a media message was dropped (counted like every other refusal). */
export type MediaRefusal = 'shape' | 'size' | 'sdp';

const MID_PATTERN = /^[A-Za-z0-9_-]{1,16}$/;

/**
 * A session description the browser may be shown: version line first, only CRLF/LF line breaks and
 * printable ASCII, and no more media sections than two members' slots and a data channel.
 */
export function checkSdp(sdp: string): boolean {
  if (sdp.length > MAX_SDP_CHARS || !sdp.startsWith('v=0\r\n')) return false;
  // eslint-disable-next-line no-control-regex
  if (/[^\x20-\x7e\r\n]/.test(sdp)) return false;
  let sections = 0;
  for (let at = sdp.indexOf('\nm='); at !== -1; at = sdp.indexOf('\nm=', at + 3)) {
    if (++sections > MAX_MEDIA_SECTIONS) return false;
  }
  return sections > 0;
}

/** Parses a media-negotiation message's JSON; a refusal to count if it is not one. Never throws. */
export function parseMediaDescription(text: string): MediaDescription | MediaRefusal {
  const fields = parseStrictObject(text, MAX_MEDIA_MESSAGE_BYTES, ['seq', 'type', 'sdp', 'mids']);
  if (fields === 'size') return 'size';
  if (typeof fields === 'string') return 'shape';
  const { seq, type, sdp, mids } = fields;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) return 'shape';
  if (type !== 'offer' && type !== 'answer') return 'shape';
  if (typeof sdp !== 'string') return 'shape';
  if (!isPlainObject(mids)) return 'shape';
  const labels: Partial<Record<MediaSlot, string>> = {};
  for (const [slot, mid] of Object.entries(mids)) {
    if (!(MEDIA_SLOTS as readonly string[]).includes(slot) || typeof mid !== 'string' || !MID_PATTERN.test(mid)) return 'shape';
    labels[slot as MediaSlot] = mid;
  }
  if (!checkSdp(sdp)) return 'sdp';
  return { seq, type, sdp, mids: labels };
}

/** The JSON text of a media-negotiation message. */
export function encodeMediaDescription(description: MediaDescription): string {
  return JSON.stringify({ seq: description.seq, type: description.type, sdp: description.sdp, mids: description.mids });
}

/** Call limits every member applies alike; README "Calls". */
export interface CallLimits {
  /** Cameras start off for whoever joins a call this big or bigger (others may still turn theirs on). */
  readonly videoOffFrom: number;
  /** Nobody joins a call with this many in it: a mesh sends each voice to everyone. */
  readonly maxMembers: number;
  /** Upload budget for one person's video (camera and screen together), bits per second. */
  readonly videoUplinkBps: number;
}

export const DEFAULT_CALL_LIMITS: CallLimits = { videoOffFrom: 6, maxMembers: 16, videoUplinkBps: 2_000_000 };

/** What one video sender is told: its share of the uplink budget, and how much to scale the picture down to fit. */
export interface SenderPlan {
  readonly maxBitrate: number;
  readonly scaleResolutionDownBy: number;
}

/** Below this per receiver, 360p is the most a camera can carry sharply; below the next, 180p. */
const HALF_SCALE_BELOW_BPS = 500_000;
const QUARTER_SCALE_BELOW_BPS = 200_000;
/** Never ask the encoder for less than this: below it video stalls rather than degrades. */
const MIN_VIDEO_BPS = 60_000;

/**
 * Splits one person's video uplink budget over the people receiving it. A screen share, when on,
 * takes two thirds (sharp text needs bits; it keeps full resolution) and the camera the rest.
 */
export function planVideoSenders(budgetBps: number, receivers: number, screenOn: boolean): { readonly cam: SenderPlan; readonly screen: SenderPlan } {
  const perReceiver = budgetBps / Math.max(1, receivers);
  const camShare = Math.max(MIN_VIDEO_BPS, Math.round(screenOn ? perReceiver / 3 : perReceiver));
  const screenShare = Math.max(MIN_VIDEO_BPS, Math.round((perReceiver * 2) / 3));
  const camScale = camShare < QUARTER_SCALE_BELOW_BPS ? 4 : camShare < HALF_SCALE_BELOW_BPS ? 2 : 1;
  return { cam: { maxBitrate: camShare, scaleResolutionDownBy: camScale }, screen: { maxBitrate: screenShare, scaleResolutionDownBy: 1 } };
}

/** Whether a camera starts on for someone joining a call that has `membersBefore` people in it. */
export function cameraAllowedOnJoin(membersBefore: number, limits: CallLimits = DEFAULT_CALL_LIMITS): boolean {
  return membersBefore + 1 < limits.videoOffFrom;
}
