import type { Messages } from '../messages';

export default {
  'invite.showQr': "Show QR code",
  'invite.qrTitle': "Scan to join this room",
  'invite.qrImage': "QR code of the invite link",
  'invite.qrWarning': "This code carries the room's secret. Anyone who scans or photographs it can join and read along, so show it only to people you would give the link to.",
  'invite.close': "Close",
} satisfies Messages;
