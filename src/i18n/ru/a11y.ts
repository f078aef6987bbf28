import type { Messages } from '../messages';

export default {
  'a11y.announcements': 'Новые сообщения',
  'a11y.newMessage': '{name}: {text}',
  'a11y.newMessages': { one: '{count} новое сообщение', few: '{count} новых сообщения', many: '{count} новых сообщений', other: '{count} нового сообщения' },
} satisfies Messages;
