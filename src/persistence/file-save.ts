/**
 * Saving a received file to disk, piece by piece, so a 2 GiB file never sits in one array (a
 * tab cannot allocate that, and would hold it twice while writing). Where the page offers File
 * System Access (Chromium), the pieces are written straight to the file the person picks;
 * elsewhere they become a Blob made of one part per piece, which Chromium and Firefox keep on
 * disk past a size, handed to an <a download>. Browser only; no Svelte.
 */

/** The part of File System Access used here; not in TypeScript's DOM types yet. */
type SaveFilePicker = (options: { suggestedName?: string }) => Promise<FileSystemFileHandle>;

/** How long the Blob's URL stays valid: long enough for the browser to start the download. */
const REVOKE_AFTER_MS = 60_000;

/**
 * Streams a file to disk piece by piece: File System Access where the page offers it
 * (window.showSaveFilePicker), else a Blob built from one Blob part per piece handed to an
 * <a download>. 'cancelled' when the person closes the picker or `signal` aborts; a picker write
 * cut short is aborted, which leaves no partial file behind.
 */
export async function saveFile(name: string, type: string, pieces: AsyncIterable<Uint8Array>, options: { preferPicker?: boolean; signal?: AbortSignal } = {}): Promise<'saved' | 'cancelled'> {
  const { signal } = options;
  const picker = (globalThis as { showSaveFilePicker?: SaveFilePicker }).showSaveFilePicker;
  if (options.preferPicker !== false && typeof picker === 'function') {
    let handle: FileSystemFileHandle;
    try {
      // Called before any other await: the picker needs the click's user activation.
      handle = await picker.call(globalThis, { suggestedName: name });
    } catch (error) {
      if (isAbort(error)) return 'cancelled';
      throw error;
    }
    const writable = await handle.createWritable();
    try {
      for await (const piece of pieces) {
        if (signal?.aborted === true) {
          await writable.abort();
          return 'cancelled';
        }
        await writable.write(piece as Uint8Array<ArrayBuffer>);
      }
      await writable.close();
      return 'saved';
    } catch (error) {
      await writable.abort().catch(() => {});
      throw error;
    }
  }

  const blob = await blobOf(type, pieces, signal);
  if (blob === null) return 'cancelled';
  const url = URL.createObjectURL(blob);
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = name;
  anchor.rel = 'noopener';
  anchor.style.display = 'none';
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  // Revoked later, not at once: the download starts asynchronously and reads from the URL.
  setTimeout(() => URL.revokeObjectURL(url), REVOKE_AFTER_MS);
  return 'saved';
}

/**
 * A Blob of the pieces, one Blob part each: every piece is copied into its own Blob as it
 * arrives, so the arrays can be collected and the browser may page the parts out to disk. Used
 * for inline images too. With a signal that aborts before the end, null.
 */
export async function blobOf(type: string, pieces: AsyncIterable<Uint8Array>): Promise<Blob>;
export async function blobOf(type: string, pieces: AsyncIterable<Uint8Array>, signal: AbortSignal | undefined): Promise<Blob | null>;
export async function blobOf(type: string, pieces: AsyncIterable<Uint8Array>, signal?: AbortSignal): Promise<Blob | null> {
  const parts: Blob[] = [];
  for await (const piece of pieces) {
    if (signal?.aborted === true) return null;
    parts.push(new Blob([piece as Uint8Array<ArrayBuffer>]));
  }
  return new Blob(parts, { type });
}

function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}
