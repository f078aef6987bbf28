import type { Messages } from '../messages';

export default {
  'home.tagline': 'ブラウザの中だけにあるプライベートなチャットルーム。アカウントも電話番号も不要で、会話を読めるサーバーもありません。',
  'home.badLink': 'この招待リンクは不完全か壊れています。もう一度リンクをもらうか、新しいルームを作ってください。',
  'home.create': 'ルームを作成',
  'home.createError': 'ルームを作成できませんでした。このブラウザが鍵の保存を拒否しました（ストレージをオフにしたプライベートモードではありませんか？）。',
  'home.hint': '共有用のリンクが発行されます。リンクを持っている人は誰でもルームに入れます。',
  'home.recent': '最近のルーム',
  'home.unnamedRoom': 'ルーム {id}',
  'home.forget': '削除',
  'home.forgetRoom': '{name}から退出して履歴から削除',
  'home.display': '表示',
} satisfies Messages;
