/**
 * English: the source of every key. Each area of the app keeps its strings in a file of its own
 * (same file name under every locale's folder); add an area here by importing and spreading it.
 */
import common from './common';
import composer from './composer';
import messages from './messages';
import people from './people';
import notices from './notices';
import home from './home';
import settings from './settings';
import rules from './rules';
import alerts from './alerts';
import diagnostics from './diagnostics';
import call from './call';
import files from './files';

export const en = {
  ...common,
  ...composer,
  ...messages,
  ...people,
  ...notices,
  ...home,
  ...settings,
  ...rules,
  ...alerts,
  ...diagnostics,
  ...call,
  ...files,
};

export type MessageKey = keyof typeof en;
