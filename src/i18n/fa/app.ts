import type { Messages } from '../messages';

export default {
  'app.roomLoadFailed': 'اتاق بارگذاری نشد. اتصال خود را بررسی کنید و صفحه را دوباره بارگذاری کنید.',
  'app.updateReady': 'نسخهٔ تازه‌ای آماده است.',
  'app.updateReload': 'بارگذاری دوباره',
  'app.updateLater': 'بعداً',
  'app.updateRegion': 'به‌روزرسانی برنامه',
} satisfies Messages;
