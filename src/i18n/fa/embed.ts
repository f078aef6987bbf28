import type { Messages } from '../messages';

export default {
  'embed.launcher': 'گفتگو',
  'embed.launcherUnread': { one: 'گفتگو، {count} پیام تازه', other: 'گفتگو، {count} پیام تازه' },
  'embed.title': 'با ما گفتگو کنید',
  'embed.close': 'بستن گفتگو',
  'embed.hours': 'معمولاً از ساعت {from} تا {to} پاسخ می‌دهیم',
  'embed.greeting': 'خوشامد',
  'embed.status.connecting': 'در حال اتصال…',
  'embed.status.offline': 'آفلاین',
  'embed.status.waiting': 'الان کسی اینجا نیست؛ پیام بگذارید',
  'embed.status.here': { one: '{count} نفر اینجاست', other: '{count} نفر اینجا هستند' },
  'embed.callStart': 'شروع تماس',
  'embed.callJoin': 'پیوستن به تماس',
  'embed.removed': 'دیگر نمی‌توانید در این اتاق بنویسید.',
} satisfies Messages;
