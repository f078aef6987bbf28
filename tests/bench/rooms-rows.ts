/** The "Encrypted rooms" table and notes, from the measurements rooms.ts collects. */
import { TAIL_ENTRIES } from '../../src/core/message-tail.js';
import type { BundleResult } from './rooms-bundle.js';
import type { DomCount, ReloadTiming } from './rooms-reload.js';
import type { SyncResult } from './rooms-sync.js';
import { median, type Row, type Section } from './report.js';

export interface RoomsResults {
  readonly runs: { readonly sync10k: number; readonly sync100k: number; readonly reload: number };
  readonly loadAtStart: string;
  chromium: string;
  bundle: BundleResult;
  sync10k: SyncResult;
  sync100k: SyncResult;
  initialSync: number;
  storedBytes: number;
  reloadBig: ReloadTiming[];
  reloadAnchor: ReloadTiming[];
  dom: { atLoad: DomCount; middle: DomCount };
  domAnchor: DomCount;
}

const time = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const list = (values: readonly number[]): string => values.map((ms) => (ms / 1000).toFixed(2)).join(', ');
const kb = (bytes: number): string => `${(bytes / 1000).toFixed(1)} kB`;
const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

export function roomsSection(r: RoomsResults, profileDir: string | null): Section {
  const sync = (s: SyncResult): { join: number; anchor: number } => ({ join: median(s.join), anchor: median(s.anchor) });
  const s10 = sync(r.sync10k);
  const s100 = sync(r.sync100k);
  const reloadBig = median(r.reloadBig.map((t) => t.painted));
  const reloadAnchor = median(r.reloadAnchor.map((t) => t.painted));
  const historyIn = median(r.reloadBig.map((t) => t.historyLoaded));
  const historyInAnchor = median(r.reloadAnchor.map((t) => t.historyLoaded));
  const longestBlock = median(r.reloadBig.map((t) => t.longestTaskWhileLoading));
  const gzipKb = r.bundle.gzip / 1000;

  const rows: Row[] = [
    {
      measure: `Late joiner, 10k messages, Node peers: created → all in its map (median of ${r.runs.sync10k})`,
      ours: time(s10.join), reference: `${time(s10.anchor)} (Y.encodeStateAsUpdate + Y.applyUpdate)`,
      ratio: s10.join / s10.anchor, floor: '≤ 1 s', met: s10.join <= 1000,
    },
    {
      measure: `Late joiner, 100k messages, Node peers (median of ${r.runs.sync100k})`,
      ours: time(s100.join), reference: `${time(s100.anchor)} (encode + apply)`,
      ratio: s100.join / s100.anchor, floor: '≤ 5 s', met: s100.join <= 5000,
    },
    {
      measure: `Reload of a 100k-message room, alone, Chromium: navigation start → newest message visible, composer usable, next frame (median of ${r.runs.reload})`,
      ours: time(reloadBig), reference: `${time(reloadAnchor)} (same, 10-message room)`,
      ratio: reloadBig / reloadAnchor, floor: '≤ 1.5 s', met: reloadBig <= 1500,
    },
    {
      measure: `… whole stored history in the log (aria-busy off), and the longest main-thread block after the newest were shown (median of ${r.runs.reload}; informational)`,
      ours: `${time(historyIn)}; longest block ${time(longestBlock)}`, reference: `${time(historyInAnchor)} (10-message room)`,
      ratio: historyIn / historyInAnchor, floor: '—', met: undefined,
    },
    {
      measure: 'First join of that 100k room (host online): goto → newest message visible (one run; informational)',
      ours: time(r.initialSync), reference: `${time(s100.join)} (Node late joiner, row 2)`,
      ratio: r.initialSync / s100.join, floor: '—', met: undefined,
    },
    {
      measure: "Elements under the Messages log (`[role=log] *`), 100k room, after load",
      ours: String(r.dom.atLoad.logNodes), reference: `${r.domAnchor.logNodes} (10-message room)`,
      ratio: r.dom.atLoad.logNodes / r.domAnchor.logNodes, floor: '≤ 300', met: r.dom.atLoad.logNodes <= 300,
    },
    {
      measure: '… after scrolling to the middle of the history',
      ours: String(r.dom.middle.logNodes), reference: `${r.domAnchor.logNodes} (10-message room)`,
      ratio: r.dom.middle.logNodes / r.domAnchor.logNodes, floor: '≤ 300', met: r.dom.middle.logNodes <= 300,
    },
    {
      measure: 'Initial JS of a first page load, gzip -9 (breakdown: notes)',
      ours: kb(r.bundle.gzip), reference: '—', ratio: Number.NaN, floor: '≤ 150 kB', met: gzipKb <= 150,
    },
  ];

  const packages = r.bundle.packages.map((p) => `${p.name} ${kb(p.bytes)} (${kb(p.gzipAlone)})`).join('; ');
  const longTasks = median(r.reloadBig.map((t) => t.longTaskMs));
  const notes = [
    `Late joiner (rows 1–2): host and joiner are Node peers in this process (tests/helpers/node-peer.ts: our room provider, simple-peer over @roamhq/wrtc) through our signaling node on loopback; the host's doc holds N signed MessageEntry values written by 8 authors (8 Yjs clients), ${mib(r.sync10k.updateBytes)} (10k) and ${mib(r.sync100k.updateBytes)} (100k) as one update, about ${Math.round(r.sync100k.updateBytes / 100_000)} B per message. From the joiner's creation to its map holding N entries. Runs (s): 10k ${list(r.sync10k.join)}; 100k ${list(r.sync100k.join)}; anchor 10k ${list(r.sync10k.anchor)}, 100k ${list(r.sync100k.anchor)}. WebRTC connection up after a median ${time(median(r.sync100k.connect))} (100k runs). The history travels as pieces of 384 KiB, each admitted (every entry parsed, 16 signatures checked) and applied as it arrives, with host and joiner sharing this one thread; for scale, sealing and opening the whole history once with tweetnacl's secretbox (the cipher before AES-GCM) costs ${time(median(r.sync10k.sealOpen))} (10k) and ${time(median(r.sync100k.sealOpen))} (100k) here. One unmeasured warm-up join first.`,
    `Reload (rows 3–4): a Node host peer holding the room (valid ed25519 signatures, made with Node's crypto.sign from the tweetnacl seeds: identical bytes) is joined by a Chromium page through the invite link; once the sealed rows in IndexedDB hold the whole update (${mib(r.storedBytes)}) and 1.5 s more have passed, the host leaves and the page reloads alone (signaling node still up, nobody else in the room). Row 3: time from the new document's navigation start to the newest message's <article> in the log with the composer usable, plus a timer after the next animation frame (≈ painted). The newest ${TAIL_ENTRIES} messages come from the room's sealed tail row (src/core/message-tail.ts), read before the update log; their signatures are checked like any others before they show. Runs (s): 100k ${list(r.reloadBig.map((t) => t.painted))}; 10 messages ${list(r.reloadAnchor.map((t) => t.painted))}. Long tasks before that point in the 100k reload: median ${time(longTasks)} in all. Row 4: the rest of the history (IndexedDB read, AES-GCM opening in 1 MiB segments, Y.applyUpdate, indexing in batches of 5,000 with yields) is in the log at ${list(r.reloadBig.map((t) => t.historyLoaded))} s; the longest single block of the main thread in that time (${list(r.reloadBig.map((t) => t.longestTaskWhileLoading))} s) is Y.applyUpdate of the one 30 MiB update, which Yjs cannot split: typing during it is delayed by that much. Reloads alternate between the two rooms after one warm-up reload each.`,
    `DOM (rows 6–7): ${r.dom.atLoad.articles} articles after load (first shown: message #${r.dom.atLoad.firstIndex} of 100,000), ${r.dom.middle.articles} after scrolling to the middle (first shown: #${r.dom.middle.firstIndex}); whole document ${r.dom.atLoad.documentNodes} / ${r.dom.middle.documentNodes} elements.`,
    `Initial JS (row 8): the scripts and modulepreloads index.html names, built with the project's vite.config.ts through Vite's JS API into a temporary outDir (hidden source maps) in ${time(r.bundle.buildMs)}: ${r.bundle.files.map((f) => `${f.path} ${kb(f.bytes)}, gzip ${kb(f.gzip)}, brotli ${kb(f.brotli)}`).join('; ')}. The node serves the precompressed .br when the browser accepts it (Chromium does), so the bytes on the wire are ${kb(r.bundle.brotli)}; CSS adds ${kb(r.bundle.css)} gzipped. By package, minified bytes from the source map (and that code gzipped on its own, which shares no dictionary, so these add up to more than the total): ${packages}.`,
    `${r.chromium}, headless, one browser for all pages. Load average when the section started (1, 5, 15 min): ${r.loadAtStart}. The machine has 2 cores and may be shared: absolute times move with other load, ratios against anchors measured in the same run less so.`,
  ];
  if (profileDir !== null) notes.push(`**Profiled run** (BENCH_PROFILE_DIR; the profiles are taken after the measured runs): ${profileDir}/node-late-join-100k, reload-100k and first-join-100k (.cpuprofile, and .txt summarised by original source through the build's source maps), and the build in ${profileDir}/client.`);
  return { title: 'Encrypted rooms', rows, notes, columns: { ours: 'Parley', reference: 'Anchor (same run)' } };
}
