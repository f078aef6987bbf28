/**
 * The room's call as the UI sees it. Who is in it travels in signed presence (own-presence); media
 * travels on the room's own connections (call-peers, transport/media-negotiator). Nothing here turns
 * on a microphone or camera except a person's click, nothing of a call is stored, and tracks go
 * only to call members this person has not blocked and the room has not banned.
 */
import { cameraAllowedOnJoin, planVideoSenders, type CallLimits, type CallPresence, type MediaSlot } from '../core/call-state.js';
import type { DropReason } from '../core/types.js';
import type { MediaLinks } from '../transport/media-links.js';
import { describeMediaError, listDevices, NO_DEVICES, openCamera, openMicrophone, openScreen, stopTrack, type DeviceLists } from './call-media.js';
import { createCallPeers, type CallPeers } from './call-peers.js';
import { createUploadWatch, SPEAKING_LEVEL } from './call-stats.js';
import type { Person } from './people.js';

export type CallPhase = 'idle' | 'preview' | 'joined';

/** How often stats are read while in a call: the speaking indicator, the upload watch, the bitrate split. */
const STATS_EVERY_MS = 500;
/** Readings in a row the upload must fall short before the person is told (8 s: a call's first seconds ramp up). */
const UPLOAD_SHORT_TICKS = 16;

export interface CallHost {
  readonly links: MediaLinks;
  /** Publishes this person's part in the call (null: not in it), signed with their presence. */
  setPresence(call: CallPresence | null): void;
  /** The people present, from verified presence (banned people are not in it). */
  people(): readonly Person[];
  /** Someone this person blocked, or the room banned: never in their call. */
  excluded(key: string): boolean;
  /** Plays the call's join/leave sound, as the sound settings say. */
  alert(event: 'callJoin' | 'callLeave'): void;
  drop(reason: DropReason): void;
  /** The room's call limits now (the admin's rules may set when cameras start off). */
  limits(): CallLimits;
}

/** One person in the call, as a tile shows them. */
export interface CallMember {
  readonly key: string;
  readonly nick: string;
  readonly color: string;
  readonly isSelf: boolean;
  readonly call: CallPresence;
}

export class CallSession {
  phase: CallPhase = $state('idle');
  micOn = $state(false);
  camOn = $state(false);
  screenOn = $state(false);
  /** Hold a key to talk: the microphone sends only while it is held. */
  pushToTalk = $state(false);
  talking = $state(false);
  /** The call shrunk to a strip while chatting. */
  compact = $state(false);
  error: string | null = $state(null);
  /** Said when the upload cannot carry this person's video. */
  note: string | null = $state(null);
  devices: DeviceLists = $state.raw(NO_DEVICES);
  micId: string | null = $state(null);
  camId: string | null = $state(null);
  speakerId: string | null = $state(null);
  /** This device's tracks: a tile shows the camera, the preview too. */
  localMic: MediaStreamTrack | null = $state.raw(null);
  localCam: MediaStreamTrack | null = $state.raw(null);
  localScreen: MediaStreamTrack | null = $state.raw(null);
  localScreenAudio: MediaStreamTrack | null = $state.raw(null);
  /** Bumped whenever a remote track comes or goes. */
  tracksVersion = $state(0);
  /** Keys of the people heard speaking now (from the receivers' audio levels). */
  speaking: ReadonlySet<string> = $state.raw(new Set());
  /** Offers this device sent for media (tests and benchmarks count renegotiations). */
  offers = 0;

  readonly #host: CallHost;
  readonly #peers: CallPeers;
  #statsTimer: ReturnType<typeof setInterval> | undefined;
  readonly #upload = createUploadWatch(UPLOAD_SHORT_TICKS);
  #known = new Set<string>();

