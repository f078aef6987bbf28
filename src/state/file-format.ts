import { language } from '../i18n/i18n.svelte.js';

/**
 * How the files UI writes sizes, speeds and times, numbers through Intl in the UI's language (a
 * Persian page gets Persian digits, a Polish one "1,5 MB"). Files and the auto-download limits are in decimal units (a
 * 5 MB photo is 5,000,000 bytes, as phones and the state layer count them); a room's storage and
 * its budget in binary ones, so the 1 GiB default reads "1 GB" and a full store "1 GB of 1 GB".
 */
const UNITS = ['byte', 'kilobyte', 'megabyte', 'gigabyte'] as const;
const formats = new Map<string, Intl.NumberFormat>();

/** Narrow for bytes and times ("812B", "4s", "2h 5m" in English), short for kB/MB/GB. */
function numberFormat(unit: string, digits: number): Intl.NumberFormat {
  const lang = language.locale;
  const id = `${lang}|${unit}|${digits}`;
  let format = formats.get(id);
  if (format === undefined) {
    const unitDisplay = unit !== 'byte' && unit.endsWith('byte') ? 'short' : 'narrow';
    format = new Intl.NumberFormat(lang, { style: 'unit', unit, unitDisplay, maximumFractionDigits: digits });
    formats.set(id, format);
  }
  return format;
}

/** "812 B", "3.2 MB", "20 MB", "1 GB": one decimal under 10 units, none above; `base` 1024 for storage. */
export function formatBytes(bytes: number, base: 1000 | 1024 = 1000): string {
  let value = Math.max(0, bytes);
  let step = 0;
  // 999,960 bytes would round to "1,000 kB": such a value is written in the next unit.
  while (value >= base - 0.5 && step < UNITS.length - 1) {
    value /= base;
    step++;
  }
  return numberFormat(UNITS[step] ?? 'byte', step === 0 || value >= 10 ? 0 : 1).format(value);
}

/** "42%" in the UI's language ("۴۲٪" in Persian). */
export function formatPercent(percent: number): string {
  return numberFormat('percent', 0).format(percent);
}

/** "4 s", "3 min", "2 h 5 min": what is left of a transfer, rounded up to what matters. */
export function formatSecondsLeft(seconds: number): string {
  const whole = Math.max(1, Math.ceil(seconds));
  if (whole < 60) return numberFormat('second', 0).format(whole);
  const minutes = Math.ceil(whole / 60);
  if (minutes < 60) return numberFormat('minute', 0).format(minutes);
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? numberFormat('hour', 0).format(hours) : `${numberFormat('hour', 0).format(hours)} ${numberFormat('minute', 0).format(rest)}`;
}

/** A short word for the kind of file: its name's extension ("PDF"), else the MIME subtype; null for an unknown type (the UI says "File"). */
export function fileKind(name: string, type: string): string | null {
  const extension = /\.([\p{L}\p{N}]{1,6})$/u.exec(name)?.[1];
  if (extension !== undefined) return extension.toUpperCase();
  if (type === 'application/octet-stream') return null;
  return type.slice(type.indexOf('/') + 1).toUpperCase();
}

/** Width and height from a baseline or progressive JPEG's frame header; null when it has none. */
export function jpegSize(bytes: Uint8Array): { width: number; height: number } | null {
  const at = (i: number): number => bytes[i] ?? 0;
  if (at(0) !== 0xff || at(1) !== 0xd8) return null;
  let i = 2;
  while (i + 8 < bytes.length) {
    if (at(i) !== 0xff) return null;
    const marker = at(i + 1);
    if (marker === 0xff) {
      i++;
      continue;
    }
    // SOF0–SOF15, except DHT (C4), JPG (C8) and DAC (CC), which share the range.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      const height = (at(i + 5) << 8) | at(i + 6);
      const width = (at(i + 7) << 8) | at(i + 8);
      return width > 0 && height > 0 ? { width, height } : null;
    }
    i += 2 + ((at(i + 2) << 8) | at(i + 3));
  }
  return null;
}

/** Where the room's storage settings are: a file card's "storage is full" opens them. */
export const STORAGE_FOLD_ID = 'files-storage';

/** Opens the "Files and storage" fold in the side panel and moves focus to it. */
export function openStorageSettings(): void {
  const details = document.getElementById(STORAGE_FOLD_ID)?.querySelector('details');
  if (!details) return;
  details.open = true;
  details.scrollIntoView({ block: 'nearest' });
  details.querySelector('summary')?.focus();
}
