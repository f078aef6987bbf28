import { describe, expect, it } from 'vitest';
import { keyboardArea, trackKeyboardArea, type ViewportLike } from '../../src/ui/layout/keyboard-inset';

/** A visual viewport whose size the test sets, firing events as a browser does. */
class FakeViewport implements ViewportLike {
  height: number;
  offsetTop = 0;
  scale = 1;
  readonly listeners = new Map<string, Set<() => void>>();
  constructor(height: number) {
    this.height = height;
  }
  addEventListener(type: 'resize' | 'scroll', listener: () => void): void {
    const set = this.listeners.get(type) ?? new Set();
    set.add(listener);
    this.listeners.set(type, set);
  }
  removeEventListener(type: 'resize' | 'scroll', listener: () => void): void {
    this.listeners.get(type)?.delete(listener);
  }
  fire(type: 'resize' | 'scroll'): void {
    for (const listener of this.listeners.get(type) ?? []) listener();
  }
  listening(): number {
    return [...this.listeners.values()].reduce((sum, set) => sum + set.size, 0);
  }
}

describe('the part of the page a keyboard leaves visible', () => {
  it('is nothing special while the visual viewport is the whole layout viewport', () => {
    expect(keyboardArea({ height: 740, offsetTop: 0, scale: 1 }, 740)).toBeNull();
  });

  it('is the visual viewport, panned down, while a keyboard covers the bottom', () => {
    expect(keyboardArea({ height: 420, offsetTop: 0, scale: 1 }, 740)).toEqual({ top: 0, height: 420 });
    expect(keyboardArea({ height: 420.4, offsetTop: 120.6, scale: 1 }, 740)).toEqual({ top: 121, height: 420 });
  });

  it('ignores a pinch zoom and a URL bar sliding away, which also shrink the visual viewport', () => {
    expect(keyboardArea({ height: 370, offsetTop: 185, scale: 2 }, 740)).toBeNull();
    expect(keyboardArea({ height: 700, offsetTop: 0, scale: 1 }, 740)).toBeNull();
  });

  it('drops values no browser should give rather than sizing the room by them', () => {
    expect(keyboardArea({ height: Number.NaN, offsetTop: 0, scale: 1 }, 740)).toBeNull();
    expect(keyboardArea({ height: 300, offsetTop: Number.POSITIVE_INFINITY, scale: 1 }, 740)).toBeNull();
    expect(keyboardArea({ height: 0, offsetTop: 0, scale: 1 }, 740)).toBeNull();
    expect(keyboardArea({ height: 300, offsetTop: -50, scale: 1 }, 740)).toEqual({ top: 0, height: 300 });
  });
});

describe('following the visual viewport', () => {
  it('applies the area at once, on each change, only when it changes, and stops when asked', () => {
    const viewport = new FakeViewport(740);
    const applied: unknown[] = [];
    const stop = trackKeyboardArea(viewport, () => 740, (area) => applied.push(area));
    expect(applied).toEqual([null]);

    viewport.height = 400;
    viewport.fire('resize');
    viewport.offsetTop = 80;
    viewport.fire('scroll');
    viewport.fire('scroll');
    expect(applied).toEqual([null, { top: 0, height: 400 }, { top: 80, height: 400 }]);

    viewport.height = 740;
    viewport.offsetTop = 0;
    viewport.fire('resize');
    expect(applied.at(-1)).toBeNull();

    stop();
    expect(viewport.listening()).toBe(0);
    viewport.height = 300;
    viewport.fire('resize');
    expect(applied).toHaveLength(4);
  });

  it('without a visual viewport, leaves the room at full height', () => {
    const applied: unknown[] = [];
    trackKeyboardArea(undefined, () => 740, (area) => applied.push(area))();
    expect(applied).toEqual([null]);
  });
});
