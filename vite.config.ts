import { brotliCompressSync, gzipSync, constants as zlib } from 'node:zlib';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin, type Rollup } from 'vite';
import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { serviceWorker } from './vite/service-worker.js';

/** Writes .gz and .br beside each text asset so the node serves them without compressing per request. */
function precompress(): Plugin {
  let outDir = 'dist/client';
  return {
    name: 'parley-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir;
    },
    writeBundle(_options, bundle) {
      for (const fileName of Object.keys(bundle)) {
        if (!/\.(js|css|html|svg|json)$/.test(fileName)) continue;
        const path = join(outDir, fileName);
        const bytes = readFileSync(path);
        if (bytes.length < 1024) continue;
        writeFileSync(`${path}.gz`, gzipSync(bytes, { level: 9 }));
        writeFileSync(`${path}.br`, brotliCompressSync(bytes, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }));
      }
    },
  };
}

/**
 * Writes the room chunk's file name into early-socket.js, which starts fetching it (a modulepreload)
 * the moment a page opens on a room link, beside the app's own entry instead of after it has run.
 * The home page never fetches it that way (its floor is its initial JS), and early-socket.js is a
 * plain file in public/, so the name is filled in after Vite has copied it (before the service
 * worker's plugin lists and hashes the files, so the worker caches the written version).
 */
function roomPreload(): Plugin {
  let outDir = 'dist/client';
  let roomFile: string | undefined;
  return {
    name: 'parley-room-preload',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir;
    },
    writeBundle(_options, bundle) {
      roomFile = Object.values(bundle).find((item) => item.type === 'chunk' && item.name === 'Room')?.fileName;
    },
    closeBundle: {
      order: 'pre',
      handler() {
        const path = join(outDir, 'early-socket.js');
        if (roomFile === undefined) throw new Error('parley-room-preload: no Room chunk in the build');
        writeFileSync(path, readFileSync(path, 'utf8').replace('__PARLEY_ROOM_CHUNK__', `/${roomFile}`));
      },
    },
  };
}

/**
 * Builds /embed.js, the loader a site pastes (src/embed/loader.ts), as one classic script with a
 * stable, unhashed name: it runs on other sites' pages, so it cannot import the app's hashed chunks.
 */
function embedLoader(): Plugin {
  return {
    name: 'parley-embed-loader',
    apply: 'build',
    async generateBundle() {
      const result = await build({
        configFile: false,
        logLevel: 'warn',
        build: {
          write: false,
          target: 'es2022',
          minify: true,
          lib: { entry: 'src/embed/loader.ts', formats: ['iife'], name: 'ParleyEmbed', fileName: () => 'embed.js' },
        },
      });
      const outputs = (Array.isArray(result) ? result : [result]) as Rollup.RollupOutput[];
      const chunk = outputs.flatMap((output) => output.output).find((item) => item.type === 'chunk');
      if (chunk === undefined || chunk.type !== 'chunk') throw new Error('embed.js was not built');
      this.emitFile({ type: 'asset', fileName: 'embed.js', source: chunk.code });
    },
  };
}

/**
 * The room's code as one chunk: every module Room.svelte needs statically that the entry (the home
 * page) does not. Left to the default splitter, the same code came as a dozen chunks (split by
 * which lazy screens share each module), 3.5 kB larger gzipped and a request each. The home page
 * loads none of it before its first render (src/ui/room-loader.ts); lazy panels stay lazy.
 */
function roomChunk(): (id: string, context: { getModuleInfo(id: string): { importedIds: readonly string[]; isEntry: boolean } | null }) => string | null {
  let roomModules: Set<string> | undefined;
  const reach = (from: readonly string[], getModuleInfo: (id: string) => { importedIds: readonly string[] } | null): Set<string> => {
    const seen = new Set<string>();
    const stack = [...from];
    while (stack.length > 0) {
      const id = stack.pop() as string;
      if (seen.has(id)) continue;
      seen.add(id);
      stack.push(...(getModuleInfo(id)?.importedIds ?? []));
    }
    return seen;
  };
  return (id, context) => {
    const getModuleInfo = (module: string): { importedIds: readonly string[] } | null => context.getModuleInfo(module);
    if (roomModules === undefined) {
      const root = fileURLToPath(new URL('.', import.meta.url));
      const room = reach([join(root, 'src/ui/Room.svelte')], getModuleInfo);
      const entry = reach([join(root, 'src/main.ts')], getModuleInfo);
      roomModules = new Set([...room].filter((module) => !entry.has(module)));
    }
    return roomModules.has(id) ? 'Room' : null;
  };
}

export default defineConfig({
  plugins: [svelte(), embedLoader(), precompress(), roomPreload(), serviceWorker()],
  build: {
    outDir: 'dist/client',
    emptyOutDir: true,
    target: 'es2022',
    rolldownOptions: {
      output: {
        codeSplitting: {
          includeDependenciesRecursively: false,
          groups: [{ name: roomChunk() }],
        },
      },
    },
  },
  server: {
    // `npm run dev` serves the client with hot reload; run `npm run signal` beside it for /signal.
    proxy: { '/signal': { target: 'ws://localhost:8787', ws: true } },
  },
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
