/**
 * A busy camera for the bitrate row of the "Calls" bench. Chromium's own fake camera (a plain
 * background, a sweeping hand and a counter) compresses so well that VP8 sends a fraction of any
 * sensible cap, which says nothing about whether the app splits its uplink budget right. This
 * writes a 640×360, 24 fps Y4M file (a still textured background and a moving patch of fresh noise,
 * so the encoder has more to say in every frame than a few hundred kbit/s carry) that Chromium loops
 * as the camera with --use-file-for-fake-video-capture.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_FLAGS } from '../helpers/browser.js';
// @ts-expect-error -- plain ESM helper shared with the test runner script, no type declarations.
import { findChromium } from '../../scripts/chromium.mjs';

const WIDTH = 640;
const HEIGHT = 360;
const FPS = 24;
/** Two seconds, looped by Chromium. */
const FRAMES = 48;
/** The moving patch of fresh noise: a ninth of the picture. */
const PATCH_WIDTH = 212;
const PATCH_HEIGHT = 120;

/** Writes the busy camera to `path` (about 16 MB). */
export function writeBusyCamera(path: string): void {
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, `YUV4MPEG2 W${WIDTH} H${HEIGHT} F${FPS}:1 Ip A1:1 C420jpeg\n`);
    const chroma = (WIDTH / 2) * (HEIGHT / 2);
    // A still, textured background (as a room behind a person), and a patch of fresh noise moving
    // over it (as a person moving): the encoder codes the patch anew in every frame.
    const background = randomBytes(WIDTH * HEIGHT).map((value) => 64 + (value >> 1));
    const u = randomBytes(chroma).map((value) => 112 + (value >> 3));
    const v = randomBytes(chroma).map((value) => 112 + (value >> 3));
    for (let frame = 0; frame < FRAMES; frame++) {
      const luma = Buffer.from(background);
      const fresh = randomBytes(PATCH_WIDTH * PATCH_HEIGHT);
      const left = Math.round(((WIDTH - PATCH_WIDTH) / 2) * (1 + Math.sin((2 * Math.PI * frame) / FRAMES)));
      const top = Math.round(((HEIGHT - PATCH_HEIGHT) / 2) * (1 + Math.cos((2 * Math.PI * frame) / FRAMES)));
      for (let y = 0; y < PATCH_HEIGHT; y++) fresh.copy(luma, (top + y) * WIDTH + left, y * PATCH_WIDTH, (y + 1) * PATCH_WIDTH);
      writeSync(fd, 'FRAME\n');
      writeSync(fd, luma);
      writeSync(fd, u);
      writeSync(fd, v);
    }
  } finally {
    closeSync(fd);
  }
}

/** Debian's Chromium with the usual flags and `cameraFile` as the fake camera. */
export async function launchWithCameraFile(cameraFile: string): Promise<Browser> {
  const executablePath = (findChromium as () => string | undefined)();
  if (executablePath === undefined) throw new Error('no Chromium found');
  return chromium.launch({ executablePath, args: [...CHROMIUM_FLAGS, `--use-file-for-fake-video-capture=${cameraFile}`] });
}
