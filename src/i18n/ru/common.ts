/*
 * Глоссарий (один термин на всё приложение):
 * message — сообщение; send — отправить; reply — ответить; react — реакция; pin — закрепить;
 * room — комната; invite link — ссылка-приглашение; admin — администратор (админ в коротких кнопках);
 * people — участники; private message — личное сообщение; block — заблокировать (на этом устройстве);
 * mute — заглушить; kick — выгнать; ban — забанить; call — звонок; share screen — показать экран;
 * relay — ретранслятор (TURN); safety code — код безопасности; file — файл; storage — хранилище.
 * Кавычки «ёлочки», многоточие «…», обращение на «вы» со строчной буквы.
 */
import type { Messages } from '../messages';

export default {
  'display.language': 'Язык',
  'common.save': 'Сохранить',
  'common.cancel': 'Отмена',
  'common.delete': 'Удалить',
  'common.off': 'Выкл.',
  'common.dismiss': 'Закрыть',
} satisfies Messages;
