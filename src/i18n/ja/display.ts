import type { Messages } from '../messages';

/** Display settings (the home page shows them too). */
export default {
  'display.theme': 'テーマ',
  'display.theme.system': 'システムと同じ',
  'display.theme.light': 'ライト',
  'display.theme.dark': 'ダーク',
  'display.textSize': '文字サイズ',
  'display.textSize.small': '小',
  'display.textSize.normal': '標準',
  'display.textSize.large': '大',
  'display.textSize.xLarge': '特大',
  'display.receipts': '既読を送信・表示する',
} satisfies Messages;
