import type { Messages } from '../messages';

export default {
  'invite.showQr': "Показать QR-код",
  'invite.qrTitle': "Отсканируйте, чтобы войти в комнату",
  'invite.qrImage': "QR-код со ссылкой-приглашением",
  'invite.qrWarning': "В этом коде — секрет комнаты. Любой, кто отсканирует или сфотографирует его, сможет войти и читать переписку. Показывайте его только тем, кому дали бы ссылку.",
  'invite.close': "Закрыть",
} satisfies Messages;
