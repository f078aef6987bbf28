/**
 * Keeps the room's bottom (the composer) above the on-screen keyboard. Browsers that lay the
 * keyboard over the page (iOS Safari; Chrome on Android unless the page asks for
 * `interactive-widget=resizes-content`) shrink only the visual viewport: the layout viewport
 * (`innerHeight`, `100dvh`) keeps its height, and the visual one may also pan down inside it
 * (`offsetTop`) to show the focused field. The room then takes exactly the visible part: its top
 * at `offsetTop`, its height the visual viewport's.
 */

/** The parts of `window.visualViewport` this module reads. */
export interface ViewportLike {
  readonly height: number;
  readonly offsetTop: number;
  readonly scale: number;
  addEventListener(type: 'resize' | 'scroll', listener: () => void): void;
  removeEventListener(type: 'resize' | 'scroll', listener: () => void): void;
}

/** Where the room goes while a keyboard covers part of the page (CSS px, layout-viewport coordinates). */
export interface VisibleArea {
  readonly top: number;
  readonly height: number;
}

/** A pinch-zoomed page also has a smaller visual viewport; that is not a keyboard. */
const ZOOM_TOLERANCE = 0.01;
/** Below this, a difference is browser chrome (a URL bar sliding away), not a keyboard (CSS px). */
export const MIN_KEYBOARD_PX = 60;

/** The visible part of the page while a keyboard covers its bottom; null when none does. */
export function keyboardArea(viewport: Pick<ViewportLike, 'height' | 'offsetTop' | 'scale'>, layoutHeight: number): VisibleArea | null {
  const { height, offsetTop, scale } = viewport;
  if (![height, offsetTop, scale, layoutHeight].every(Number.isFinite)) return null;
  if (Math.abs(scale - 1) > ZOOM_TOLERANCE) return null;
  if (layoutHeight - height < MIN_KEYBOARD_PX || height <= 0) return null;
  return { top: Math.max(0, Math.round(offsetTop)), height: Math.round(height) };
}

const sameArea = (a: VisibleArea | null, b: VisibleArea | null): boolean => a === b || (a !== null && b !== null && a.top === b.top && a.height === b.height);

/**
 * Calls `apply` with the visible area now and whenever the visual viewport changes; returns the
 * function that stops listening. Without a visual viewport (old browsers) it applies null once.
 */
export function trackKeyboardArea(viewport: ViewportLike | null | undefined, layoutHeight: () => number, apply: (area: VisibleArea | null) => void): () => void {
  if (viewport === null || viewport === undefined) {
    apply(null);
    return () => undefined;
  }
  let last: VisibleArea | null | undefined;
  const update = (): void => {
    const area = keyboardArea(viewport, layoutHeight());
    if (last !== undefined && sameArea(area, last)) return;
    last = area;
    apply(area);
  };
  viewport.addEventListener('resize', update);
  viewport.addEventListener('scroll', update);
  update();
  return () => {
    viewport.removeEventListener('resize', update);
    viewport.removeEventListener('scroll', update);
  };
}
