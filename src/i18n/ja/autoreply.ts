import type { Messages } from '../messages';

/** The away auto-reply (its settings show in the room's side panel at once). */
export default {
  'autoReply.enabled': '不在時に自動返信',
  'autoReply.text': '自動返信のテキスト',
  'autoReply.save': '自動返信を保存',
  'autoReply.empty': '先に何か書いてください。',
  'autoReply.what': '不在中に個別メッセージをくれた人それぞれに、一度だけ個別に送られます。',
} satisfies Messages;
