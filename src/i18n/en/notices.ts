import type { Messages } from '../messages';

export default {
  'notices.label': 'Notices',
  'notices.flood': {
    one: '{name} is sending too fast; a message was hidden.',
    other: '{name} is sending too fast; {count} messages were hidden.',
  },
  'notices.muted': 'The admin muted you until {time}.',
  'notices.newKey': 'After a ban, this room moved to a new key: older invite links no longer reach it. Copy invite link gives the current one.',
  'notices.slowMode': {
    one: 'Slow mode: one message every {count} second.',
    other: 'Slow mode: one message every {count} seconds.',
  },
} satisfies Messages;
