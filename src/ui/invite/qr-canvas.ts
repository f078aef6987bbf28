/**
 * Draws a QR code on a canvas so that it scans: every module the same whole number of device
 * pixels (crisp at any devicePixelRatio, no resampling), dark on white whatever the page theme,
 * and the quiet zone of four modules the standard asks for around it.
 */
export interface QrModules {
  readonly size: number;
  get(x: number, y: number): boolean;
}

export const QUIET_ZONE_MODULES = 4;

/** Draws `code` at most `maxCssPixels` wide; returns the device pixels per module. */
export function drawQrCode(canvas: HTMLCanvasElement, code: QrModules, maxCssPixels: number, devicePixelRatio: number): number {
  const modules = code.size + 2 * QUIET_ZONE_MODULES;
  const scale = Math.max(1, Math.floor((maxCssPixels * devicePixelRatio) / modules));
  const pixels = modules * scale;
  canvas.width = pixels;
  canvas.height = pixels;
  canvas.style.inlineSize = `${pixels / devicePixelRatio}px`;
  canvas.style.blockSize = `${pixels / devicePixelRatio}px`;
  const context = canvas.getContext('2d');
  if (context === null) return scale;
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, pixels, pixels);
  context.fillStyle = '#000000';
  for (let y = 0; y < code.size; y++) {
    for (let x = 0; x < code.size; x++) {
      if (code.get(x, y)) context.fillRect((x + QUIET_ZONE_MODULES) * scale, (y + QUIET_ZONE_MODULES) * scale, scale, scale);
    }
  }
  return scale;
}
