/**
 * This device's side of a call: its microphone, camera and screen, the devices chosen, mute and
 * push-to-talk. Nothing here turns on a device except a person's click (each toggle follows one);
 * a device switch replaces the track, and the call sends the new one without renegotiating.
 */
import type { CallPresence, MediaSlot } from '../core/call-state.js';
import { describeMediaError, listDevices, NO_DEVICES, openCamera, openMicrophone, openScreen, stopTrack, type DeviceLists } from './call-media.js';
import { addEnglish } from '../i18n/i18n.svelte.js';
import english from '../i18n/en/call.js';

// Loads with the call preview, with the call's English strings (its errors, the upload note).
addEnglish(english);

export interface LocalMediaHooks {
  /** What this person sends changed (a slot on or off, mute): publish it and renegotiate. */
  changed(): void;
  /** A track was swapped for another of the same slot (a device switch): replace it, no renegotiation. */
  switched(): void;
  /** Whether a camera may start now (the call's size rule). */
  cameraAllowed(): boolean;
}

export class LocalMedia {
  micOn = $state(false);
  /** Hold a key to talk: the microphone sends only while it is held. */
  pushToTalk = $state(false);
  talking = $state(false);
  error: string | null = $state(null);
  devices: DeviceLists = $state.raw(NO_DEVICES);
  micId: string | null = $state(null);
  camId: string | null = $state(null);
  speakerId: string | null = $state(null);
  /** This device's tracks: a tile shows the camera, the preview too. */
  localMic: MediaStreamTrack | null = $state.raw(null);
  localCam: MediaStreamTrack | null = $state.raw(null);
  localScreen: MediaStreamTrack | null = $state.raw(null);
  localScreenAudio: MediaStreamTrack | null = $state.raw(null);
  readonly #hooks: LocalMediaHooks;

  constructor(hooks: LocalMediaHooks) {
    this.#hooks = hooks;
  }

  /** The camera is on: there is a camera track. */
  get camOn(): boolean {
    return this.localCam !== null;
  }

  /** A screen is shared: there is a screen track. */
  get screenOn(): boolean {
    return this.localScreen !== null;
  }

  async toggleMic(): Promise<void> {
    if (this.localMic === null) {
      try {
        this.localMic = await openMicrophone(this.micId);
      } catch (error) {
        this.error = describeMediaError(error, 'microphone');
        return;
      }
      this.micOn = true;
      this.#opened(this.localMic);
    } else {
      this.micOn = !this.micOn;
    }
    this.error = null;
    this.#applyMute();
    this.#hooks.changed();
  }

  async toggleCamera(): Promise<void> {
    if (this.localCam !== null) {
      stopTrack(this.localCam);
      this.localCam = null;
    } else {
      if (!this.#hooks.cameraAllowed()) return;
      try {
        this.localCam = await openCamera(this.camId);
      } catch (error) {
        this.error = describeMediaError(error, 'camera');
        return;
      }
      this.#opened(this.localCam);
      this.localCam.addEventListener('ended', () => {
        if (this.localCam?.readyState === 'ended') void this.toggleCamera();
      });
    }
    this.error = null;
    this.#hooks.changed();
  }

  async toggleScreen(): Promise<void> {
    if (this.localScreen !== null) {
      this.#stopScreen();
    } else {
      try {
        const { video, audio } = await openScreen();
        this.localScreen = video;
        this.localScreenAudio = audio;
        // The browser's own "Stop sharing" ends the track.
        video.addEventListener('ended', () => {
          if (this.localScreen === video) {
            this.#stopScreen();
            this.#hooks.changed();
          }
        });
      } catch (error) {
        this.error = describeMediaError(error, 'screen');
        return;
      }
    }
    this.error = null;
    this.#hooks.changed();
  }

  /** Push-to-talk: the key went down (true) or up. */
  talk(down: boolean): void {
    if (!this.pushToTalk || this.talking === down) return;
    this.talking = down;
    this.#applyMute();
  }

  setPushToTalk(on: boolean): void {
    this.pushToTalk = on;
    this.talking = false;
    this.#applyMute();
  }

  /** Switches the microphone or camera to another device: the new track replaces the old without renegotiation. */
  async chooseDevice(kind: 'audioinput' | 'videoinput', deviceId: string): Promise<void> {
    const audio = kind === 'audioinput';
    if (audio) this.micId = deviceId;
    else this.camId = deviceId;
    const previous = audio ? this.localMic : this.localCam;
    if (previous === null) return;
    try {
      const next = await (audio ? openMicrophone : openCamera)(deviceId);
      if (audio) this.localMic = next;
      else this.localCam = next;
      this.#applyMute();
      this.#hooks.switched();
      stopTrack(previous);
    } catch (error) {
      this.error = describeMediaError(error, audio ? 'microphone' : 'camera');
    }
  }

  /** The speaker remote voices play through (HTMLMediaElement.setSinkId where supported). */
  chooseSpeaker(deviceId: string): void {
    this.speakerId = deviceId;
  }

  async refreshDevices(): Promise<void> {
    this.devices = await listDevices();
  }

  /** This person's part in the call, as presence says it. */
  presence(): CallPresence {
    return { mic: this.micOn && this.localMic !== null, cam: this.localCam !== null, screen: this.localScreen !== null };
  }

  /** The tracks to send, by slot. */
  tracks(): Record<MediaSlot, MediaStreamTrack | null> {
    return { mic: this.localMic, cam: this.localCam, screen: this.localScreen, screenAudio: this.localScreenAudio };
  }

  /** A device was granted: the lists now carry names, and the choice shows the device in use. */
  #opened(track: MediaStreamTrack): void {
    const deviceId = track.getSettings().deviceId ?? null;
    if (track.kind === 'audio') this.micId = deviceId;
    else this.camId = deviceId;
    void this.refreshDevices();
  }

  /** Muted, or push-to-talk and the key is up: the track sends silence (no renegotiation, no device light change). */
  #applyMute(): void {
    if (this.localMic !== null) this.localMic.enabled = this.micOn && (!this.pushToTalk || this.talking);
  }

  #stopScreen(): void {
    stopTrack(this.localScreen);
    stopTrack(this.localScreenAudio);
    this.localScreen = null;
    this.localScreenAudio = null;
  }

  /** Stops every track (the camera light goes off) and forgets them. */
  stopAll(): void {
    stopTrack(this.localMic);
    stopTrack(this.localCam);
    this.#stopScreen();
    this.localMic = null;
    this.localCam = null;
    this.micOn = false;
  }
}
