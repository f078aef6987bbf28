import type { Messages } from '../messages';

export default {
  'home.tagline': 'Private chat rooms that live in your browser. No account, no phone number, no server that can read what is said.',
  'home.badLink': 'This invite link is incomplete or damaged. Ask for the link again, or start a new room.',
  'home.create': 'Create room',
  'home.createError': 'The room could not be created: this browser refused to store its keys (private mode with storage off?).',
  'home.hint': 'You get a link to share. Whoever has the link is in the room.',
  'home.recent': 'Recent rooms',
  'home.unnamedRoom': 'Room {id}',
  'home.forget': 'Forget',
  'home.forgetRoom': 'Leave and forget {name}',
  'home.display': 'Display',
} satisfies Messages;
