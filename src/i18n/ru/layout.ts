import type { Messages } from '../messages';

export default {
  'layout.openPanel': 'Участники и настройки',
  'layout.panelTitle': 'Участники и настройки',
  'layout.closePanel': 'Закрыть',
} satisfies Messages;
