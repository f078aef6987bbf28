import type { Messages } from '../messages';

export default {
  'search.open': 'جستجو',
  'search.label': 'جستجو در پیام‌ها',
  'search.close': 'بستن جستجو',
  'search.scope': 'در تاریخچهٔ این اتاق که روی همین دستگاه ذخیره شده جستجو می‌کند.',
  'search.results': 'نتایج جستجو',
  'search.none': 'پیامی پیدا نشد.',
  'search.found': { one: '{count} پیام پیدا شد', other: '{count} پیام پیدا شد' },
  'search.more': { one: '{count} مورد دیگر هم هست؛ برای محدودتر کردن جستجو واژه‌ای اضافه کنید.', other: '{count} مورد دیگر هم هست؛ برای محدودتر کردن جستجو واژه‌ای اضافه کنید.' },
} satisfies Messages;
