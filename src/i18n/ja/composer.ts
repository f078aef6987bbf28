import type { Messages } from '../messages';

export default {
  'composer.message': 'メッセージ',
  'composer.placeholder': 'メッセージを入力',
  'composer.placeholderPrivate': '{name}さんだけが読めます',
  'composer.send': '送信',
  'composer.attach': 'ファイルを添付',
  'composer.emoji': '絵文字',
  'composer.insertEmoji': '{emoji}を挿入',
  'composer.replyingTo': '{name}さんに返信',
  'composer.cancelReply': '返信をやめる',
  'composer.privateTo': '{name}さんへの個別メッセージ',
  'composer.waitingForKey': '相手の鍵を待っています…',
  'composer.cancelPrivate': '個別メッセージをやめる',
  'composer.waitingToSend': '送信待ち',
  'composer.sendingIn': '{seconds}秒後に送信…',
  'composer.sending': '送信中…',
  'composer.waiting': {
    other: '{status}全員に届くよう、{count}件のメッセージが順番を待っています。',
  },
  'composer.cancelSending': '送信を取り消す',
} satisfies Messages;