  constructor(host: CallHost) {
    this.#host = host;
    this.#peers = createCallPeers({
      links: host.links,
      sendTo: (key) => this.phase === 'joined' && !host.excluded(key) && this.#inCall(key),
      answer: (key) => !host.excluded(key),
      localTracks: () => this.#tracks(),
      onTracks: () => void this.tracksVersion++,
      onDrop: (reason) => {
        if (reason !== 'collision') host.drop(reason === 'stale' ? 'stale' : reason === 'unsolicited' ? 'unsolicited' : reason);
      },
      onOffer: () => void this.offers++,
    });
  }

  /** The room's call limits now. */
  get limits(): CallLimits {
    return this.#host.limits();
  }

  /** Everyone in the call now, this person first when in it; blocked people never appear. */
  members(): CallMember[] {
    const members: CallMember[] = [];
    for (const person of this.#host.people()) {
      if (person.isSelf) {
        if (this.phase === 'joined') members.unshift({ key: person.key, nick: person.nick, color: person.color, isSelf: true, call: this.#presence() });
      } else if (person.call !== null && !this.#host.excluded(person.key)) {
        members.push({ key: person.key, nick: person.nick, color: person.color, isSelf: false, call: person.call });
      }
    }
    return members;
  }

  /** How many are in the call (this person included when in it). */
  size(): number {
    return this.members().length;
  }

  /** Whether a camera may start now: calls from `limits.videoOffFrom` people are voice by default. */
  cameraAllowed(): boolean {
    const others = this.members().filter((member) => !member.isSelf).length;
    return this.camOn || cameraAllowedOnJoin(others, this.limits);
  }

  /** The call is full: a mesh sends each voice to everyone. */
  full(): boolean {
    return this.phase !== 'joined' && this.size() >= this.limits.maxMembers;
  }

  /** Opens the preview: nothing is turned on until the person clicks Microphone or Camera. */
  preview(): void {
    if (this.phase !== 'idle') return;
    this.error = null;
    this.phase = 'preview';
    void this.refreshDevices();
  }

  /** Closes the preview without joining, turning off what it turned on. */
  cancelPreview(): void {
    if (this.phase !== 'preview') return;
    this.#stopLocal();
    this.phase = 'idle';
  }

  /** Joins with what the preview turned on. */
  join(): void {
    if (this.phase === 'joined' || this.full()) return;
    this.phase = 'joined';
    this.compact = false;
    this.#host.links.setInCall(true);
    this.#known = new Set(this.members().filter((member) => !member.isSelf).map((member) => member.key));
    this.#publish();
    this.#statsTimer = setInterval(() => void this.#tick(), STATS_EVERY_MS);
    this.#host.alert('callJoin');
  }

  /** Leaves: every track stops (the camera light goes off) and the others stop hearing this person. */
  leave(): void {
    if (this.phase === 'idle') return;
    const wasIn = this.phase === 'joined';
    this.phase = 'idle';
    clearInterval(this.#statsTimer);
    this.#stopLocal();
    this.speaking = new Set();
    this.note = null;
    this.#host.setPresence(null);
    this.#host.links.setInCall(false);
    this.#peers.sync();
    if (wasIn) this.#host.alert('callLeave');
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
    } else {
      this.micOn = !this.micOn;
    }
    this.error = null;
    this.#applyMute();
    this.#publish();
  }

  async toggleCamera(): Promise<void> {
    if (this.localCam !== null) {
      stopTrack(this.localCam);
      this.localCam = null;
      this.camOn = false;
    } else {
      if (!this.cameraAllowed()) return;
      try {
        this.localCam = await openCamera(this.camId);
      } catch (error) {
        this.error = describeMediaError(error, 'camera');
        return;
      }
      this.camOn = true;
      this.localCam.addEventListener('ended', () => {
        if (this.localCam?.readyState === 'ended') void this.toggleCamera();
      });
    }
    this.error = null;
    this.#publish();
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
            this.#publish();
          }
        });
      } catch (error) {
        this.error = describeMediaError(error, 'screen');
        return;
      }
      this.screenOn = true;
    }
    this.error = null;
    this.#publish();
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
    if (kind === 'audioinput') {
      this.micId = deviceId;
      if (this.localMic === null) return;
      try {
        const next = await openMicrophone(deviceId);
        const previous = this.localMic;
        this.localMic = next;
        this.#applyMute();
        this.#peers.sync();
        stopTrack(previous);
      } catch (error) {
        this.error = describeMediaError(error, 'microphone');
      }
    } else {
      this.camId = deviceId;
      if (this.localCam === null) return;
      try {
        const next = await openCamera(deviceId);
        const previous = this.localCam;
        this.localCam = next;
        this.#peers.sync();
        stopTrack(previous);
      } catch (error) {
        this.error = describeMediaError(error, 'camera');
      }
    }
  }

  /** The speaker remote voices play through (HTMLMediaElement.setSinkId where supported). */
  chooseSpeaker(deviceId: string): void {
    this.speakerId = deviceId;
  }

  async refreshDevices(): Promise<void> {
    this.devices = await listDevices();
  }

  /** A member's remote track on `slot`, if they send one to us. */
  remoteTrack(key: string, slot: MediaSlot): MediaStreamTrack | null {
    void this.tracksVersion;
    return this.#peers.remoteTrack(key, slot);
  }

  /** Presence or the links changed: apply who gets our tracks; a sound when someone joins or leaves. */
  peopleChanged(): void {
    this.#peers.sync();
    if (this.phase !== 'joined') return;
    const now = new Set(this.members().filter((member) => !member.isSelf).map((member) => member.key));
    const joined = [...now].some((key) => !this.#known.has(key));
    const left = [...this.#known].some((key) => !now.has(key));
    this.#known = now;
    if (joined) this.#host.alert('callJoin');
    else if (left) this.#host.alert('callLeave');
  }

  close(): void {
    this.leave();
    this.#peers.close();
  }

  #inCall(key: string): boolean {
    return this.#host.people().some((person) => person.key === key && !person.isSelf && person.call !== null);
  }

  #presence(): CallPresence {
    return { mic: this.micOn && this.localMic !== null, cam: this.localCam !== null, screen: this.localScreen !== null };
  }

  #tracks(): Record<MediaSlot, MediaStreamTrack | null> {
    return { mic: this.localMic, cam: this.localCam, screen: this.localScreen, screenAudio: this.localScreenAudio };
  }

  #publish(): void {
    if (this.phase !== 'joined') return;
    this.#host.setPresence(this.#presence());
    this.#peers.sync();
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
    this.screenOn = false;
  }

  #stopLocal(): void {
    stopTrack(this.localMic);
    stopTrack(this.localCam);
    this.#stopScreen();
    this.localMic = null;
    this.localCam = null;
    this.micOn = false;
    this.camOn = false;
  }

  async #tick(): Promise<void> {
    const receivers = this.#peers.receivers();
    const plan = planVideoSenders(this.limits.videoUplinkBps, receivers, this.localScreen !== null);
    this.#peers.applyPlan(plan);
    const planned = (this.localCam === null ? 0 : plan.cam.maxBitrate) + (this.localScreen === null ? 0 : plan.screen.maxBitrate);
    const readings = await this.#peers.readStats();
    if (this.phase !== 'joined') return;
    const speaking = new Set<string>();
    let limited = false;
    for (const { key, readings: reading, slotOf } of readings) {
      for (const [mid, level] of reading.audioLevels) if (level > SPEAKING_LEVEL && slotOf(mid) === 'mic') speaking.add(key);
      // The encoder held back by the network, and the network carrying under half of what was planned.
      if (reading.limitation === 'bandwidth' && reading.availableOutgoingBitrate !== null && reading.availableOutgoingBitrate < planned / 2) limited = true;
    }
    const same = speaking.size === this.speaking.size && [...speaking].every((key) => this.speaking.has(key));
    if (!same) this.speaking = speaking;
    this.note = this.localCam !== null || this.localScreen !== null ? this.#upload.update(limited) : this.#upload.update(false);
  }
}
