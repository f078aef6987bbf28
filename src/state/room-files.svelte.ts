/**
 * Files in one room, as the UI sees them: a small facade over the files engine
 * (state/files-engine.ts: the swarm, the store, encryption), which is loaded as a chunk of its own
 * once the room is open, so none of it weighs on the room's first load. Until it is in, every file
 * reads as not downloaded, rows shown meanwhile are tracked as soon as it arrives, and actions wait
 * for it (it is a moment).
 */
import { t } from '../i18n/i18n.svelte.js';
import type { DownloadStatus } from '../transport/file-swarm.js';
import type { FilesEngine, RoomFilesHost } from './files-engine.js';

export type { RoomFilesHost } from './files-engine.js';

/** The UI re-renders file rows at most this often while transfers run. */
const RENDER_MS = 250;

export class RoomFiles {
  /** Bumped when any file's status changes (at most every RENDER_MS); file rows read status through it. */
  version = $state(0);
  /** Bytes this room stores on this device. */
  usage = $state(0);
  /** The room's storage budget (file-settings.svelte.ts, read once the engine is in); 0 until then. */
  budget = $state(0);
  #engine: FilesEngine | null = null;
  readonly #loading: Promise<FilesEngine | null>;
  /** Rows shown before the engine was in, tracked once it is. */
  readonly #waiting = new Map<string, Parameters<RoomFiles['track']>[0]>();
  #renderTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(host: RoomFilesHost) {
    this.#loading = import('./files-engine.js').then(
      ({ FilesEngine }) => {
        if (this.#closed) return null;
        const engine = new FilesEngine(host, { changed: () => this.#changed(), usage: (bytes) => void (this.usage = bytes) });
        this.#engine = engine;
        this.budget = engine.budget;
        for (const entry of this.#waiting.values()) engine.track(entry);
        this.#waiting.clear();
        this.#changed();
        return engine;
      },
      // The chunk could not load (offline on a first visit after an update): files stay unavailable.
      () => null,
    );
  }

  status(fileId: string): DownloadStatus {
    void this.version;
    return this.#engine?.status(fileId) ?? { phase: 'idle', bytes: 0, size: 0, bytesPerSecond: 0, secondsLeft: null, sources: 0, holders: 0, failure: null };
  }

  /** Keys of connected members who hold the whole file. */
  holders(fileId: string): string[] {
    void this.version;
    return this.#engine?.holders(fileId) ?? [];
  }

  /** 0..1 while this device still encrypts a file it attaches, else null. */
  preparing(fileId: string): number | null {
    void this.version;
    return this.#engine?.preparing(fileId) ?? null;
  }

  /** Pieces received, served and refused as bad since this page opened (Diagnostics). */
  transfers(): Record<string, number> {
    void this.version;
    return this.#engine?.transfers() ?? {};
  }

  /** A file row (public or private) is on screen: load what is stored, ask who has it, fetch a small image by itself. */
  track(entry: Parameters<FilesEngine['track']>[0]): void {
    if (this.#engine !== null) this.#engine.track(entry);
    else this.#waiting.set(entry.id, entry);
  }

  /** Encrypts `file` into this room's store and sends its message (privately to `to` if given); null when sent, else why not, for the person. */
  async attach(file: File, to?: string): Promise<string | null> {
    const engine = await this.#loading;
    return engine === null ? t('files.notSentReload', { name: file.name }) : engine.attach(file, to);
  }

  download(fileId: string): void {
    void this.#loading.then((engine) => engine?.download(fileId));
  }

  pause(fileId: string): void {
    this.#engine?.pause(fileId);
  }

  async cancel(fileId: string): Promise<void> {
    await (await this.#loading)?.cancel(fileId);
  }

  /** Streams the complete file to disk, decrypting piece by piece. */
  async save(fileId: string): Promise<void> {
    await (await this.#loading)?.save(fileId);
  }

  /** A blob: URL for a complete image of an inline type, decoded once; null until then. */
  imageUrl(fileId: string): string | null {
    void this.version;
    return this.#engine?.imageUrl(fileId) ?? null;
  }

  setBudget(bytes: number): void {
    const engine = this.#engine;
    if (engine === null) return;
    engine.setBudget(bytes);
    this.budget = engine.budget;
  }

  /** Deletes this room's stored files except those downloading now. */
  async freeSpace(): Promise<void> {
    await (await this.#loading)?.freeSpace();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#renderTimer);
    this.#engine?.close();
  }

  #changed(): void {
    if (this.#renderTimer !== undefined || this.#closed) return;
    this.#renderTimer = setTimeout(() => {
      this.#renderTimer = undefined;
      this.version++;
    }, RENDER_MS);
  }
}
