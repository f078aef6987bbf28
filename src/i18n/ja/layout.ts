import type { Messages } from '../messages';

export default {
  'layout.openPanel': '参加者と設定',
  'layout.panelTitle': '参加者と設定',
  'layout.closePanel': '閉じる',
} satisfies Messages;
