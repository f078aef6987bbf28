import type { Messages } from '../messages';

/** The embedded room: the launcher on the host page (embed.js) and the compact room in its frame. */
export default {
  'embed.launcher': 'Chat',
  'embed.launcherUnread': { one: 'Chat, {count} new message', other: 'Chat, {count} new messages' },
  'embed.title': 'Chat with us',
  'embed.close': 'Close chat',
  'embed.hours': 'We usually answer between {from} and {to}',
  'embed.greeting': 'Greeting',
  'embed.status.connecting': 'Connecting…',
  'embed.status.offline': 'Offline',
  'embed.status.waiting': 'Nobody is here right now — leave a message',
  'embed.status.here': { one: '{count} person here', other: '{count} people here' },
  'embed.callStart': 'Start call',
  'embed.callJoin': 'Join call',
  'embed.removed': 'You can no longer write in this room.',
} satisfies Messages;
