/**
 * This device's choices about files: how large an image may be to download by itself, and how
 * much each room may store. Kept in localStorage like the display settings (they say nothing about
 * any room or person); a stored value outside the choices falls back to the default.
 */
import { readStoredFields } from './settings.svelte.js';

const KEY = 'parley.files';
const MB = 1000 * 1000;
const GIB = 1024 ** 3;

/** 0: never by itself. */
export const AUTO_DOWNLOAD_CHOICES: readonly number[] = [0, 1 * MB, 5 * MB, 20 * MB, 100 * MB];
export const DEFAULT_AUTO_DOWNLOAD_BYTES = 5 * MB;
/** Room for the largest file a room allows: 2 GiB and its pieces' 16-byte tags (128 KiB). */
export const DEFAULT_BUDGET_BYTES = 2 * GIB + 1024 ** 2;
export const BUDGET_CHOICES: readonly number[] = [256 * 1024 ** 2, GIB, DEFAULT_BUDGET_BYTES, 5 * GIB, 10 * GIB];

interface Stored {
  autoDownloadBytes: number;
  budgetBytes: number;
}

class FileSettings {
  autoDownloadBytes = $state(DEFAULT_AUTO_DOWNLOAD_BYTES);
  budgetBytes = $state(DEFAULT_BUDGET_BYTES);

  constructor() {
    const fields = readStoredFields(KEY);
    const auto = fields['autoDownloadBytes'];
    const budget = fields['budgetBytes'];
    if (typeof auto === 'number' && AUTO_DOWNLOAD_CHOICES.includes(auto)) this.autoDownloadBytes = auto;
    if (typeof budget === 'number' && BUDGET_CHOICES.includes(budget)) this.budgetBytes = budget;
  }

  set(change: Partial<Stored>): void {
    if (change.autoDownloadBytes !== undefined && AUTO_DOWNLOAD_CHOICES.includes(change.autoDownloadBytes)) this.autoDownloadBytes = change.autoDownloadBytes;
    if (change.budgetBytes !== undefined && BUDGET_CHOICES.includes(change.budgetBytes)) this.budgetBytes = change.budgetBytes;
    try {
      globalThis.localStorage?.setItem(KEY, JSON.stringify({ autoDownloadBytes: this.autoDownloadBytes, budgetBytes: this.budgetBytes }));
    } catch {
      // Storage refused (private mode): the choice holds for this page.
    }
  }
}

export const fileSettings = new FileSettings();
