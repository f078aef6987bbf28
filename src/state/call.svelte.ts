/**
 * The room's call as the UI sees it. Who is in it travels in signed presence (own-presence); media
 * travels on the room's own connections (call-peers, transport/media-negotiator). Nothing here turns
 * on a microphone or camera except a person's click, nothing of a call is stored, and tracks go
 * only to call members this person has not blocked and the room has not banned.
 */
import { cameraAllowedOnJoin, planVideoSenders, type CallLimits, type CallPresence, type MediaSlot } from '../core/call-state.js';
import type { DropReason } from '../core/types.js';
import type { MediaLinks } from '../transport/media-links.js';
import type { LocalMedia } from './call-local.svelte.js';
import { createCallPeers, type CallPeers } from './call-peers.js';
import { createUploadWatch, SPEAKING_LEVEL } from './call-stats.js';
import type { Person } from './people.js';

export type CallPhase = 'idle' | 'preview' | 'joined';

const NO_TRACKS: Readonly<Record<MediaSlot, MediaStreamTrack | null>> = { mic: null, cam: null, screen: null, screenAudio: null };
const NOT_SENDING: CallPresence = { mic: false, cam: false, screen: false };

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
  /** The call shrunk to a strip while chatting. */
  compact = $state(false);
  /** Said when the upload cannot carry this person's video. */
  note: string | null = $state(null);
  /**
   * This device's microphone, camera and screen: loaded with the preview (its code is not part of
   * the room's first load), and there for as long as the page after that.
   */
  local: LocalMedia | null = $state.raw(null);
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
      localTracks: () => this.local?.tracks() ?? NO_TRACKS,
      onTracks: () => void this.tracksVersion++,
      onDrop: (reason) => {
        // Crossing offers are how perfect negotiation works, not a refusal.
        if (reason !== 'collision') host.drop(reason);
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
        if (this.phase === 'joined') members.unshift({ key: person.key, nick: person.nick, color: person.color, isSelf: true, call: this.local?.presence() ?? NOT_SENDING });
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
    return (this.local?.localCam ?? null) !== null || cameraAllowedOnJoin(others, this.limits);
  }

  /** The call is full: a mesh sends each voice to everyone. */
  full(): boolean {
    return this.phase !== 'joined' && this.size() >= this.limits.maxMembers;
  }

  /** Opens the preview: nothing is turned on until the person clicks Microphone or Camera. */
  preview(): void {
    if (this.phase !== 'idle') return;
    this.phase = 'preview';
    void this.#loadLocal().then((local) => {
      local.error = null;
      void local.refreshDevices();
    });
  }

  /** Closes the preview without joining, turning off what it turned on. */
  cancelPreview(): void {
    if (this.phase !== 'preview') return;
    this.local?.stopAll();
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
    this.local?.stopAll();
    this.speaking = new Set();
    this.note = null;
    this.#host.setPresence(null);
    this.#host.links.setInCall(false);
    this.#peers.sync();
    if (wasIn) this.#host.alert('callLeave');
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

  async #loadLocal(): Promise<LocalMedia> {
    if (this.local !== null) return this.local;
    const { LocalMedia: Local } = await import('./call-local.svelte.js');
    this.local ??= new Local({ changed: () => this.#publish(), switched: () => this.#peers.sync(), cameraAllowed: () => this.cameraAllowed() });
    return this.local;
  }

  #publish(): void {
    if (this.phase !== 'joined') return;
    this.#host.setPresence(this.local?.presence() ?? NOT_SENDING);
    this.#peers.sync();
  }

  #inCall(key: string): boolean {
    return this.#host.people().some((person) => person.key === key && !person.isSelf && person.call !== null);
  }

  async #tick(): Promise<void> {
    const receivers = this.#peers.receivers();
    const localCam = this.local?.localCam ?? null;
    const localScreen = this.local?.localScreen ?? null;
    const plan = planVideoSenders(this.limits.videoUplinkBps, receivers, localScreen !== null);
    this.#peers.applyPlan(plan);
    const planned = (localCam === null ? 0 : plan.cam.maxBitrate) + (localScreen === null ? 0 : plan.screen.maxBitrate);
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
    this.note = this.#upload.update(limited && (localCam !== null || localScreen !== null));
  }
}
