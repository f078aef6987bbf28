/**
 * The launcher's and panel's styles, inside the element's shadow root (open: the page embedding it may look, as it may at its own DOM; a constructed stylesheet, so
 * a host page's strict style-src does not block it, and the page's own CSS does not reach in).
 * Logical insets: on a right-to-left page, bottom-end is the bottom left.
 */
export const LAUNCHER_CSS = `
:host { all: initial; --parley-accent: #2f4858; }
.launcher {
  position: fixed; inset-block-end: 1rem; inset-inline-end: 1rem; z-index: 2147483000;
  inline-size: 3.5rem; block-size: 3.5rem; border-radius: 50%; border: 0; padding: 0;
  background: var(--parley-accent); color: #fff; cursor: pointer;
  box-shadow: 0 4px 14px rgb(0 0 0 / 0.25); display: grid; place-items: center;
}
.launcher svg { inline-size: 1.6rem; block-size: 1.6rem; fill: currentColor; }
.launcher:focus-visible { outline: 3px solid var(--parley-accent); outline-offset: 3px; }
.launcher:disabled { opacity: 0.5; cursor: not-allowed; }
.badge {
  position: absolute; inset-block-start: -0.25rem; inset-inline-end: -0.25rem; min-inline-size: 1.3rem;
  padding: 0.1rem 0.3rem; box-sizing: border-box; border-radius: 0.65rem; background: #b3261e; color: #fff;
  font: 700 0.75rem/1.1rem system-ui, sans-serif; text-align: center;
}
.panel {
  position: fixed; inset-block-end: 5.25rem; inset-inline-end: 1rem; z-index: 2147483000;
  inline-size: min(24rem, calc(100vw - 2rem)); block-size: min(38rem, calc(100dvh - 6.5rem));
  border-radius: 0.9rem; overflow: hidden; background: #fff; box-shadow: 0 10px 40px rgb(0 0 0 / 0.3);
}
.panel[hidden] { display: none; }
.badge[hidden] { display: none; }
iframe { display: block; inline-size: 100%; block-size: 100%; border: 0; }
:host([data-position='bottom-start']) .launcher, :host([data-position='bottom-start']) .panel { inset-inline-end: auto; inset-inline-start: 1rem; }
@media (max-width: 480px) {
  /* A phone: the open chat takes the whole screen; its own header has the Close button. */
  .panel, :host([data-position='bottom-start']) .panel { inset: 0; inline-size: 100vw; block-size: 100dvh; border-radius: 0; }
  :host([open][data-ready]) .launcher { display: none; }
}
@media (prefers-reduced-motion: no-preference) { .launcher { transition: transform 0.15s; } .launcher:hover { transform: scale(1.06); } }
`;
