import type { Messages } from '../messages';

export default {
  'a11y.announcements': 'Nowe wiadomości',
  'a11y.newMessage': '{name}: {text}',
  'a11y.newMessages': { one: '{count} nowa wiadomość', few: '{count} nowe wiadomości', many: '{count} nowych wiadomości', other: '{count} nowej wiadomości' },
} satisfies Messages;
