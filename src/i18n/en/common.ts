import type { Messages } from '../messages';

/** Words many areas share. */
export default {
  'display.language': 'Language',
  'common.save': 'Save',
  'common.cancel': 'Cancel',
  'common.delete': 'Delete',
  'common.off': 'Off',
  'common.dismiss': 'Dismiss',
} satisfies Messages;
