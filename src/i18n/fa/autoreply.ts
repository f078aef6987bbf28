import type { Messages } from '../messages';

/** The away auto-reply (its settings show in the room's side panel at once). */
export default {
  'autoReply.enabled': 'پاسخ خودکار هنگام دوری',
  'autoReply.text': 'متن پاسخ خودکار',
  'autoReply.save': 'ذخیرهٔ پاسخ خودکار',
  'autoReply.empty': 'اول چند کلمه بنویسید.',
  'autoReply.what': 'یک بار، به‌صورت خصوصی، برای هر کسی فرستاده می‌شود که در نبودتان به شما پیام خصوصی بدهد.',
} satisfies Messages;
