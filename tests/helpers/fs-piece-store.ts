/**
 * A FilePieceStore on the Node file system, for Node peers moving large files in tests: one file
 * per piece under `dir`, so a 1 GiB transfer never holds more than a few pieces in memory. The
 * accounting is the app's own (pieceStoreOver); only the rows differ:
 *
 *   dir/<fileId>/<i>.piece   piece i, as given
 *   dir/<fileId>/index       the file's index
 *
 * fileIds are checked as base64url by pieceStoreOver before they get here, so they are safe as
 * names. Writes go to a temporary name first and are renamed into place, so a failed write never
 * leaves a partial piece that a later scan would count.
 */
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pieceStoreOver, type FilePieceStore } from '../../src/persistence/file-store.js';

const PIECE_NAME = /^(\d+)\.piece$/;

export function createFsPieceStore(dir: string, options: { budget?: number } = {}): FilePieceStore {
  const fileDir = (fileId: string): string => join(dir, fileId);
  const piecePath = (fileId: string, index: number): string => join(dir, fileId, `${index}.piece`);
  const indexPath = (fileId: string): string => join(dir, fileId, 'index');
  let temporaries = 0;

  async function write(path: string, fileId: string, bytes: Uint8Array): Promise<void> {
    await mkdir(fileDir(fileId), { recursive: true });
    const temporary = `${path}.${process.pid}.${++temporaries}.tmp`;
    await writeFile(temporary, bytes);
    await rename(temporary, path);
  }

  return pieceStoreOver(
    {
      async scan(visit) {
        for (const fileId of await names(dir)) {
          for (const index of pieceIndexes(await names(fileDir(fileId)))) visit(fileId, index, (await stat(piecePath(fileId, index))).size);
        }
      },
      indexesOf: async (fileId) => pieceIndexes(await names(fileDir(fileId))),
      readPiece: (fileId, index) => readOrNull(piecePath(fileId, index)),
      async preparePiece(fileId, index, bytes) {
        const copy = bytes.slice(); // the caller may reuse its buffer before the write runs
        return () => write(piecePath(fileId, index), fileId, copy);
      },
      deletePiece: (fileId, index) => rm(piecePath(fileId, index), { force: true }),
      deleteFile: (fileId) => rm(fileDir(fileId), { recursive: true, force: true }),
      readIndex: (fileId) => readOrNull(indexPath(fileId)),
      writeIndex: (fileId, index) => write(indexPath(fileId), fileId, index),
      async indexIds() {
        const ids: string[] = [];
        for (const fileId of await names(dir)) if ((await names(fileDir(fileId))).includes('index')) ids.push(fileId);
        return ids;
      },
    },
    options,
  );
}

function pieceIndexes(names: readonly string[]): number[] {
  return names.flatMap((name) => {
    const match = PIECE_NAME.exec(name);
    return match === null ? [] : [Number(match[1])];
  });
}

const isMissing = (error: unknown): boolean => (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';

async function names(path: string): Promise<string[]> {
  try {
    return await readdir(path);
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
}

async function readOrNull(path: string): Promise<Uint8Array | null> {
  try {
    // A plain Uint8Array (a copy), not the Buffer, so it compares equal to what was stored.
    return new Uint8Array(await readFile(path));
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
}
