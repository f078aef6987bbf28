import type { Messages } from '../messages';

/** Display, connection, auto-reply and shortcut settings (this device's own). */
export default {
  'settings.relayOnly': 'Hide my IP address (relay only)',
  'settings.relayOnlyWhat': 'Everything goes through this server\'s relay, so the others see the relay\'s address instead of yours. It is slower, and the relay\'s operator sees how much you send and to whom (never what: it stays end-to-end encrypted). People already connected may have seen your address before you turned this on.',
  'settings.relayOnlyUnavailable': 'Not available here: this server has no relay (TURN) configured, so hiding your address would leave you unable to reach anyone.',
  'settings.relayOnlyStuck': 'It is on from before, so you cannot connect here until you turn it off.',
  'settings.shortcutsHint': 'Type {name} then {tab} in the composer to insert the text. Kept on this device only.',
  'settings.shortcuts': 'Shortcuts',
  'settings.shortcutRemove': 'Remove',
  'settings.shortcutRemoveName': 'Remove /{name}',
  'settings.shortcutName': 'Shortcut name',
  'settings.shortcutNamePlaceholder': 'hello',
  'settings.shortcutText': 'Shortcut text',
  'settings.shortcutTextPlaceholder': 'Hi! Thanks for reaching out.',
  'settings.shortcutProblem': 'Use letters, digits, - or _ for the name (no spaces), and some text.',
  'settings.shortcutAdd': 'Add shortcut',
} satisfies Messages;
