import type { Messages } from '../messages';

export default {
  'settings.relayOnly': 'پنهان کردن نشانی IP من (فقط از طریق رله)',
  'settings.relayOnlyWhat': 'همه‌چیز از رلهٔ این سرور می‌گذرد، پس دیگران به‌جای نشانی شما نشانی رله را می‌بینند. کندتر است، و گردانندهٔ رله می‌بیند چقدر و برای چه کسی می‌فرستید (هرگز چه چیزی را: همه‌چیز سرتاسری رمزگذاری‌شده می‌ماند). کسانی که از پیش وصل بوده‌اند شاید پیش از روشن کردن این گزینه نشانی شما را دیده باشند.',
  'settings.relayOnlyUnavailable': 'اینجا در دسترس نیست: این سرور رله (TURN) ندارد، پس با پنهان کردن نشانی‌تان به هیچ‌کس وصل نمی‌شوید.',
  'settings.relayOnlyStuck': 'این گزینه از قبل روشن است، پس تا خاموشش نکنید اینجا وصل نمی‌شوید.',
  'settings.shortcutsHint': 'در کادر پیام {name} را بنویسید و سپس {tab} را بزنید تا متن درج شود. فقط روی همین دستگاه نگه داشته می‌شود.',
  'settings.shortcuts': 'میان‌برها',
  'settings.shortcutRemove': 'حذف',
  'settings.shortcutRemoveName': 'حذف /{name}',
  'settings.shortcutName': 'نام میان‌بر',
  'settings.shortcutNamePlaceholder': 'سلام',
  'settings.shortcutText': 'متن میان‌بر',
  'settings.shortcutTextPlaceholder': 'سلام! ممنون که پیام دادید.',
  'settings.shortcutProblem': 'برای نام از حرف، رقم، - یا _ استفاده کنید (بدون فاصله) و متنی هم بنویسید.',
  'settings.shortcutAdd': 'افزودن میان‌بر',
} satisfies Messages;
