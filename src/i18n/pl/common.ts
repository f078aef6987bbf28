import type { Messages } from '../messages';

export default {
  'display.language': 'Język',
} satisfies Messages;
