/*
 * 用語集（アプリ全体で一つの訳語）：
 * message — メッセージ、send — 送信、reply — 返信、react — リアクション、pin — ピン留め、
 * room — ルーム、invite link — 招待リンク、admin — 管理者、people — 参加者、
 * private message — 個別メッセージ、block — ブロック（この端末で）、mute — ミュート、
 * kick — 退出させる、ban — 追放、call — 通話、share screen — 画面共有、
 * relay — 中継サーバー（TURN）、safety code — 安全コード、storage — 保存容量。
 * 句読点は全角の「、」「。」、かっこは「」と（）、語尾は です・ます調。
 */
import type { Messages } from '../messages';

export default {
  'display.language': '言語',
  'common.save': '保存',
  'common.cancel': 'キャンセル',
  'common.delete': '削除',
  'common.off': 'オフ',
  'common.dismiss': '閉じる',
} satisfies Messages;
