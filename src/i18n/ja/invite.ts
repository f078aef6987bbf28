import type { Messages } from '../messages';

export default {
  'invite.showQr': "QRコードを表示",
  'invite.qrTitle': "スキャンしてルームに参加",
  'invite.qrImage': "招待リンクのQRコード",
  'invite.qrWarning': "このコードにはルームの秘密の鍵が含まれています。読み取ったり撮影したりした人は誰でも参加して会話を読めます。リンクを渡してよい相手にだけ見せてください。",
  'invite.close': "閉じる",
} satisfies Messages;
