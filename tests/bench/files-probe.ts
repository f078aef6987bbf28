/**
 * In-page timing for the "Files" bench (files.ts), an init script in every Parley page. It keeps,
 * as epoch ms (performance.timeOrigin + now: the pages of one machine share the clock):
 *  - `clicks`: every click, at the input event's timeStamp, with its button's text;
 *  - `saves`: for each file row (by the file's name), the first moment its "Save" button is in the
 *    DOM (the download complete and shown), from a MutationObserver that looks only at added nodes;
 *  - `sent`: for each stamp (`lat-<round>-<n>`) in the Message box, the Enter keydown that sends it
 *    (the event's timeStamp, before the app's own handler runs);
 *  - `shown`: for each stamp, the first moment a Messages-log node carrying it is in the DOM.
 * Waits happen inside the page (a 20 ms timer), not as an evaluate per poll from this process.
 */
import type { BrowserContext, Page } from 'playwright-core';

export interface FilesProbeState {
  readonly clicks: Array<{ readonly label: string; readonly at: number }>;
  readonly saves: Record<string, number>;
  readonly sent: Record<string, number>;
  readonly shown: Record<string, number>;
}

interface ProbeWindow {
  __filesBench?: FilesProbeState;
}

/** The init script; self-contained, serialized by Playwright. */
function filesProbe(): void {
  const state: FilesProbeState = { clicks: [], saves: {}, sent: {}, shown: {} };
  (window as unknown as ProbeWindow).__filesBench = state;
  const epoch = (t: number): number => performance.timeOrigin + t;
  const STAMP = /lat-\d+-\d+/g;

  document.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target.closest('button') : null;
    state.clicks.push({ label: (target?.textContent ?? '').trim(), at: epoch(event.timeStamp) });
  }, true);
  document.addEventListener('keydown', (event) => {
    const target = event.target;
    if (event.key !== 'Enter' || event.shiftKey || !(target instanceof HTMLTextAreaElement) || target.getAttribute('aria-label') !== 'Message') return;
    for (const stamp of target.value.match(STAMP) ?? []) state.sent[stamp] ??= epoch(event.timeStamp);
  }, true);

  const look = (element: Element, at: number): void => {
    const buttons = element.matches('button') ? [element] : [...element.querySelectorAll('button')];
    for (const button of buttons) {
      if (button.textContent?.trim() !== 'Save') continue;
      const name = button.closest('article')?.querySelector('.name')?.textContent?.trim();
      if (name !== undefined && name !== '') state.saves[name] ??= at;
    }
    if (element.closest('[role="log"]') === null && element.querySelector('[role="log"]') === null) return;
    for (const stamp of element.textContent?.match(STAMP) ?? []) state.shown[stamp] ??= at;
  };
  new MutationObserver((records) => {
    const at = epoch(performance.now());
    for (const record of records) for (const node of record.addedNodes) if (node instanceof Element) look(node, at);
  }).observe(document, { childList: true, subtree: true });
}

export async function installFilesProbe(context: BrowserContext): Promise<void> {
  await context.addInitScript(filesProbe);
}

export async function probeState(page: Page): Promise<FilesProbeState> {
  const state = await page.evaluate(() => (window as unknown as ProbeWindow).__filesBench ?? null);
  if (state === null) throw new Error('files probe missing from the page');
  return state;
}

/** The last click on a button reading `label`, epoch ms; NaN if none. */
export async function lastClick(page: Page, label: string): Promise<number> {
  return (await probeState(page)).clicks.filter((click) => click.label === label).at(-1)?.at ?? Number.NaN;
}

/** Waits in the page for the "Save" of file `name` to show; its epoch ms, or null after `timeoutMs`. */
export function waitForSave(page: Page, name: string, timeoutMs: number): Promise<number | null> {
  return page.evaluate(({ name, timeoutMs }) => new Promise<number | null>((resolve) => {
    const until = performance.now() + timeoutMs;
    const check = (): void => {
      const at = (window as unknown as ProbeWindow).__filesBench?.saves[name];
      if (at !== undefined) resolve(at);
      else if (performance.now() > until) resolve(null);
      else setTimeout(check, 20);
    };
    check();
  }), { name, timeoutMs });
}
