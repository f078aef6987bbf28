import type { Messages } from '../messages';

export default {
  'diagnostics.what': 'آنچه این دستگاه از شبکه و حافظهٔ خود رد کرده و آنچه پنهان می‌کند. دستگاه هر عضو درستکاری همین کار را می‌کند.',
  'diagnostics.drops': 'ورودی‌های ردشده',
  'diagnostics.nothingDropped': 'چیزی رد نشده است.',
  'diagnostics.connections': 'تلاش‌های اتصال',
  'diagnostics.noConnections': 'هنوز تلاشی برای اتصال نشده است.',
  'diagnostics.transfers': 'انتقال فایل‌ها',
  'diagnostics.hidden': 'پیام‌های پنهان',
  'diagnostics.hiddenReason': 'پنهان: {reason}',
} satisfies Messages;
