import type { Messages } from '../messages';

export default {
  'display.language': 'Language',
} satisfies Messages;
