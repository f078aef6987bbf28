/**
 * The working part of a room's files (state/room-files.svelte.ts loads it after the room opens,
 * so none of it weighs on the room's first load): attaching (encrypting into this device's store, then a
 * signed file message), downloading from whoever has the pieces (transport/file-swarm.ts), saving
 * to disk as a stream, inline images, and the room's storage budget. What may be served follows
 * what is shown: a deleted or expired message's file, and files of people banned or blocked, are
 * neither fetched nor served, and a deleted message's pieces leave this device's store.
 */
import { addEnglish, t } from '../i18n/i18n.svelte.js';
import { isInlineImageType, MAX_FILE_BYTES, PIECE_TAG_BYTES, pieceCount, type FileManifest } from '../core/file-manifest.js';
import { createMessageId, isFileEntry } from '../core/message-entry.js';
import type { DropReason, MessageEntry } from '../core/types.js';
import { fromBase64Url, toBase64Url } from '../crypto/encoding.js';
import { createFileKey, decryptPiece, sealFile } from '../crypto/file-pieces.js';
import { createMemoryPieceStore, openFilePieceStore, type FilePieceStore } from '../persistence/file-store.js';
import { blobOf, saveFile } from '../persistence/file-save.js';
import type { FileLinks } from '../transport/file-links.js';
import { createFileSwarm, type DownloadStatus, type FileSwarm } from '../transport/file-swarm.js';
import { fileSettings } from './file-settings.svelte.js';
import { formatBytes } from './file-format.js';
import { fileTypeOf, makeThumbnail, safeFileName } from './file-prepare.js';
import english from '../i18n/en/files.js';

// Loads after the room's first render, with its own English strings (i18n/en/index.ts).
addEnglish(english);

/** Stored files whose message is gone are looked for this often. */
const SWEEP_MS = 10_000;

export interface RoomFilesHost {
  readonly keys: { readonly roomId: string; readonly storeKey: Uint8Array };
  readonly links: FileLinks;
  /** The file message with this id if it is shown now (signature checked, not hidden, deleted or expired). */
  shown(id: string): MessageEntry | undefined;
  /** The private file with this id, if this person sent or received it and it is shown. */
  privateFile(id: string): { readonly author: string; readonly to: string; readonly text: string; readonly file?: FileManifest } | undefined;
  /** Whether the message with this id is gone from the log (deleted or expired), once the history is in. */
  gone(id: string): boolean;
  /** Whether this person blocked `key`, or the room refuses it (banned). */
  excluded(key: string): boolean;
  ownKey(): string | null;
  /** The room's largest file (a room rule), or null for the absolute limit. */
  maxFileBytes(): number | null;
  /** Queues the signed file message (private to `to` if given); false if it cannot go now (muted, removed, too many waiting). */
  sendFile(name: string, id: string, manifest: FileManifest, to?: string): boolean;
  drop(reason: DropReason): void;
}

/** What the engine tells the facade: something changed (re-render), the room's stored bytes now. */
export interface EngineListener {
  changed(): void;
  usage(bytes: number): void;
}

export class FilesEngine {
  usage = 0;
  budget = fileSettings.budgetBytes;
  readonly #host: RoomFilesHost;
  readonly #listener: EngineListener;
  readonly #store: FilePieceStore;
  readonly #swarm: FileSwarm;
  readonly #preparing = new Map<string, number>();
  readonly #images = new Map<string, string | 'pending'>();
  readonly #tracked = new Set<string>();
  /** Files attached here whose message may still wait in the outbox (slow mode): not swept meanwhile. */
  readonly #attached = new Set<string>();
  readonly #sweepTimer: ReturnType<typeof setInterval>;
  #closed = false;

