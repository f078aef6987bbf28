import type { Messages } from '../messages';

/** Display settings (the home page shows them too). */
export default {
  'display.theme': 'Motyw',
  'display.theme.system': 'Jak w systemie',
  'display.theme.light': 'Jasny',
  'display.theme.dark': 'Ciemny',
  'display.textSize': 'Rozmiar tekstu',
  'display.textSize.small': 'Mały',
  'display.textSize.normal': 'Normalny',
  'display.textSize.large': 'Duży',
  'display.textSize.xLarge': 'Bardzo duży',
  'display.receipts': 'Wysyłaj i pokazuj potwierdzenia odczytu',
} satisfies Messages;
