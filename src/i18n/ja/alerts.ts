import type { Messages } from '../messages';

export default {
  'alerts.playSoundWhen': '音を鳴らすタイミング',
  'alerts.sound.join': '誰かが参加したとき',
  'alerts.sound.message': '新しいメッセージ',
  'alerts.sound.mention': 'メンションされたとき',
  'alerts.sound.private': '個別メッセージ',
  'alerts.sound.callJoin': '誰かが通話に参加したとき',
  'alerts.sound.callLeave': '誰かが通話から抜けたとき',
  'alerts.notifications': 'このタブが隠れているときのデスクトップ通知',
  'alerts.notify.mentions': 'メンションと個別メッセージ',
  'alerts.notify.all': 'すべてのメッセージ',
  'alerts.refused': 'ブラウザが通知を許可しませんでした。サイトの設定で許可できます。',
  'alerts.privacy': '通知は何かがあったことだけを伝え、誰が何を送ったかは伝えません。通知はシステムがディスクに残すことがあるためです。',
  'alerts.notice.join': 'ルームに誰かが参加しました',
  'alerts.notice.message': 'ルームに新しいメッセージがあります',
  'alerts.notice.mention': 'ルームでメンションされました',
  'alerts.notice.private': 'ルームで新しい個別メッセージがあります',
  'alerts.notice.callJoin': '通話に誰かが参加しました',
  'alerts.notice.callLeave': '通話から誰かが抜けました',
} satisfies Messages;
