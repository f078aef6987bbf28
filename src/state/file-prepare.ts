/**
 * What a file becomes before it is sent: a name every member accepts, a type, and for images a
 * thumbnail small enough to travel in the signed message (≤ 16 KB of JPEG), made here on the
 * sender's device so receivers show a preview before any piece arrives.
 */
import { isValidFileName, isValidMimeType, MAX_FILE_NAME_CHARS, MAX_THUMB_BYTES } from '../core/file-manifest.js';
import { toBase64Url } from '../crypto/encoding.js';

const FORBIDDEN_NAME = /[\u0000-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069/\\]/g;

/** The name as peers accept it: no path separators, controls or bidi overrides; at most 255 characters; never empty. */
export function safeFileName(name: string): string {
  let safe = name.replace(FORBIDDEN_NAME, '_').trim();
  // Cut whole code points: a lone surrogate at the cut would make the name invalid.
  if (safe.length > MAX_FILE_NAME_CHARS) safe = [...safe].reduce((kept, char) => (kept.length + char.length <= MAX_FILE_NAME_CHARS ? kept + char : kept), '').trim();
  if (safe === '.' || safe === '..') safe = `_${safe}`;
  return isValidFileName(safe) ? safe : 'file';
}

/** The file's type as the browser tells it, lowercased; application/octet-stream when it is unknown or malformed. */
export function fileTypeOf(file: { readonly type: string }): string {
  const type = file.type.toLowerCase().split(';')[0]?.trim() ?? '';
  return isValidMimeType(type) ? type : 'application/octet-stream';
}

/** Long side of a thumbnail, then smaller and at lower quality until it fits. */
const ATTEMPTS: ReadonlyArray<readonly [number, number]> = [[320, 0.7], [240, 0.6], [160, 0.5], [96, 0.4]];

/** A JPEG thumbnail of an image, base64url, at most MAX_THUMB_BYTES; null where the browser cannot make one. */
export async function makeThumbnail(file: Blob): Promise<string | null> {
  if (typeof createImageBitmap !== 'function' || typeof OffscreenCanvas !== 'function') return null;
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    return null;
  }
  try {
    for (const [side, quality] of ATTEMPTS) {
      const scale = Math.min(1, side / Math.max(bitmap.width, bitmap.height));
      const canvas = new OffscreenCanvas(Math.max(1, Math.round(bitmap.width * scale)), Math.max(1, Math.round(bitmap.height * scale)));
      const context = canvas.getContext('2d');
      if (context === null) return null;
      // JPEG has no transparency: a white ground rather than black.
      context.fillStyle = '#fff';
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality });
      if (blob.size <= MAX_THUMB_BYTES) return toBase64Url(new Uint8Array(await blob.arrayBuffer()));
    }
    return null;
  } catch {
    return null;
  } finally {
    bitmap.close();
  }
}
