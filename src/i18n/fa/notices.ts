import type { Messages } from '../messages';

export default {
  'notices.label': 'اطلاعیه‌ها',
  'notices.flood': {
    one: '{name} خیلی تند پیام می‌فرستد؛ یک پیام پنهان شد.',
    other: '{name} خیلی تند پیام می‌فرستد؛ {count} پیام پنهان شد.',
  },
  'notices.muted': 'مدیر شما را تا {time} بی‌صدا کرده است.',
  'notices.newKey': 'پس از محروم کردن یک نفر، این اتاق به کلید تازه‌ای منتقل شد: پیوندهای دعوت قدیمی دیگر به آن نمی‌رسند. پیوند فعلی را با «کپی پیوند دعوت» بگیرید.',
  'notices.slowMode': {
    one: 'حالت آهسته: هر {count} ثانیه یک پیام.',
    other: 'حالت آهسته: هر {count} ثانیه یک پیام.',
  },
} satisfies Messages;
