import type { Messages } from '../messages';

export default {
  'layout.openPanel': 'Osoby i ustawienia',
  'layout.panelTitle': 'Osoby i ustawienia',
  'layout.closePanel': 'Zamknij',
} satisfies Messages;
