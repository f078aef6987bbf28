/**
 * English: the source of every key. Each area of the app keeps its strings in a file of its own
 * (same file name under every locale's folder); add an area here by importing and spreading it.
 *
 * English is built into the room's first load, so only the areas the room shows at once are here.
 * An area of a part that loads later (a settings panel, the call, the files: see the `addEnglish` calls) is its own English
 * chunk: that part's module passes it to addEnglish() as it loads, before anything renders. Its keys still belong to MessageKey, through type-only imports.
 */
import common from './common';
import composer from './composer';
import messages from './messages';
import people from './people';
import notices from './notices';
import home from './home';
import display from './display';
import autoreply from './autoreply';
import alerts from './alerts';
import layout from './layout';
import search from './search';
import app from './app';
import embed from './embed';
import a11y from './a11y';
import roomname from './roomname';
import invite from './invite';
import room from './room';
import type settings from './settings';
import type rules from './rules';
import type diagnostics from './diagnostics';
import type call from './call';
import type files from './files';

export const en = {
  ...common,
  ...composer,
  ...messages,
  ...people,
  ...notices,
  ...home,
  ...display,
  ...autoreply,
  ...alerts,
  ...layout,
  ...search,
  ...app,
  ...embed,
  ...a11y,
  ...roomname,
  ...invite,
  ...room,
};

export type MessageKey = keyof typeof en | keyof typeof settings | keyof typeof rules | keyof typeof diagnostics | keyof typeof call | keyof typeof files;
