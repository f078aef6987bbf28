import type { Messages } from '../messages';

/** Display settings (the home page shows them too). */
export default {
  'display.theme': 'پوسته',
  'display.theme.system': 'مانند سیستم',
  'display.theme.light': 'روشن',
  'display.theme.dark': 'تیره',
  'display.textSize': 'اندازهٔ متن',
  'display.textSize.small': 'کوچک',
  'display.textSize.normal': 'معمولی',
  'display.textSize.large': 'بزرگ',
  'display.textSize.xLarge': 'خیلی بزرگ',
  'display.receipts': 'ارسال و نمایش رسید خواندن',
} satisfies Messages;
