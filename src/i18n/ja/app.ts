import type { Messages } from '../messages';

export default {
  'app.roomLoadFailed': 'ルームを読み込めませんでした。接続を確認して、ページを再読み込みしてください。',
  'app.updateReady': '新しいバージョンを利用できます。',
  'app.updateReload': '再読み込み',
  'app.updateLater': 'あとで',
  'app.updateRegion': 'アプリの更新',
} satisfies Messages;
