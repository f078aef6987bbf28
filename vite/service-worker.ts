/**
 * Writes dist/client/sw.js after the build: the precache list is every file of the build except
 * source maps, precompressed twins and the worker itself, and the worker's version is a hash of
 * those files' names and bytes (index.html and the icons keep their names when they change).
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Plugin } from 'vite';
import { workerSource } from './worker-source.js';

const NOT_SHELL = /\.(map|gz|br)$|^sw\.js$/;

function listFiles(dir: string): string[] {
  const files: string[] = [];
  const walk = (at: string): void => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.push(relative(dir, path).split(sep).join('/'));
    }
  };
  walk(dir);
  return files;
}

/** The shell's URL paths for a build in `outDir`, "/" first as index.html. */
export function shellFiles(outDir: string): string[] {
  return listFiles(outDir).filter((file) => !NOT_SHELL.test(file)).map((file) => `/${file}`).sort();
}

export function serviceWorker(): Plugin {
  let outDir = 'dist/client';
  return {
    name: 'parley-service-worker',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir;
    },
    // After writeBundle, when Vite has also copied public/ into outDir.
    closeBundle() {
      const files = shellFiles(outDir);
      const hash = createHash('sha256');
      for (const file of files) hash.update(file).update(readFileSync(join(outDir, file)));
      const version = hash.digest('hex').slice(0, 16);
      writeFileSync(join(outDir, 'sw.js'), workerSource(version, files));
    },
  };
}
