/**
 * Just enough source-map reading for the bench (no dependency): decodes a v3 map's `mappings`
 * (base64 VLQ) into per-line segments, attributes a generated file's bytes to its sources, and
 * finds the source of a generated position (to read CPU profiles of the minified bundle).
 */

export interface RawSourceMap {
  readonly version: number;
  readonly sources: readonly string[];
  readonly names?: readonly string[];
  readonly mappings: string;
}

/** [generated column, source index, source line, source column, name index?]; -1 fields when the segment has no source. */
export type Segment = readonly [number, number, number, number, number];

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < BASE64.length; i++) VALUE[BASE64.charCodeAt(i)] = i;

/** Decodes `mappings` into one array of segments per generated line (columns ascending). */
export function decodeMappings(mappings: string): Segment[][] {
  const lines: Segment[][] = [];
  let line: Segment[] = [];
  let source = 0;
  let sourceLine = 0;
  let sourceColumn = 0;
  let name = 0;
  let i = 0;
  while (i <= mappings.length) {
    const char = mappings[i];
    if (char === undefined || char === ';') {
      lines.push(line);
      line = [];
      i++;
      if (char === undefined) break;
      continue;
    }
    if (char === ',') {
      i++;
      continue;
    }
    // One segment: 1, 4 or 5 VLQ fields; the generated column is relative within the line.
    const fields: number[] = [];
    while (i < mappings.length && mappings[i] !== ',' && mappings[i] !== ';') {
      let value = 0;
      let shift = 0;
      for (;;) {
        const digit = VALUE[mappings.charCodeAt(i++)] ?? -1;
        if (digit < 0) throw new Error('bad base64 VLQ in source map');
        value += (digit & 31) * 2 ** shift;
        shift += 5;
        if ((digit & 32) === 0) break;
      }
      fields.push(value % 2 === 1 ? -Math.floor(value / 2) : value / 2);
    }
    const previous = line[line.length - 1];
    const column = (previous?.[0] ?? 0) + (fields[0] ?? 0);
    if (fields.length >= 4) {
      source += fields[1] as number;
      sourceLine += fields[2] as number;
      sourceColumn += fields[3] as number;
      if (fields.length >= 5) name += fields[4] as number;
      line.push([column, source, sourceLine, sourceColumn, fields.length >= 5 ? name : -1]);
    } else {
      line.push([column, -1, -1, -1, -1]);
    }
  }
  return lines;
}

/**
 * UTF-8 bytes of `code` per source path ('(unmapped)' for code no segment maps, such as line
 * breaks and bundler glue): each segment owns the code up to the next segment on its line.
 */
export function bytesBySource(code: string, map: RawSourceMap): Map<string, { bytes: number; text: string[] }> {
  const out = new Map<string, { bytes: number; text: string[] }>();
  const add = (source: string, text: string): void => {
    if (text.length === 0) return;
    let slot = out.get(source);
    if (slot === undefined) out.set(source, (slot = { bytes: 0, text: [] }));
    slot.bytes += Buffer.byteLength(text);
    slot.text.push(text);
  };
  const lines = code.split('\n');
  const decoded = decodeMappings(map.mappings);
  lines.forEach((text, index) => {
    const segments = decoded[index] ?? [];
    add('(unmapped)', text.slice(0, segments[0]?.[0] ?? text.length));
    segments.forEach((segment, s) => {
      const end = segments[s + 1]?.[0] ?? text.length;
      add(segment[1] < 0 ? '(unmapped)' : (map.sources[segment[1]] ?? '(unmapped)'), text.slice(segment[0], end));
    });
    if (index < lines.length - 1) add('(unmapped)', '\n');
  });
  return out;
}

/** Source position of a generated 0-based line/column: the last segment at or before it on that line. */
export function originalPosition(decoded: readonly Segment[][], map: RawSourceMap, line: number, column: number): { source: string; line: number; name: string | undefined } | null {
  const segments = decoded[line];
  if (segments === undefined) return null;
  let found: Segment | undefined;
  let low = 0;
  let high = segments.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const segment = segments[middle] as Segment;
    if (segment[0] <= column) {
      found = segment;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  if (found === undefined || found[1] < 0) return null;
  return { source: map.sources[found[1]] ?? '?', line: found[2] + 1, name: found[4] >= 0 ? map.names?.[found[4]] : undefined };
}

/** 'yjs', '@scope/pkg', or 'src/<folder>' for our own code; '(bundler)' for glue without a source. */
export function packageOf(source: string): string {
  const at = source.lastIndexOf('node_modules/');
  if (at >= 0) {
    const parts = source.slice(at + 'node_modules/'.length).split('/');
    return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1] ?? ''}` : (parts[0] ?? source);
  }
  const src = source.lastIndexOf('src/');
  if (src >= 0) {
    const parts = source.slice(src).split('/');
    return parts.length > 2 ? `${parts[0]}/${parts[1]}` : (parts[0] ?? source);
  }
  if (source.includes('__vite-browser-external')) return '(vite browser-external stub)';
  return source === '(unmapped)' ? '(bundler glue, unmapped)' : source.replace(/^\0/, '');
}
