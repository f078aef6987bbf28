/**
 * This device's microphone, camera and screen for a call: asked for only from a person's click,
 * with echo cancellation and noise suppression on, and stopped (camera light off) the moment they
 * are turned off or the call is left. Device lists come from enumerateDevices, whose labels the
 * browser fills in only after a permission was granted.
 */

/** The devices this browser offers, by kind; labels are empty until a permission was granted. */
import { t, type MessageKey } from '../i18n/i18n.svelte.js';
export interface DeviceLists {
  readonly audioinput: readonly MediaDeviceInfo[];
  readonly videoinput: readonly MediaDeviceInfo[];
  readonly audiooutput: readonly MediaDeviceInfo[];
}

export const NO_DEVICES: DeviceLists = { audioinput: [], videoinput: [], audiooutput: [] };

/** A camera at 640×360, 24 fps: enough for a tile in a mesh of up to eight, and cheap to encode. */
const CAMERA_CONSTRAINTS: MediaTrackConstraints = { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 24, max: 30 } };
const MIC_CONSTRAINTS: MediaTrackConstraints = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };

/** Each device's sentences, by what went wrong (whole sentences: languages inflect the device's name). */
const MEDIA_ERRORS = {
  microphone: { refused: 'call.micRefused', missing: 'call.micMissing', busy: 'call.micBusy', failed: 'call.micFailed' },
  camera: { refused: 'call.cameraRefused', missing: 'call.cameraMissing', busy: 'call.cameraBusy', failed: 'call.cameraFailed' },
  screen: { refused: 'call.screenRefused', missing: 'call.screenMissing', busy: 'call.screenBusy', failed: 'call.screenFailed' },
} as const satisfies Record<string, Record<string, MessageKey>>;

/** Why a device could not be had, in words a person understands (in the page's language). */
export function describeMediaError(error: unknown, what: 'microphone' | 'camera' | 'screen'): string {
  const name = error instanceof DOMException ? error.name : '';
  const say = MEDIA_ERRORS[what];
  if (name === 'NotAllowedError') return t(say.refused);
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return t(say.missing);
  if (name === 'NotReadableError') return t(say.busy);
  return t(say.failed);
}

/** A microphone track (the chosen device if any). Throws the browser's error. */
export async function openMicrophone(deviceId: string | null): Promise<MediaStreamTrack> {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: { ...MIC_CONSTRAINTS, ...(deviceId === null ? {} : { deviceId: { exact: deviceId } }) } });
  const track = stream.getAudioTracks()[0];
  if (track === undefined) throw new DOMException('no audio track', 'NotFoundError');
  return track;
}

/** A camera track (the chosen device if any), hinted as motion. Throws the browser's error. */
export async function openCamera(deviceId: string | null): Promise<MediaStreamTrack> {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { ...CAMERA_CONSTRAINTS, ...(deviceId === null ? {} : { deviceId: { exact: deviceId } }) } });
  const track = stream.getVideoTracks()[0];
  if (track === undefined) throw new DOMException('no video track', 'NotFoundError');
  track.contentHint = 'motion';
  return track;
}

/**
 * A screen (or window, or tab) with its audio where the browser offers it. The video is hinted as
 * 'detail', so the encoder keeps text sharp and drops frames rather than resolution.
 */
export async function openScreen(): Promise<{ readonly video: MediaStreamTrack; readonly audio: MediaStreamTrack | null }> {
  const stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 15, max: 30 } }, audio: true });
  const video = stream.getVideoTracks()[0];
  if (video === undefined) throw new DOMException('no screen track', 'NotFoundError');
  video.contentHint = 'detail';
  return { video, audio: stream.getAudioTracks()[0] ?? null };
}

/** The devices on offer now; none where the browser has no mediaDevices (an insecure page). */
export async function listDevices(): Promise<DeviceLists> {
  try {
    const devices = await navigator.mediaDevices.enumerateDevices();
    return {
      audioinput: devices.filter((device) => device.kind === 'audioinput'),
      videoinput: devices.filter((device) => device.kind === 'videoinput'),
      audiooutput: devices.filter((device) => device.kind === 'audiooutput'),
    };
  } catch {
    return NO_DEVICES;
  }
}

/** Whether this browser can send audio to a chosen speaker (`HTMLMediaElement.setSinkId`). */
export const canChooseSpeaker = (): boolean => typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;

/** Whether this browser can share a screen. */
export const canShareScreen = (): boolean => typeof navigator !== 'undefined' && typeof navigator.mediaDevices?.getDisplayMedia === 'function';

/** Stops a track so its device light goes off; null is fine. */
export function stopTrack(track: MediaStreamTrack | null): void {
  track?.stop();
}
