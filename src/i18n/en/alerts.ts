import type { Messages } from '../messages';

/** Sounds and desktop notifications. Notification texts never name a person or a room. */
export default {
  'alerts.playSoundWhen': 'Play a sound when',
  'alerts.sound.join': 'Someone joins',
  'alerts.sound.message': 'New messages',
  'alerts.sound.mention': 'You are mentioned',
  'alerts.sound.private': 'Private messages',
  'alerts.sound.callJoin': 'Someone joins your call',
  'alerts.sound.callLeave': 'Someone leaves your call',
  'alerts.notifications': 'Desktop notifications while this tab is hidden',
  'alerts.notify.mentions': 'Mentions and private messages',
  'alerts.notify.all': 'Every message',
  'alerts.refused': 'The browser did not allow notifications. You can allow them in the site settings.',
  'alerts.privacy': 'Notifications say only that something happened, never who or what: the system may keep them on disk.',
  'alerts.notice.join': 'Someone joined a room',
  'alerts.notice.message': 'New message in a room',
  'alerts.notice.mention': 'You were mentioned in a room',
  'alerts.notice.private': 'New private message in a room',
  'alerts.notice.callJoin': 'Someone joined a call',
  'alerts.notice.callLeave': 'Someone left a call',
} satisfies Messages;
