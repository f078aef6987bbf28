/**
 * Files in end-to-end tests, through the names people and screen readers use (CONTRACT.md): the
 * "Attach file" button and its file chooser, a file message's card with "Download", its
 * progressbar named after the file, and saving. Saving goes through the app's File System Access
 * path, with the picker (a dialog headless Chromium cannot show) answered by a file in the page's
 * own origin-private file system: the app's streaming writes are real, and the test reads back
 * what was written.
 */
import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { messagesLog, peopleItems, type RoomHarness } from './e2e.js';

export interface TestFile {
  readonly name: string;
  readonly mimeType: string;
  readonly buffer: Buffer;
}

export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** `size` random bytes named `name`. */
export const randomFile = (name: string, size: number, mimeType = 'application/octet-stream'): TestFile => ({ name, mimeType, buffer: randomBytes(size) });

/** Attaches files as a person does: the Attach file button, then the chooser. */
export async function attach(page: Page, ...files: TestFile[]): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Attach file' }).click();
  await (await chooser).setFiles(files.map((file) => ({ name: file.name, mimeType: file.mimeType, buffer: file.buffer })));
}

/** The message row showing the file named `name`. */
export const fileRow = (page: Page, name: string): Locator => messagesLog(page).locator('article', { hasText: name }).last();

export const progressOf = (page: Page, name: string): Locator => page.getByRole('progressbar', { name });

/** The progressbar's value now (aria-valuenow), or null when there is none. */
export async function progressValue(page: Page, name: string): Promise<number | null> {
  const bar = progressOf(page, name);
  if ((await bar.count()) === 0) return null;
  const value = await bar.first().getAttribute('aria-valuenow');
  return value === null ? null : Number(value);
}

/**
 * Answers the save picker with a file in the origin-private file system (the picker is a dialog
 * headless Chromium cannot show); install before the page opens.
 */
export async function answerSavePicker(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    (window as unknown as { showSaveFilePicker: unknown }).showSaveFilePicker = async (options: { suggestedName?: string } = {}) => {
      const directory = await navigator.storage.getDirectory();
      return directory.getFileHandle(`saved-${options.suggestedName ?? 'file'}`, { create: true });
    };
  });
}

/** SHA-256 (hex) of the file the page saved as `name` through the picker, or null if none was saved; read in slices. */
export function savedHash(page: Page, name: string): Promise<string | null> {
  return page.evaluate(async (fileName) => {
    const directory = await navigator.storage.getDirectory();
    let file: File;
    try {
      file = await (await directory.getFileHandle(`saved-${fileName}`)).getFile();
    } catch {
      return null;
    }
    if (file.size === 0) return null;
    // WebCrypto has no incremental digest: hash each 16 MiB slice, then the list of slice hashes.
    // The test computes the same two-level hash over its buffer (savedDigestOf).
    const slice = 16 * 1024 * 1024;
    const parts: Uint8Array[] = [];
    for (let at = 0; at < file.size; at += slice) parts.push(new Uint8Array(await crypto.subtle.digest('SHA-256', await file.slice(at, at + slice).arrayBuffer())));
    const joined = new Uint8Array(parts.length * 32);
    parts.forEach((part, i) => joined.set(part, i * 32));
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', joined));
    return [...digest].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  }, name);
}

/** The digest savedHash computes, over the test's own bytes. */
export function savedDigestOf(bytes: Uint8Array): string {
  const slice = 16 * 1024 * 1024;
  const parts: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += slice) parts.push(createHash('sha256').update(bytes.subarray(at, at + slice)).digest());
  return sha256Hex(Buffer.concat(parts));
}

/** The value of one row of Diagnostics' "File transfers" table (the Diagnostics fold is opened first). */
export async function transferCount(page: Page, row: string): Promise<number> {
  const table = page.getByRole('table', { name: 'File transfers' });
  if (!(await table.isVisible())) await page.getByText('Diagnostics', { exact: true }).click();
  const text = await table.getByRole('row', { name: row }).getByRole('cell').textContent();
  return Number((text ?? '').replace(/[^0-9]/g, ''));
}

/** A fresh room: A creates it, B opens the link, and both see each other. */
export async function twoPeople(harness: RoomHarness): Promise<[Page, Page]> {
  const a = await harness.openPage(harness.node().url());
  await a.getByRole('button', { name: 'Create room' }).click();
  await expect.poll(() => a.url()).toMatch(/#k=/);
  const b = await harness.openPage(a.url());
  await expect.poll(() => peopleItems(b).count(), { timeout: 30_000 }).toBe(2);
  return [a, b];
}
