import type { Messages } from '../messages';

export default {
  'invite.showQr': "نمایش کد QR",
  'invite.qrTitle': "برای پیوستن به اتاق، این کد را اسکن کنید",
  'invite.qrImage': "کد QR پیوند دعوت",
  'invite.qrWarning': "این کد رمز اتاق را در خود دارد. هر کس آن را اسکن کند یا از آن عکس بگیرد، می‌تواند وارد اتاق شود و گفتگو را بخواند. آن را فقط به کسانی نشان دهید که پیوند را هم به آن‌ها می‌دادید.",
  'invite.close': "بستن",
} satisfies Messages;
