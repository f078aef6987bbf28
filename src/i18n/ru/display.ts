import type { Messages } from '../messages';

/** Display settings (the home page shows them too). */
export default {
  'display.theme': 'Тема',
  'display.theme.system': 'Как в системе',
  'display.theme.light': 'Светлая',
  'display.theme.dark': 'Тёмная',
  'display.textSize': 'Размер текста',
  'display.textSize.small': 'Мелкий',
  'display.textSize.normal': 'Обычный',
  'display.textSize.large': 'Крупный',
  'display.textSize.xLarge': 'Очень крупный',
  'display.receipts': 'Отправлять и показывать отметки о прочтении',
} satisfies Messages;
