import type { Messages } from '../messages';

export default {
  'display.language': 'زبان',
} satisfies Messages;
