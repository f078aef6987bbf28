import type { Messages } from '../messages';

/** Display settings (the home page shows them too). */
export default {
  'display.theme': 'Theme',
  'display.theme.system': 'Same as the system',
  'display.theme.light': 'Light',
  'display.theme.dark': 'Dark',
  'display.textSize': 'Text size',
  'display.textSize.small': 'Small',
  'display.textSize.normal': 'Normal',
  'display.textSize.large': 'Large',
  'display.textSize.xLarge': 'Extra large',
  'display.receipts': 'Send and show read receipts',
} satisfies Messages;
