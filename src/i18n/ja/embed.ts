import type { Messages } from '../messages';

export default {
  'embed.launcher': 'チャット',
  'embed.launcherUnread': { other: 'チャット（新着{count}件）' },
  'embed.title': 'チャットでお問い合わせ',
  'embed.close': 'チャットを閉じる',
  'embed.hours': '通常は{from}〜{to}に返信しています',
  'embed.greeting': 'ごあいさつ',
  'embed.status.connecting': '接続中…',
  'embed.status.offline': 'オフライン',
  'embed.status.waiting': 'ただいま不在です。メッセージを残してください',
  'embed.status.here': { other: '{count}人が参加中' },
  'embed.callStart': '通話を開始',
  'embed.callJoin': '通話に参加',
  'embed.removed': 'このルームには書き込めなくなりました。',
} satisfies Messages;
