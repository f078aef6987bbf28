import type { Messages } from '../messages';

export default {
  'settings.relayOnly': 'Скрыть мой IP-адрес (только через ретранслятор)',
  'settings.relayOnlyWhat': 'Весь трафик идёт через ретранслятор этого сервера, и собеседники видят его адрес вместо вашего. Так медленнее, а оператор ретранслятора видит, сколько и кому вы отправляете (но не что: всё по-прежнему зашифровано сквозным шифрованием). Те, кто уже был на связи, могли увидеть ваш адрес до того, как вы это включили.',
  'settings.relayOnlyUnavailable': 'Здесь недоступно: на этом сервере не настроен ретранслятор (TURN), и со скрытым адресом вы ни с кем не сможете связаться.',
  'settings.relayOnlyStuck': 'Настройка включена раньше, поэтому здесь вы не подключитесь, пока её не выключите.',
  'settings.shortcutsHint': 'Наберите {name}, затем {tab} в поле сообщения, чтобы вставить текст. Хранится только на этом устройстве.',
  'settings.shortcuts': 'Быстрые ответы',
  'settings.shortcutRemove': 'Удалить',
  'settings.shortcutRemoveName': 'Удалить /{name}',
  'settings.shortcutName': 'Название',
  'settings.shortcutNamePlaceholder': 'привет',
  'settings.shortcutText': 'Текст',
  'settings.shortcutTextPlaceholder': 'Здравствуйте! Спасибо, что написали.',
  'settings.shortcutProblem': 'В названии используйте буквы, цифры, «-» или «_» (без пробелов), и добавьте текст.',
  'settings.shortcutAdd': 'Добавить быстрый ответ',
} satisfies Messages;
