import type { Messages } from '../messages';

export default {
  'display.language': '言語',
} satisfies Messages;
