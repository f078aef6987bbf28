import type { Messages } from '../messages';

export default {
  'diagnostics.what': 'この端末がネットワークや保存データから拒否したもの、そして非表示にしているもの。誠実な参加者の端末はどれも同じ処理をします。',
  'diagnostics.drops': '破棄した入力',
  'diagnostics.nothingDropped': '破棄したものはありません。',
  'diagnostics.connections': '接続の試行',
  'diagnostics.noConnections': 'まだ接続を試みていません。',
  'diagnostics.transfers': 'ファイル転送',
  'diagnostics.hidden': '非表示のメッセージ',
  'diagnostics.hiddenReason': '非表示：{reason}',
} satisfies Messages;
