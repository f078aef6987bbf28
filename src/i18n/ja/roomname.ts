import type { Messages } from '../messages';

export default {
  'roomname.label': "ルーム名",
  'roomname.hint': "ルームの全員に表示されます。空欄にすると名前なしになります。",
  'roomname.save': "名前を保存",
  'roomname.saved': "保存しました",
  'roomname.inTitle': "タブのタイトルにルーム名を表示する（タイトルはブラウザの履歴に残ります）",
} satisfies Messages;
