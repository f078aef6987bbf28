import type { Messages } from '../messages';

export default {
  'search.open': 'Search',
  'search.label': 'Search messages',
  'search.close': 'Close search',
  'search.scope': 'Searches the history of this room kept on this device.',
  'search.results': 'Search results',
  'search.none': 'No messages found.',
  'search.found': { one: '{count} message found', other: '{count} messages found' },
  'search.more': { one: '{count} more: add a word to narrow the search.', other: '{count} more: add a word to narrow the search.' },
} satisfies Messages;
