import type { Messages } from '../messages';

/** Row names stay the counters' own identifiers (they are what a bug report quotes). */
export default {
  'diagnostics.what': 'What this device refused from the network and its storage, and what it hides. Every honest member\'s device does the same.',
  'diagnostics.drops': 'Dropped inputs',
  'diagnostics.nothingDropped': 'Nothing dropped.',
  'diagnostics.connections': 'Connection attempts',
  'diagnostics.noConnections': 'No connection attempts yet.',
  'diagnostics.transfers': 'File transfers',
  'diagnostics.hidden': 'Hidden messages',
  'diagnostics.hiddenReason': 'hidden: {reason}',
} satisfies Messages;
