import type { Messages } from '../messages';

export default {
  'layout.openPanel': 'People and settings',
  'layout.panelTitle': 'People and settings',
  'layout.closePanel': 'Close',
} satisfies Messages;
