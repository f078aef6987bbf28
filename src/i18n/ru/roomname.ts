import type { Messages } from '../messages';

export default {
  'roomname.label': "Название комнаты",
  'roomname.hint': "Его увидят все участники. Оставьте поле пустым, чтобы убрать название.",
  'roomname.save': "Сохранить название",
  'roomname.saved': "Название сохранено",
  'roomname.inTitle': "Показывать название комнаты в заголовке вкладки (заголовки остаются в истории браузера)",
} satisfies Messages;
