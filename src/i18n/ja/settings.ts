import type { Messages } from '../messages';

export default {
  'settings.relayOnly': 'IPアドレスを隠す（中継のみ）',
  'settings.relayOnlyWhat': 'すべての通信がこのサーバーの中継を通るため、相手にはあなたのアドレスではなく中継サーバーのアドレスが見えます。速度は落ち、中継サーバーの運営者には、誰にどれだけ送ったかが分かります（内容はエンドツーエンドで暗号化されたままなので分かりません）。すでにつながっていた相手には、オンにする前のアドレスが見えていた可能性があります。',
  'settings.relayOnlyUnavailable': 'ここでは使えません。このサーバーには中継サーバー（TURN）が設定されていないため、アドレスを隠すと誰ともつながれなくなります。',
  'settings.relayOnlyStuck': '以前からオンになっているため、オフにするまでここでは接続できません。',
  'settings.shortcutsHint': 'メッセージ欄で{name}と入力して{tab}を押すと、テキストが挿入されます。この端末にだけ保存されます。',
  'settings.shortcuts': '定型文',
  'settings.shortcutRemove': '削除',
  'settings.shortcutRemoveName': '/{name}を削除',
  'settings.shortcutName': '定型文の名前',
  'settings.shortcutNamePlaceholder': 'あいさつ',
  'settings.shortcutText': '定型文のテキスト',
  'settings.shortcutTextPlaceholder': 'こんにちは！ご連絡ありがとうございます。',
  'settings.shortcutProblem': '名前には文字、数字、「-」、「_」を使い（スペースなし）、テキストも入力してください。',
  'settings.shortcutAdd': '定型文を追加',
} satisfies Messages;
