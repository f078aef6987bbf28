import type { Messages } from '../messages';

export default {
  'a11y.announcements': '新着メッセージ',
  'a11y.newMessage': '{name}：{text}',
  'a11y.newMessages': { other: '新着メッセージ {count} 件' },
} satisfies Messages;
