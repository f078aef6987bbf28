import type { Messages } from '../messages';

export default {
  'composer.message': 'Сообщение',
  'composer.placeholder': 'Напишите сообщение',
  'composer.placeholderPrivate': 'Это прочтёт только {name}',
  'composer.send': 'Отправить',
  'composer.attach': 'Прикрепить файл',
  'composer.emoji': 'Эмодзи',
  'composer.insertEmoji': 'Вставить {emoji}',
  'composer.replyingTo': 'Ответ для {name}',
  'composer.cancelReply': 'Не отвечать',
  'composer.privateTo': 'Лично для {name}',
  'composer.waitingForKey': 'ждём ключ собеседника…',
  'composer.cancelPrivate': 'Выйти из личной переписки',
  'composer.waitingToSend': 'Ожидает отправки',
  'composer.sendingIn': 'Отправка через {seconds} с…',
  'composer.sending': 'Отправка…',
  'composer.waiting': {
    one: '{status} {count} сообщение ждёт своей очереди, чтобы комната увидела все.',
    few: '{status} {count} сообщения ждут своей очереди, чтобы комната увидела все.',
    many: '{status} {count} сообщений ждут своей очереди, чтобы комната увидела все.',
    other: '{status} {count} сообщения ждут своей очереди, чтобы комната увидела все.',
  },
  'composer.cancelSending': 'Отменить отправку',
} satisfies Messages;
