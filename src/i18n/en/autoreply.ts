import type { Messages } from '../messages';

/** The away auto-reply (its settings show in the room's side panel at once). */
export default {
  'autoReply.enabled': 'Auto-reply when away',
  'autoReply.text': 'Auto-reply text',
  'autoReply.save': 'Save auto-reply',
  'autoReply.empty': 'Write a few words first.',
  'autoReply.what': 'Sent once, privately, to each person who writes to you privately while you are away.',
} satisfies Messages;
