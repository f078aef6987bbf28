import type { Messages } from '../messages';

export default {
  'display.language': 'Язык',
} satisfies Messages;
