import type { Messages } from '../messages';

export default {
  'alerts.playSoundWhen': 'Звук, когда',
  'alerts.sound.join': 'кто-то входит',
  'alerts.sound.message': 'приходят новые сообщения',
  'alerts.sound.mention': 'вас упоминают',
  'alerts.sound.private': 'приходят личные сообщения',
  'alerts.sound.callJoin': 'кто-то подключается к вашему звонку',
  'alerts.sound.callLeave': 'кто-то покидает ваш звонок',
  'alerts.notifications': 'Уведомления на рабочем столе, пока вкладка скрыта',
  'alerts.notify.mentions': 'Упоминания и личные сообщения',
  'alerts.notify.all': 'Все сообщения',
  'alerts.refused': 'Браузер не разрешил уведомления. Их можно разрешить в настройках сайта.',
  'alerts.privacy': 'Уведомления сообщают только, что что-то произошло, но не кто и что: система может хранить их на диске.',
  'alerts.notice.join': 'Кто-то вошёл в комнату',
  'alerts.notice.message': 'Новое сообщение в комнате',
  'alerts.notice.mention': 'Вас упомянули в комнате',
  'alerts.notice.private': 'Новое личное сообщение в комнате',
  'alerts.notice.callJoin': 'Кто-то подключился к звонку',
  'alerts.notice.callLeave': 'Кто-то покинул звонок',
} satisfies Messages;
