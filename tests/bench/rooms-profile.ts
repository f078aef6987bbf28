/**
 * CPU profiles for the "Encrypted rooms" bench, read back through the build's source maps:
 * self time per original function (file:line name) and per package, so a slow step in the
 * minified bundle can be traced to src/ or a dependency. Used when BENCH_PROFILE_DIR is set.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CDPSession, Page } from 'playwright-core';
import { decodeMappings, originalPosition, packageOf, type RawSourceMap, type Segment } from './sourcemap.js';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number; readonly columnNumber: number };
}

export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileSummary {
  readonly totalMs: number;
  readonly byFunction: ReadonlyArray<readonly [string, number]>;
  readonly byPackage: ReadonlyArray<readonly [string, number]>;
}

/** Profiles this Node process while `run` runs (node:inspector). */
export async function profileNode(run: () => Promise<unknown>, intervalUs = 200): Promise<CpuProfile> {
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: intervalUs });
    await session.post('Profiler.start');
    let profile: CpuProfile | undefined;
    try {
      await run();
    } finally {
      profile = (await session.post('Profiler.stop')).profile as unknown as CpuProfile;
    }
    return profile;
  } finally {
    session.disconnect();
  }
}

/** Starts the V8 sampling profiler in the page; call the returned function to stop and get the profile. */
export async function startPageProfile(page: Page, intervalUs = 200): Promise<() => Promise<CpuProfile>> {
  const session: CDPSession = await page.context().newCDPSession(page);
  await session.send('Profiler.enable');
  await session.send('Profiler.setSamplingInterval', { interval: intervalUs });
  await session.send('Profiler.start');
  return async () => {
    const { profile } = await session.send('Profiler.stop');
    await session.detach().catch(() => undefined);
    return profile as unknown as CpuProfile;
  };
}

/** Self time per original function and per package; `buildDir` holds the bundle and its .map files. */
export function summarizeProfile(profile: CpuProfile, buildDir: string | null, top = 25): ProfileSummary {
  const maps = new Map<string, { map: RawSourceMap; decoded: Segment[][] } | null>();
  const resolve = (url: string): { map: RawSourceMap; decoded: Segment[][] } | null => {
    if (maps.has(url)) return maps.get(url) ?? null;
    let found: { map: RawSourceMap; decoded: Segment[][] } | null = null;
    const asset = /\/(assets\/[^/?#]+\.js)/.exec(url)?.[1];
    if (buildDir !== null && asset !== undefined && existsSync(join(buildDir, `${asset}.map`))) {
      const map = JSON.parse(readFileSync(join(buildDir, `${asset}.map`), 'utf8')) as RawSourceMap;
      found = { map, decoded: decodeMappings(map.mappings) };
    }
    maps.set(url, found);
    return found;
  };
  const selfByNode = new Map<number, number>();
  profile.samples.forEach((id, i) => selfByNode.set(id, (selfByNode.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const self = (selfByNode.get(node.id) ?? 0) / 1000;
    if (self === 0) continue;
    total += self;
    const frame = node.callFrame;
    const file = frame.url.replace(/^.*node_modules\//, '').replace(/^.*\/(src|signaling|tests)\//, '$1/');
    let label = `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}`;
    let pkg = frame.url === '' ? frame.functionName || '(native)' : packageOf(frame.url.replace(/^file:\/\//, ''));
    const mapped = resolve(frame.url);
    if (mapped !== null) {
      const position = originalPosition(mapped.decoded, mapped.map, frame.lineNumber, frame.columnNumber);
      if (position !== null) {
        const source = position.source.replace(/^.*node_modules\//, '').replace(/^.*\/(src)\//, '$1/');
        label = `${position.name ?? frame.functionName ?? '(anonymous)'} ${source}:${position.line}`;
        pkg = packageOf(position.source);
      }
    }
    byFunction.set(label, (byFunction.get(label) ?? 0) + self);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + self);
  }
  const sorted = (map: Map<string, number>): Array<readonly [string, number]> => [...map].sort((a, b) => b[1] - a[1]).slice(0, top);
  return { totalMs: total, byFunction: sorted(byFunction), byPackage: sorted(byPackage) };
}

/** Writes `<name>.cpuprofile` (open in Chrome DevTools) and `<name>.txt` (the summary) into `dir`. */
export function saveProfile(dir: string, name: string, profile: CpuProfile, buildDir: string | null): ProfileSummary {
  const summary = summarizeProfile(profile, buildDir, 40);
  writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
  const lines = [`total sampled ${summary.totalMs.toFixed(0)} ms`, '', 'self ms by package:'];
  for (const [name, ms] of summary.byPackage) lines.push(`${ms.toFixed(0).padStart(8)}  ${name}`);
  lines.push('', 'self ms by function (original source via source map):');
  for (const [name, ms] of summary.byFunction) lines.push(`${ms.toFixed(0).padStart(8)}  ${name}`);
  writeFileSync(join(dir, `${name}.txt`), `${lines.join('\n')}\n`);
  return summary;
}
