import type { Messages } from '../messages';

export default {
  'alerts.playSoundWhen': 'Odtwarzaj dźwięk, gdy',
  'alerts.sound.join': 'ktoś dołącza',
  'alerts.sound.message': 'przychodzą nowe wiadomości',
  'alerts.sound.mention': 'ktoś o Tobie wspomina',
  'alerts.sound.private': 'przychodzą prywatne wiadomości',
  'alerts.sound.callJoin': 'ktoś dołącza do Twojej rozmowy',
  'alerts.sound.callLeave': 'ktoś opuszcza Twoją rozmowę',
  'alerts.notifications': 'Powiadomienia na pulpicie, gdy ta karta jest ukryta',
  'alerts.notify.mentions': 'Wzmianki i prywatne wiadomości',
  'alerts.notify.all': 'Każda wiadomość',
  'alerts.refused': 'Przeglądarka nie zezwoliła na powiadomienia. Możesz je włączyć w ustawieniach witryny.',
  'alerts.privacy': 'Powiadomienia mówią tylko, że coś się stało, nigdy kto ani co: system może przechowywać je na dysku.',
  'alerts.notice.join': 'Ktoś dołączył do pokoju',
  'alerts.notice.message': 'Nowa wiadomość w pokoju',
  'alerts.notice.mention': 'Ktoś wspomniał o Tobie w pokoju',
  'alerts.notice.private': 'Nowa prywatna wiadomość w pokoju',
  'alerts.notice.callJoin': 'Ktoś dołączył do rozmowy',
  'alerts.notice.callLeave': 'Ktoś opuścił rozmowę',
} satisfies Messages;
