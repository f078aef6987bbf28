import type { Messages } from '../messages';

export default {
  'app.roomLoadFailed': 'The room could not be loaded. Check your connection and reload the page.',
  'app.updateReady': 'A new version is ready.',
  'app.updateReload': 'Reload',
  'app.updateLater': 'Later',
  'app.updateRegion': 'App update',
} satisfies Messages;
