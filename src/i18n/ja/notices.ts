import type { Messages } from '../messages';

export default {
  'notices.label': 'お知らせ',
  'notices.flood': {
    other: '{name}さんの送信が速すぎるため、{count}件のメッセージを非表示にしました。',
  },
  'notices.muted': '管理者によって{time}までミュートされています。',
  'notices.newKey': '追放のあと、このルームは新しい鍵に切り替わりました。古い招待リンクではもう入れません。現在のリンクは「招待リンクをコピー」で取得できます。',
  'notices.slowMode': {
    other: '低速モード：{count}秒に1件までです。',
  },
} satisfies Messages;
