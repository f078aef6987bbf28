import type { Messages } from '../messages';

export default {
  'search.open': '検索',
  'search.label': 'メッセージを検索',
  'search.close': '検索を閉じる',
  'search.scope': 'この端末に保存されているルームの履歴から検索します。',
  'search.results': '検索結果',
  'search.none': '該当するメッセージはありません。',
  'search.found': { other: '{count}件のメッセージが見つかりました' },
  'search.more': { other: 'ほかに{count}件あります。語句を追加して絞り込んでください。' },
} satisfies Messages;
