import type { Messages } from '../messages';

export default {
  'layout.openPanel': 'افراد و تنظیمات',
  'layout.panelTitle': 'افراد و تنظیمات',
  'layout.closePanel': 'بستن',
} satisfies Messages;
