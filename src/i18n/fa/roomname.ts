import type { Messages } from '../messages';

export default {
  'roomname.label': "نام اتاق",
  'roomname.hint': "همهٔ اعضای اتاق آن را می‌بینند. برای برداشتن نام، آن را خالی بگذارید.",
  'roomname.save': "ذخیرهٔ نام",
  'roomname.saved': "نام ذخیره شد",
  'roomname.inTitle': "نمایش نام اتاق در عنوان زبانه (عنوان زبانه‌ها در تاریخچهٔ مرورگر می‌ماند)",
} satisfies Messages;
