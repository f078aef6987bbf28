import type { Messages } from '../messages';

export default {
  'app.roomLoadFailed': 'Не удалось загрузить комнату. Проверьте подключение и обновите страницу.',
  'app.updateReady': 'Доступна новая версия.',
  'app.updateReload': 'Обновить',
  'app.updateLater': 'Позже',
  'app.updateRegion': 'Обновление приложения',
} satisfies Messages;
