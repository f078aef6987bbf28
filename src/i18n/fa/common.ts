/*
 * واژه‌نامه (یک واژه در سراسر برنامه):
 * message — پیام، send — ارسال، reply — پاسخ، react — واکنش، pin — سنجاق کردن، room — اتاق،
 * invite link — پیوند دعوت، admin — مدیر، people — افراد، private message — پیام خصوصی،
 * block — مسدود کردن (روی همین دستگاه)، mute — بی‌صدا کردن، kick — بیرون کردن، ban — محروم کردن،
 * call — تماس، share screen — اشتراک‌گذاری صفحه، relay — رله (TURN)، safety code — کد امنیتی،
 * storage — فضای ذخیره‌سازی.
 * نشانه‌ها: «»، ویرگول ، نقطه‌ویرگول ؛ پرسش ؟ و نیم‌فاصله در «می‌شود»، «پیام‌ها».
 */
import type { Messages } from '../messages';

export default {
  'display.language': 'زبان',
  'common.save': 'ذخیره',
  'common.cancel': 'لغو',
  'common.delete': 'حذف',
  'common.off': 'خاموش',
  'common.dismiss': 'بستن',
} satisfies Messages;
