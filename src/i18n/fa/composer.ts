import type { Messages } from '../messages';

export default {
  'composer.message': 'پیام',
  'composer.placeholder': 'پیامی بنویسید',
  'composer.placeholderPrivate': 'فقط {name} این را می‌خواند',
  'composer.send': 'ارسال',
  'composer.attach': 'پیوست فایل',
  'composer.emoji': 'شکلک',
  'composer.insertEmoji': 'درج {emoji}',
  'composer.replyingTo': 'در پاسخ به {name}',
  'composer.cancelReply': 'لغو پاسخ',
  'composer.privateTo': 'خصوصی برای {name}',
  'composer.waitingForKey': 'در انتظار کلید او…',
  'composer.cancelPrivate': 'لغو پیام خصوصی',
  'composer.waitingToSend': 'در انتظار ارسال',
  'composer.sendingIn': 'ارسال تا {seconds} ثانیهٔ دیگر…',
  'composer.sending': 'در حال ارسال…',
  'composer.waiting': {
    one: '{status} {count} پیام در نوبت است تا اتاق همه را ببیند.',
    other: '{status} {count} پیام در نوبت‌اند تا اتاق همه را ببیند.',
  },
  'composer.cancelSending': 'لغو ارسال',
} satisfies Messages;
