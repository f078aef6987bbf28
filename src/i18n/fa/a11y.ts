import type { Messages } from '../messages';

export default {
  'a11y.announcements': 'پیام‌های تازه',
  'a11y.newMessage': '{name}: {text}',
  'a11y.newMessages': { one: '{count} پیام تازه', other: '{count} پیام تازه' },
} satisfies Messages;
