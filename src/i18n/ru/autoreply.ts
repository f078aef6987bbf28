import type { Messages } from '../messages';

/** The away auto-reply (its settings show in the room's side panel at once). */
export default {
  'autoReply.enabled': 'Автоответ, когда меня нет',
  'autoReply.text': 'Текст автоответа',
  'autoReply.save': 'Сохранить автоответ',
  'autoReply.empty': 'Сначала напишите хотя бы пару слов.',
  'autoReply.what': 'Отправляется один раз, лично, каждому, кто напишет вам лично, пока вас нет.',
} satisfies Messages;
