/** Every English area, eager and lazy, merged: what the key checks compare each locale with. */
import { en } from './index';
import settings from './settings';
import rules from './rules';
import diagnostics from './diagnostics';
import call from './call';
import files from './files';

export const allEnglish = { ...en, ...settings, ...rules, ...diagnostics, ...call, ...files };
