import type { Messages } from '../messages';

export default {
  'diagnostics.what': 'Что это устройство отвергло из сети и из своего хранилища и что оно скрывает. Устройство каждого честного участника делает то же самое.',
  'diagnostics.drops': 'Отброшенные данные',
  'diagnostics.nothingDropped': 'Ничего не отброшено.',
  'diagnostics.connections': 'Попытки соединения',
  'diagnostics.noConnections': 'Попыток соединения ещё не было.',
  'diagnostics.transfers': 'Передача файлов',
  'diagnostics.hidden': 'Скрытые сообщения',
  'diagnostics.hiddenReason': 'скрыто: {reason}',
} satisfies Messages;
