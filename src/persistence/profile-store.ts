/**
 * This device's profile (core/profile.ts) in IndexedDB, sealed with the device key like the
 * recent-rooms list: canned replies are the person's own words, so they are not left readable.
 */
import { get, set, type UseStore } from 'idb-keyval';
import { decodeProfile, encodeProfile, EMPTY_PROFILE, type Profile } from '../core/profile.js';
import { fromUtf8, utf8 } from '../crypto/encoding.js';
import { getParleyStore, PROFILE_KEY } from './database.js';
import { loadOrCreateDeviceKey, openWithDeviceKey, sealWithDeviceKey } from './device-key.js';

const CONTEXT = utf8('parley/v1/profile');

/** The stored profile (the empty one if none), and how many stored parts were dropped as unreadable. */
export async function loadProfile(store: UseStore = getParleyStore()): Promise<{ profile: Profile; dropped: number }> {
  const sealed: unknown = await get(PROFILE_KEY, store);
  if (sealed === undefined) return { profile: EMPTY_PROFILE, dropped: 0 };
  const key = await loadOrCreateDeviceKey(store);
  const opened = await openWithDeviceKey(key, CONTEXT, sealed);
  const text = opened === null ? null : fromUtf8(opened);
  return text === null ? { profile: EMPTY_PROFILE, dropped: 1 } : decodeProfile(text);
}

export async function saveProfile(profile: Profile, store: UseStore = getParleyStore()): Promise<void> {
  const key = await loadOrCreateDeviceKey(store);
  await set(PROFILE_KEY, await sealWithDeviceKey(key, CONTEXT, utf8(encodeProfile(profile))), store);
}
