import type { Messages } from '../messages';

export default {
  'embed.launcher': 'Чат',
  'embed.launcherUnread': { one: 'Чат, {count} новое сообщение', few: 'Чат, {count} новых сообщения', many: 'Чат, {count} новых сообщений', other: 'Чат, {count} нового сообщения' },
  'embed.title': 'Напишите нам',
  'embed.close': 'Закрыть чат',
  'embed.hours': 'Обычно мы отвечаем с {from} до {to}',
  'embed.greeting': 'Приветствие',
  'embed.status.connecting': 'Подключение…',
  'embed.status.offline': 'Нет соединения',
  'embed.status.waiting': 'Сейчас никого нет — оставьте сообщение',
  'embed.status.here': { one: 'Здесь {count} человек', few: 'Здесь {count} человека', many: 'Здесь {count} человек', other: 'Здесь {count} человека' },
  'embed.callStart': 'Начать звонок',
  'embed.callJoin': 'Присоединиться к звонку',
  'embed.removed': 'Вы больше не можете писать в этой комнате.',
} satisfies Messages;
