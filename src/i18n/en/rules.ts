import type { Messages } from '../messages';

/** The admin's room settings. */
export default {
  'rules.label': 'Room rules',
  'rules.slowMode': 'Slow mode',
  'rules.slowModeEvery': {
    one: 'One message every {count} s',
    other: 'One message every {count} s',
  },
  'rules.longestMessage': 'Longest message (characters)',
  'rules.lifetime': 'Messages disappear after',
  'rules.lifetimeHours': { one: '{count} hour', other: '{count} hours' },
  'rules.lifetimeDays': { one: '{count} day', other: '{count} days' },
  'rules.lifetimeSeconds': { one: '{count} s', other: '{count} s' },
  'rules.videoOff': 'Cameras start off in calls of',
  'rules.videoOffAlways': 'Any size (voice only)',
  'rules.videoOffNever': 'Never',
  'rules.videoOffFrom': { one: '{count} or more people', other: '{count} or more people' },
  'rules.largestFile': 'Largest file',
  'rules.save': 'Save rules',
  'rules.saved': 'Rules saved',
  'rules.wordFilter': 'Word filter',
  'rules.filteredWords': 'Filtered words (masked in every message; separate with commas)',
  'rules.saveFilter': 'Save filter',
  'rules.filterSaved': 'Filter saved',
  'rules.locked': 'Locked: only people who were known when you locked it can take part; newcomers are refused.',
  'rules.lockWhat': 'Locking admits only the people known now; anyone new with the link is refused.',
  'rules.lock': 'Lock room',
  'rules.unlock': 'Unlock room',
  'rules.adminLinkWhat': 'An admin link makes whoever opens it a co-moderator with all your rights. Share it only with people you trust.',
  'rules.copyAdminLink': 'Copy admin link',
  'rules.adminLinkCopied': 'Admin link copied',
} satisfies Messages;
