import type { Messages } from '../messages';

export default {
  'alerts.playSoundWhen': 'پخش صدا وقتی',
  'alerts.sound.join': 'کسی وارد می‌شود',
  'alerts.sound.message': 'پیام تازه می‌رسد',
  'alerts.sound.mention': 'به شما اشاره می‌شود',
  'alerts.sound.private': 'پیام خصوصی می‌رسد',
  'alerts.sound.callJoin': 'کسی به تماس شما می‌پیوندد',
  'alerts.sound.callLeave': 'کسی تماس شما را ترک می‌کند',
  'alerts.notifications': 'اعلان دسکتاپ وقتی این زبانه پنهان است',
  'alerts.notify.mentions': 'اشاره‌ها و پیام‌های خصوصی',
  'alerts.notify.all': 'همهٔ پیام‌ها',
  'alerts.refused': 'مرورگر اجازهٔ اعلان نداد. می‌توانید آن را در تنظیمات سایت مجاز کنید.',
  'alerts.privacy': 'اعلان‌ها فقط می‌گویند چیزی رخ داده، هرگز چه کسی یا چه چیزی: سیستم ممکن است آن‌ها را روی دیسک نگه دارد.',
  'alerts.notice.join': 'کسی وارد یک اتاق شد',
  'alerts.notice.message': 'پیام تازه در یک اتاق',
  'alerts.notice.mention': 'در یک اتاق به شما اشاره شد',
  'alerts.notice.private': 'پیام خصوصی تازه در یک اتاق',
  'alerts.notice.callJoin': 'کسی به یک تماس پیوست',
  'alerts.notice.callLeave': 'کسی یک تماس را ترک کرد',
} satisfies Messages;
