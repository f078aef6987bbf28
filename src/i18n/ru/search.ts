import type { Messages } from '../messages';

export default {
  'search.open': 'Поиск',
  'search.label': 'Поиск по сообщениям',
  'search.close': 'Закрыть поиск',
  'search.scope': 'Ищет в истории комнаты, сохранённой на этом устройстве.',
  'search.results': 'Результаты поиска',
  'search.none': 'Ничего не найдено.',
  'search.found': { one: 'Найдено {count} сообщение', few: 'Найдено {count} сообщения', many: 'Найдено {count} сообщений', other: 'Найдено {count} сообщения' },
  'search.more': { one: 'Ещё {count}: добавьте слово, чтобы сузить поиск.', few: 'Ещё {count}: добавьте слово, чтобы сузить поиск.', many: 'Ещё {count}: добавьте слово, чтобы сузить поиск.', other: 'Ещё {count}: добавьте слово, чтобы сузить поиск.' },
} satisfies Messages;
