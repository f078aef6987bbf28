import type { Messages } from '../messages';

/** What a screen reader is told of new messages (ui/LiveAnnouncer.svelte). */
export default {
  'a11y.announcements': 'New messages',
  'a11y.newMessage': '{name}: {text}',
  'a11y.newMessages': { one: '{count} new message', other: '{count} new messages' },
} satisfies Messages;