  constructor(host: RoomFilesHost, listener: EngineListener) {
    this.#host = host;
    this.#listener = listener;
    this.#store = typeof indexedDB === 'undefined' ? createMemoryPieceStore({ budget: this.budget }) : openFilePieceStore(host.keys, { budget: this.budget, onDrop: (reason) => host.drop(reason) });
    this.#swarm = createFileSwarm({
      links: host.links,
      store: this.#store,
      fileOf: (id) => {
        const file = this.#fileOf(id);
        return file === null ? null : { size: file.manifest.size, root: file.manifest.root };
      },
      mayServe: (id, key) => {
        const file = this.#fileOf(id);
        // A private file goes only between its two ends.
        return file !== null && !host.excluded(key) && (file.to === null || key === file.to || key === file.author);
      },
      onDrop: (reason) => host.drop(reason),
    });
    this.#swarm.onChange(() => this.#changed());
    this.#sweepTimer = setInterval(() => void this.sweep(), SWEEP_MS);
    void this.#refreshUsage();
  }

  status(fileId: string): DownloadStatus {
    return this.#swarm.status(fileId);
  }

  holders(fileId: string): string[] {
    return this.#swarm.holders(fileId);
  }

  /** Pieces received, served and refused as bad since this page opened (Diagnostics). */
  transfers(): Record<string, number> {
    const { received, served, bad } = this.#swarm.stats();
    return { 'pieces received': received, 'pieces served': served, 'bad pieces refused': bad };
  }

  /** 0..1 while this device still encrypts a file it attaches, else null. */
  preparing(fileId: string): number | null {
    return this.#preparing.get(fileId) ?? null;
  }

  /** A file row (public or private) is on screen: load what is stored, ask who has it, fetch a small image by itself. */
  track(entry: { readonly id: string; readonly author: string; readonly file?: FileManifest }): void {
    const manifest = entry.file;
    if (manifest === undefined || this.#closed) return;
    const first = !this.#tracked.has(entry.id);
    this.#tracked.add(entry.id);
    // Its message is shown: from now on the sweep may judge it like any other.
    this.#attached.delete(entry.id);
    this.#swarm.query([entry.id]);
    if (!first) return;
    void this.#swarm.track(entry.id).then((status) => {
      const own = entry.author === this.#host.ownKey();
      const auto = fileSettings.autoDownloadBytes;
      if (!own && status.phase === 'idle' && isInlineImageType(manifest.type) && manifest.size <= auto) this.download(entry.id);
      this.#changed();
    });
  }

  /** Encrypts `file` into this room's store and sends its message (privately to `to` if given); null when sent, else why not, for the person. */
  async attach(file: File, to?: string): Promise<string | null> {
    const limit = Math.min(MAX_FILE_BYTES, this.#host.maxFileBytes() ?? MAX_FILE_BYTES);
    if (file.size === 0) return t('files.empty', { name: file.name });
    if (file.size > limit) return t('files.tooLarge', { name: file.name, size: formatBytes(limit) });
    // Stored pieces carry their AES-GCM tag: 16 bytes each on top of the file.
    if (this.usage + file.size + pieceCount(file.size) * PIECE_TAG_BYTES > this.budget) return t('files.noRoom', { name: file.name });
    const id = createMessageId();
    const key = createFileKey();
    const total = pieceCount(file.size);
    this.#preparing.set(id, 0);
    this.#attached.add(id);
    try {
      const source = { size: file.size, slice: async (start: number, end: number) => new Uint8Array(await file.slice(start, end).arrayBuffer()) };
      const { index, root } = await sealFile(source, key, async (piece, cipher) => {
        await this.#store.putPiece(id, piece, cipher);
        this.#preparing.set(id, (piece + 1) / total);
        this.#changed();
      });
      await this.#store.putIndex(id, index);
      const type = fileTypeOf(file);
      const thumb = isInlineImageType(type) ? await makeThumbnail(file) : null;
      const manifest: FileManifest = { size: file.size, type, key: toBase64Url(key), root, ...(thumb === null ? {} : { thumb }) };
      if (!this.#host.sendFile(safeFileName(file.name), id, manifest, to)) {
        await this.#store.deleteFile(id);
        return t('files.notSentNow', { name: file.name });
      }
      this.#swarm.seeded(id, { size: manifest.size, root });
      return null;
    } catch {
      await this.#store.deleteFile(id).catch(() => undefined);
      return t('files.notStored', { name: file.name });
    } finally {
      this.#preparing.delete(id);
      void this.#refreshUsage();
      this.#changed();
    }
  }

  download(fileId: string): void {
    if (this.#fileOf(fileId) !== null) this.#swarm.download(fileId);
  }

  pause(fileId: string): void {
    this.#swarm.pause(fileId);
  }

  async cancel(fileId: string): Promise<void> {
    await this.#swarm.cancel(fileId);
    this.#forgetImage(fileId);
    await this.#refreshUsage();
  }

  /** Streams the complete file to disk, decrypting piece by piece. */
  async save(fileId: string): Promise<void> {
    const file = this.#fileOf(fileId);
    if (file === null || this.status(fileId).phase !== 'complete') return;
    await saveFile(file.name, file.manifest.type, this.#plainPieces(fileId, file.manifest));
  }

  /** A blob: URL for a complete image of an inline type, decoded once; null until then. */
  imageUrl(fileId: string): string | null {
    const known = this.#images.get(fileId);
    if (known !== undefined) return known === 'pending' ? null : known;
    const file = this.#fileOf(fileId);
    if (file === null || !isInlineImageType(file.manifest.type) || this.status(fileId).phase !== 'complete') return null;
    this.#images.set(fileId, 'pending');
    void blobOf(file.manifest.type, this.#plainPieces(fileId, file.manifest)).then((blob) => {
      if (this.#closed) return;
      this.#images.set(fileId, URL.createObjectURL(blob));
      this.#changed();
    }, () => this.#images.delete(fileId));
    return null;
  }

  setBudget(bytes: number): void {
    fileSettings.set({ budgetBytes: bytes });
    this.budget = fileSettings.budgetBytes;
    this.#store.setBudget(this.budget);
  }

  /** Deletes this room's stored files except those downloading now. */
  async freeSpace(): Promise<void> {
    for (const summary of await this.#store.files()) {
      if (this.status(summary.fileId).phase === 'downloading') continue;
      await this.#swarm.cancel(summary.fileId);
      this.#forgetImage(summary.fileId);
    }
    await this.#refreshUsage();
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#sweepTimer);
    this.#swarm.destroy();
    this.#store.close();
    for (const url of this.#images.values()) if (url !== 'pending') URL.revokeObjectURL(url);
  }

  /** The file of a message shown now (or a private one this person can read), from someone neither banned nor blocked; null otherwise. */
  #fileOf(id: string): { readonly name: string; readonly manifest: FileManifest; readonly author: string; readonly to: string | null } | null {
    const entry = this.#host.shown(id);
    if (entry !== undefined) return !isFileEntry(entry) || this.#host.excluded(entry.author) ? null : { name: entry.text, manifest: entry.file, author: entry.author, to: null };
    const secret = this.#host.privateFile(id);
    if (secret?.file === undefined || this.#host.excluded(secret.author)) return null;
    return { name: secret.text, manifest: secret.file, author: secret.author, to: secret.to };
  }

  async *#plainPieces(fileId: string, manifest: FileManifest): AsyncIterable<Uint8Array> {
    const key = fromKey(manifest.key);
    for (let piece = 0; piece < pieceCount(manifest.size); piece++) {
      const cipher = await this.#store.getPiece(fileId, piece);
      const plain = cipher === null ? null : await decryptPiece(key, piece, cipher);
      if (plain === null) throw new Error('a stored piece is missing or does not open');
      yield plain;
    }
  }

  /** Deletes the stored pieces of files whose messages were deleted or expired (everyone does the same). */
  async sweep(): Promise<void> {
    if (this.#closed) return;
    let removed = false;
    for (const summary of await this.#store.files().catch(() => [])) {
      if (this.#host.shown(summary.fileId) !== undefined) this.#attached.delete(summary.fileId);
      if (this.#attached.has(summary.fileId) || !this.#host.gone(summary.fileId)) continue;
      await this.#swarm.cancel(summary.fileId);
      this.#forgetImage(summary.fileId);
      removed = true;
    }
    if (removed) await this.#refreshUsage();
  }

  #forgetImage(fileId: string): void {
    const url = this.#images.get(fileId);
    if (url !== undefined && url !== 'pending') URL.revokeObjectURL(url);
    this.#images.delete(fileId);
  }

  async #refreshUsage(): Promise<void> {
    const usage = await this.#store.usage().catch(() => this.usage);
    if (this.#closed || usage === this.usage) return;
    this.usage = usage;
    this.#listener.usage(usage);
  }

  #changed(): void {
    if (this.#closed) return;
    this.#listener.changed();
    void this.#refreshUsage();
  }
}

function fromKey(key: string): Uint8Array {
  // The manifest was parsed before it got here: its key is 32 bytes of base64url.
  return fromBase64Url(key) ?? new Uint8Array(32);
}
