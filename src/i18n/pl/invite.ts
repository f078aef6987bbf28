import type { Messages } from '../messages';

export default {
  'invite.showQr': "Pokaż kod QR",
  'invite.qrTitle': "Zeskanuj, aby dołączyć do pokoju",
  'invite.qrImage': "Kod QR z linkiem do pokoju",
  'invite.qrWarning': "Ten kod zawiera sekret pokoju. Każdy, kto go zeskanuje lub sfotografuje, może dołączyć i czytać rozmowę. Pokazuj go tylko tym, którym można przekazać link.",
  'invite.close': "Zamknij",
} satisfies Messages;
